/**
 * The sans-I/O SMTP client dialogue, driven by scripted servers: which
 * commands it sends, in which order, with which parameters, and what each
 * recipient's result is.
 */
import { describe, expect, it } from 'vitest';
import { dataPayload, wireLength } from '../../core/framing/data-payload.js';
import { authMechanisms, parseExtensions, SmtpDialogue, type DialogueOptions, type DialogueStep } from '../../core/send/smtp-dialogue.js';

const MESSAGE = Buffer.from('Subject: hi\r\n\r\nhello\r\n');

function options(overrides: Partial<DialogueOptions> = {}): DialogueOptions {
  return {
    heloName: 'client.test',
    from: 'alice@a.test',
    recipients: ['bob@b.test'],
    message: MESSAGE,
    startTls: 'none',
    tlsActive: false,
    host: 'mx.b.test [127.0.0.2]:25',
    ...overrides,
  };
}

const EHLO_REPLY = ['250-mx.b.test hello', '250-SIZE 1000000', '250-8BITMIME', '250-STARTTLS', '250-AUTH PLAIN LOGIN', '250 ENHANCEDSTATUSCODES'];

/** A scripted server: answers each command (or the message) with reply lines. */
type Script = (command: string) => string[];

/** Plays a whole session; returns the client's lines and the final dialogue. */
function converse(dialogueOptions: DialogueOptions, script: Script, greeting = ['220 mx.b.test ESMTP']) {
  const dialogue = new SmtpDialogue(dialogueOptions);
  const sent: string[] = [];
  let queue: DialogueStep[] = [];
  const feed = (lines: string[]) => {
    for (const line of lines) queue.push(...dialogue.receive(line));
  };
  feed(greeting);
  for (let guard = 0; queue.length > 0 && guard < 100; guard++) {
    const step = queue.shift()!;
    if (step.kind === 'close') break;
    if (step.kind === 'warn') {
      sent.push(`(warning: ${step.text})`);
      continue;
    }
    if (step.kind === 'start-tls') {
      sent.push('(TLS handshake)');
      queue = [...dialogue.tlsStarted(), ...queue];
      continue;
    }
    const line = step.kind === 'send' ? step.line : `(message ${step.payload.length} octets)`;
    sent.push(line);
    feed(script(step.kind === 'send' ? step.line : '<message>'));
  }
  return { sent, dialogue, results: dialogue.recipientResults() };
}

/** A server that accepts everything, with the given EHLO reply. */
function accepting(ehlo: string[] = EHLO_REPLY, overrides: Record<string, string[]> = {}): Script {
  return (command) => {
    const verb = command.split(/[ :]/)[0]!.toUpperCase();
    if (overrides[command]) return overrides[command]!;
    if (overrides[verb]) return overrides[verb]!;
    switch (verb) {
      case 'EHLO':
        return ehlo;
      case 'HELO':
        return ['250 mx.b.test'];
      case 'STARTTLS':
        return ['220 2.0.0 go ahead'];
      case 'AUTH':
        return ['235 2.7.0 ok'];
      case 'MAIL':
        return ['250 2.1.0 ok'];
      case 'RCPT':
        return ['250 2.1.5 ok'];
      case 'DATA':
        return ['354 go ahead'];
      case '<MESSAGE>':
        return ['250 2.0.0 queued as X1'];
      case 'QUIT':
        return ['221 2.0.0 bye'];
      default:
        return ['500 5.5.1 what?'];
    }
  };
}

describe('SmtpDialogue: the ordinary transaction', () => {
  it('greeting, EHLO, MAIL with SIZE, RCPT per recipient, DATA, message, QUIT', () => {
    const { sent, results } = converse(options({ recipients: ['bob@b.test', 'carol@b.test'] }), accepting());
    expect(sent).toEqual([
      'EHLO client.test',
      `MAIL FROM:<alice@a.test> SIZE=${MESSAGE.length}`,
      'RCPT TO:<bob@b.test>',
      'RCPT TO:<carol@b.test>',
      'DATA',
      `(message ${MESSAGE.length + 3} octets)`,
      'QUIT',
    ]);
    expect(results).toEqual([
      { address: 'bob@b.test', ok: true, code: 250, enhanced: '2.0.0', text: 'queued as X1', host: 'mx.b.test [127.0.0.2]:25', temporary: false, stage: 'message' },
      { address: 'carol@b.test', ok: true, code: 250, enhanced: '2.0.0', text: 'queued as X1', host: 'mx.b.test [127.0.0.2]:25', temporary: false, stage: 'message' },
    ]);
  });

  it('gives each recipient its own RCPT result; the accepted ones get the reply to the message', () => {
    const script = accepting(EHLO_REPLY, {
      'RCPT TO:<nobody@b.test>': ['550 5.1.1 no such user'],
      'RCPT TO:<later@b.test>': ['451 4.3.0 try again later'],
    });
    const { sent, results } = converse(options({ recipients: ['bob@b.test', 'nobody@b.test', 'later@b.test'] }), script);
    expect(sent.filter((line) => line.startsWith('RCPT'))).toHaveLength(3);
    expect(sent).toContain('DATA');
    expect(results.map((r) => [r.address, r.ok, r.code, r.temporary, r.stage])).toEqual([
      ['bob@b.test', true, 250, false, 'message'],
      ['nobody@b.test', false, 550, false, 'rcpt'],
      ['later@b.test', false, 451, true, 'rcpt'],
    ]);
  });

  it('sends no DATA when every recipient was refused', () => {
    const { sent, results } = converse(options(), accepting(EHLO_REPLY, { RCPT: ['550 5.1.1 no such user'] }));
    expect(sent).toEqual([`EHLO client.test`, `MAIL FROM:<alice@a.test> SIZE=${MESSAGE.length}`, 'RCPT TO:<bob@b.test>', 'QUIT']);
    expect(results[0]).toMatchObject({ ok: false, code: 550, enhanced: '5.1.1', text: 'no such user', temporary: false });
  });

  it('sends the null reverse-path of a bounce as MAIL FROM:<>', () => {
    const { sent } = converse(options({ from: '' }), accepting(['250 mx.b.test']));
    expect(sent[1]).toBe('MAIL FROM:<>');
  });

  it('a refused MAIL FROM decides every recipient', () => {
    const { sent, results } = converse(options({ recipients: ['a@b.test', 'c@b.test'] }), accepting(EHLO_REPLY, { MAIL: ['553 5.7.1 sender refused'] }));
    expect(sent.at(-1)).toBe('QUIT');
    expect(results.every((r) => r.code === 553 && r.stage === 'mail' && !r.temporary)).toBe(true);
  });

  it('a 4xx to the message is temporary for every accepted recipient', () => {
    const { results } = converse(options(), accepting(EHLO_REPLY, { '<message>': ['452 4.3.1 out of space'] }));
    expect(results[0]).toMatchObject({ ok: false, code: 452, temporary: true, stage: 'message' });
  });

  it('a 421 at any point ends the session without QUIT', () => {
    const { sent, results } = converse(options(), accepting(EHLO_REPLY, { MAIL: ['421 4.3.2 shutting down'] }));
    expect(sent.at(-1)).toMatch(/^MAIL FROM/);
    expect(results[0]).toMatchObject({ code: 421, temporary: true, stage: 'mail' });
  });

  it('a greeting other than 220 is the answer for everyone', () => {
    const { sent, results } = converse(options(), accepting(), ['554 5.7.1 no service for you']);
    expect(sent).toEqual(['QUIT']);
    expect(results[0]).toMatchObject({ code: 554, temporary: false, stage: 'greeting' });
  });

  it('reads multi-line replies to the end before going on', () => {
    const { sent } = converse(options(), accepting(EHLO_REPLY, { RCPT: ['250-2.1.5 first line', '250 2.1.5 second line'] }));
    expect(sent).toContain('DATA');
  });

  it('a malformed reply abandons the session (no QUIT) with a temporary failure', () => {
    const { sent, results } = converse(options(), accepting(EHLO_REPLY, { MAIL: ['hello?'] }));
    expect(sent.at(-1)).toMatch(/^MAIL FROM/);
    expect(results[0]).toMatchObject({ ok: false, code: 0, temporary: true });
    expect(results[0]!.text).toMatch(/malformed reply/);
  });
});

describe('SmtpDialogue: EHLO and HELO', () => {
  it('falls back to HELO when EHLO is not understood (RFC 5321 §3.2), then sends no ESMTP parameters', () => {
    const { sent, results } = converse(options(), accepting(EHLO_REPLY, { EHLO: ['502 5.5.2 command not recognized'] }));
    expect(sent.slice(0, 3)).toEqual(['EHLO client.test', 'HELO client.test', 'MAIL FROM:<alice@a.test>']);
    expect(results[0]!.ok).toBe(true);
  });

  it('a 4xx to EHLO is temporary and ends the session', () => {
    const { sent, results } = converse(options(), accepting(EHLO_REPLY, { EHLO: ['421 4.7.0 too busy'] }));
    expect(sent).toEqual(['EHLO client.test']);
    expect(results[0]).toMatchObject({ code: 421, temporary: true, stage: 'ehlo' });
  });
});

describe('SmtpDialogue: STARTTLS', () => {
  it('required: STARTTLS, handshake, then EHLO again (RFC 3207 §4.2)', () => {
    const { sent } = converse(options({ startTls: 'required' }), accepting());
    expect(sent.slice(0, 4)).toEqual(['EHLO client.test', 'STARTTLS', '(TLS handshake)', 'EHLO client.test']);
    expect(sent.filter((line) => line === 'STARTTLS')).toHaveLength(1);
  });

  it('required but not offered: a temporary local failure, no MAIL', () => {
    const { sent, results } = converse(options({ startTls: 'required' }), accepting(['250-mx.b.test', '250 SIZE 100000']));
    expect(sent).toEqual(['EHLO client.test', 'QUIT']);
    expect(results[0]).toMatchObject({ ok: false, code: 0, temporary: true, stage: 'starttls' });
    expect(results[0]!.text).toMatch(/does not offer STARTTLS/);
  });

  it('opportunistic: carries on in plaintext when STARTTLS is refused', () => {
    const { sent, results } = converse(options({ startTls: 'opportunistic' }), accepting(EHLO_REPLY, { STARTTLS: ['454 4.7.0 TLS not available'] }));
    expect(sent.slice(0, 3)).toEqual(['EHLO client.test', 'STARTTLS', `MAIL FROM:<alice@a.test> SIZE=${MESSAGE.length}`]);
    expect(results[0]!.ok).toBe(true);
  });

  it('never with implicit TLS', () => {
    const { sent } = converse(options({ startTls: 'required', tlsActive: true }), accepting());
    expect(sent).not.toContain('STARTTLS');
  });
});

describe('SmtpDialogue: AUTH', () => {
  const auth = { user: 'alice', password: 'wonderland' };
  /** Implicit TLS whose certificate verified: where credentials may go (RFC 8314 §4.1). */
  const verifiedTls = { tlsActive: true, tlsVerified: true };

  it('prefers PLAIN with an initial response (RFC 4616), marked secret', () => {
    const dialogue = new SmtpDialogue(options({ auth, ...verifiedTls }));
    dialogue.receive('220 hi');
    const steps = EHLO_REPLY.flatMap((line) => dialogue.receive(line));
    expect(steps).toEqual([{ kind: 'send', line: `AUTH PLAIN ${Buffer.from('\0alice\0wonderland').toString('base64')}`, secret: true }]);
  });

  it('uses LOGIN when PLAIN is not offered: user and password each after a 334', () => {
    const script = accepting(['250-mx.b.test', '250 AUTH LOGIN CRAM-MD5'], {
      'AUTH LOGIN': ['334 VXNlcm5hbWU6'],
      [Buffer.from('alice').toString('base64')]: ['334 UGFzc3dvcmQ6'],
      [Buffer.from('wonderland').toString('base64')]: ['235 2.7.0 ok'],
    });
    const { sent, results } = converse(options({ auth, ...verifiedTls }), script);
    expect(sent.slice(0, 5)).toEqual(['EHLO client.test', 'AUTH LOGIN', 'YWxpY2U=', 'd29uZGVybGFuZA==', `MAIL FROM:<alice@a.test>`]);
    expect(results[0]!.ok).toBe(true);
  });

  it('understands the old "AUTH=LOGIN" form of the keyword', () => {
    expect(authMechanisms(parseExtensions(['AUTH=LOGIN']))).toEqual(['LOGIN']);
    expect(authMechanisms(parseExtensions(['AUTH PLAIN', 'AUTH=LOGIN']))).toEqual(['PLAIN', 'LOGIN']);
  });

  it('no AUTH offered: a final failure that suggests STARTTLS', () => {
    const { sent, results } = converse(options({ auth }), accepting(['250-mx.b.test', '250 STARTTLS']));
    expect(sent).toEqual(['EHLO client.test', 'QUIT']);
    expect(results[0]).toMatchObject({ ok: false, temporary: false, stage: 'auth' });
    expect(results[0]!.text).toMatch(/does not offer AUTH.*--starttls/);
  });

  it('only mechanisms maillab does not speak: says which', () => {
    const { results } = converse(options({ auth, ...verifiedTls }), accepting(['250-mx.b.test', '250 AUTH CRAM-MD5 XOAUTH2']));
    expect(results[0]!.text).toMatch(/AUTH CRAM-MD5 XOAUTH2.*only PLAIN and LOGIN/);
  });

  it('535 fails every recipient permanently', () => {
    const { sent, results } = converse(options({ auth, ...verifiedTls }), accepting(EHLO_REPLY, { AUTH: ['535 5.7.8 bad credentials'] }));
    expect(sent.at(-1)).toBe('QUIT');
    expect(results[0]).toMatchObject({ code: 535, enhanced: '5.7.8', temporary: false, stage: 'auth' });
  });
});

describe('SmtpDialogue: MAIL parameters', () => {
  it('BODY=8BITMIME for 8-bit content when offered (RFC 6152)', () => {
    const message = Buffer.from('Subject: x\r\n\r\ncaf\xc3\xa9\r\n', 'latin1');
    const { sent } = converse(options({ message }), accepting());
    expect(sent[1]).toBe(`MAIL FROM:<alice@a.test> SIZE=${message.length} BODY=8BITMIME`);
  });

  it('8-bit content to a server without 8BITMIME: a final local failure, nothing sent', () => {
    const message = Buffer.from('Subject: x\r\n\r\ncaf\xc3\xa9\r\n', 'latin1');
    const { sent, results } = converse(options({ message }), accepting(['250-mx.b.test', '250 SIZE 1000']));
    expect(sent).toEqual(['EHLO client.test', 'QUIT']);
    expect(results[0]).toMatchObject({ ok: false, code: 0, temporary: false, stage: 'mail' });
  });

  it('no SIZE parameter when SIZE is not offered', () => {
    const { sent } = converse(options(), accepting(['250-mx.b.test', '250 8BITMIME']));
    expect(sent[1]).toBe('MAIL FROM:<alice@a.test>');
  });

  it('SMTPUTF8 for a non-ASCII address when offered, refusal otherwise', () => {
    const withUtf8 = converse(options({ recipients: ['jürgen@b.test'] }), accepting(['250-mx.b.test', '250 SMTPUTF8']));
    expect(withUtf8.sent[1]).toBe('MAIL FROM:<alice@a.test> SMTPUTF8');
    const without = converse(options({ recipients: ['jürgen@b.test'] }), accepting(['250 mx.b.test']));
    expect(without.results[0]!.text).toMatch(/SMTPUTF8/);
  });
});

describe('SmtpDialogue: the connection ending early', () => {
  it('connectionLost gives undecided recipients a temporary result; decided ones keep theirs', () => {
    const dialogue = new SmtpDialogue(options({ recipients: ['a@b.test', 'c@b.test'] }));
    dialogue.receive('220 hi');
    for (const line of ['250 mx.b.test']) dialogue.receive(line);
    dialogue.receive('250 2.1.0 ok'); // MAIL
    dialogue.receive('550 5.1.1 no'); // RCPT a
    dialogue.connectionLost('mx.b.test closed the connection');
    expect(dialogue.recipientResults().map((r) => [r.code, r.temporary, r.text])).toEqual([
      [550, false, 'no'],
      [0, true, 'mx.b.test closed the connection'],
    ]);
    expect(dialogue.finished).toBe(true);
  });
});

describe('dataPayload: what DATA sends', () => {
  it('dot-stuffs lines that begin with "." and ends with ".\\r\\n" (RFC 5321 §4.5.2)', () => {
    expect(dataPayload(Buffer.from('a\r\n.b\r\n..c\r\n.\r\n')).toString()).toBe('a\r\n..b\r\n...c\r\n..\r\n.\r\n');
  });

  it('turns bare LF and bare CR into CRLF, so nothing can end the data early', () => {
    expect(dataPayload(Buffer.from('a\nb\rc\r\n\n.\n')).toString()).toBe('a\r\nb\r\nc\r\n\r\n..\r\n.\r\n');
    expect(dataPayload(Buffer.from('x\n.\ny')).toString()).toBe('x\r\n..\r\ny\r\n.\r\n');
  });

  it('terminates a last line without CRLF; an empty message is just the "."', () => {
    expect(dataPayload(Buffer.from('no newline')).toString()).toBe('no newline\r\n.\r\n');
    expect(dataPayload(Buffer.alloc(0)).toString()).toBe('.\r\n');
  });

  it('keeps 8-bit bytes as they are', () => {
    const bytes = Buffer.from([0xc3, 0xa9, 0x0a, 0xff]);
    expect([...dataPayload(bytes)]).toEqual([0xc3, 0xa9, 0x0d, 0x0a, 0xff, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a]);
  });

  it('wireLength is the CRLF size before stuffing (what SIZE= declares)', () => {
    for (const text of ['a\nb\n', 'a\r\nb', '.x\r\n', '', 'a\rb\r\n']) {
      const payload = dataPayload(Buffer.from(text)).toString();
      const unstuffed = payload.slice(0, -3).replace(/(^|\r\n)\./g, '$1');
      expect(wireLength(Buffer.from(text))).toBe(Buffer.byteLength(unstuffed));
    }
  });
});

describe('SmtpDialogue: credentials only over TLS that verified (RFC 8314 §4.1)', () => {
  const auth = { user: 'alice', password: 'wonderland' };

  it('never sends the password without TLS that verified: a local failure at the TLS stage, nothing sent', () => {
    const { sent, results } = converse(options({ auth }), accepting(EHLO_REPLY));
    expect(sent).toEqual(['EHLO client.test', 'QUIT']);
    expect(results[0]).toMatchObject({ ok: false, code: 0, stage: 'starttls' });
    expect(results[0]!.text).toMatch(/not TLS whose certificate verified.*--insecure/);
    const unverified = converse(options({ auth, tlsActive: true, tlsVerified: false }), accepting(EHLO_REPLY));
    expect(unverified.sent.some((line) => line.startsWith('AUTH'))).toBe(false);
  });

  it('with unverifiedAuth (--insecure): a warning step comes before the AUTH line', () => {
    const { sent, results } = converse(options({ auth, unverifiedAuth: true }), accepting(EHLO_REPLY));
    const warning = sent.findIndex((line) => line.startsWith('(warning:'));
    expect(warning).toBeGreaterThan(-1);
    expect(sent[warning]).toMatch(/UNENCRYPTED/);
    expect(sent[warning + 1]).toMatch(/^AUTH PLAIN /);
    expect(results[0]!.ok).toBe(true);
  });

  it('required STARTTLS that is not offered, with a password: says the password would go unencrypted', () => {
    const { results } = converse(options({ auth, startTls: 'required' }), accepting(['250-mx.b.test', '250 AUTH PLAIN']));
    expect(results[0]).toMatchObject({ ok: false, stage: 'starttls' });
    expect(results[0]!.text).toMatch(/does not offer STARTTLS.*unencrypted: not sent/);
  });
});

describe('SmtpDialogue: SIZE', () => {
  it('a message larger than the announced SIZE is not sent: a local failure at MAIL (RFC 1870 §6)', () => {
    const big = Buffer.from(`Subject: big\r\n\r\n${'x'.repeat(2000)}\r\n`);
    const { sent, results } = converse(options({ message: big }), accepting(['250-mx.b.test', '250 SIZE 1000']));
    expect(sent).toEqual(['EHLO client.test', 'QUIT']);
    expect(results[0]).toMatchObject({ ok: false, code: 0, stage: 'mail' });
    expect(results[0]!.text).toContain(`is ${wireLength(big)} octets and the server accepts at most 1000`);
  });
});
