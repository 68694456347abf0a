import { describe, expect, it } from 'vitest';
import { EngineMisuse } from '../../core/errors.js';
import type { TransitionEvent, WireEvent } from '../../core/events.js';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import { POP3_COMMANDS } from '../../core/pop3/commands/index.js';
import { Pop3Session, POP3_LINE_LIMIT, type Pop3Output } from '../../core/pop3/session.js';
import { DEFAULT_POP3_OPTIONS } from '../../core/pop3/options.js';
import { POP3_TRANSITIONS, type Pop3State } from '../../core/protocols/pop3.js';
import { transitionCause } from '../../core/annotations/messages.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeHarness, rfcMaildrop, RFC_TIMESTAMP, type Harness } from '../helpers/pop3-harness.js';

async function loggedIn(options: Parameters<typeof makeHarness>[0] = {}): Promise<Harness> {
  const h = makeHarness(options, rfcMaildrop);
  await h.send('USER mrose');
  expect(await h.send('PASS tanstaaf')).toMatch(/^\+OK/);
  return h;
}

const errorCodes = (output: Pop3Output) => output.events.flatMap((e) => (e.kind === 'error' ? [e.code] : []));
const transitionsOf = (output: Pop3Output) => output.events.filter((e): e is TransitionEvent => e.kind === 'transition');
const capaLines = (wire: string) => wire.split('\r\n').slice(1, -2);
const isAscii = (bytes: Buffer) => bytes.every((byte) => byte < 0x80);

describe('commands in the wrong state', () => {
  const transactionOnly = ['STAT', 'LIST', 'LIST 1', 'RETR 1', 'DELE 1', 'NOOP', 'RSET', 'TOP 1 0', 'UIDL', 'UIDL 1', 'LAST'];
  it.each(transactionOnly)('%s in AUTHORIZATION names both states', async (command) => {
    const h = makeHarness({}, rfcMaildrop);
    const verb = command.split(' ')[0];
    const output = await h.output(command);
    expect(output.bytes.toString()).toBe(`-ERR ${verb} is only valid in TRANSACTION state; this session is in AUTHORIZATION\r\n`);
    expect(errorCodes(output)).toEqual(['WRONG_STATE']);
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  const authorizationOnly = ['USER alice', 'PASS tanstaaf', `APOP mrose c4c9334bac560ecc979e58001b3e22fb`, 'AUTH PLAIN', 'AUTH', 'STLS'];
  it.each(authorizationOnly)('%s in TRANSACTION names both states', async (command) => {
    const h = await loggedIn();
    const verb = command.split(' ')[0];
    const output = await h.output(command);
    expect(output.bytes.toString()).toBe(`-ERR ${verb} is only valid in AUTHORIZATION state; this session is in TRANSACTION\r\n`);
    expect(errorCodes(output)).toEqual(['WRONG_STATE']);
    expect(h.session.state).toBe('TRANSACTION');
    expect(h.session.sasl).toBeUndefined();
  });

  it('covers every command of the table in some state', () => {
    const tested = new Set([...transactionOnly, ...authorizationOnly].map((command) => command.split(' ')[0]));
    const untested = POP3_COMMANDS.filter((command) => command.states.length === 1 && !tested.has(command.name)).map((c) => c.name);
    expect(untested).toEqual([]);
  });

  it('a wrong-state PASS is still masked in the events', async () => {
    const h = await loggedIn();
    const output = await h.output('PASS tanstaaf');
    expect(JSON.stringify(output.events)).not.toContain('tanstaaf');
  });
});

describe('unknown commands', () => {
  it('names the command and the state (AUTHORIZATION)', async () => {
    const h = makeHarness();
    const output = await h.output('HELO example.org');
    expect(output.bytes.toString()).toBe('-ERR unknown command "HELO" in AUTHORIZATION state\r\n');
    expect(errorCodes(output)).toEqual(['UNKNOWN_COMMAND']);
  });

  it('names the command and the state (TRANSACTION)', async () => {
    const h = await loggedIn();
    expect(await h.send('xtnd xlst')).toBe('-ERR unknown command "xtnd" in TRANSACTION state\r\n');
  });

  it('has no command annotation', async () => {
    const h = makeHarness();
    const output = await h.output('FROB');
    expect(output.events.filter((e) => e.kind === 'annotation' && e.about === 'command')).toEqual([]);
  });

  it('shortens a long command name and keeps the reply US-ASCII', async () => {
    const h = makeHarness();
    const output = await h.output('X'.repeat(60));
    expect(output.bytes.toString('latin1')).toBe(`-ERR unknown command "${'X'.repeat(40)}..." in AUTHORIZATION state\r\n`);
    expect(isAscii(output.bytes)).toBe(true);
  });

  it('refuses control characters before anything is echoed (RFC 1939 §3: printable ASCII)', async () => {
    const h = makeHarness();
    expect(await h.send('FOO\x1b[31m')).toBe('-ERR control character 0x1b at position 4: keywords and arguments are printable ASCII separated by single spaces (RFC 1939 section 3)\r\n');
    // A tab after PASS must not turn the password into an "unknown command" echoed back.
    const tab = await h.output('PASS\tsecret');
    expect(tab.bytes.toString('latin1')).toMatch(/^-ERR control character 0x09 at position 5/);
    expect(tab.bytes.toString('latin1')).not.toMatch(/secret/i);
    expect(tab.events.filter((e) => e.kind === 'line').map((e) => (e as { text: string }).text)).toEqual(['PASS ********', expect.stringMatching(/^-ERR control character/)]);
  });

  it('shortens a long unknown verb in the reply', async () => {
    const h = makeHarness();
    const long = await h.output('Y'.repeat(60));
    expect(long.bytes.toString('latin1')).toBe(`-ERR unknown command "${'Y'.repeat(40)}..." in AUTHORIZATION state\r\n`);
  });
});

describe('verbs are case-insensitive', () => {
  it('accepts lowercase and mixed-case verbs through a whole session', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(await h.send('capa')).toMatch(/^\+OK Capability list follows\r\n/);
    expect(await h.send('user mrose')).toBe('+OK mrose, send PASS\r\n');
    expect(await h.send('pass tanstaaf')).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
    expect(await h.send('stat')).toBe('+OK 2 320\r\n');
    expect(await h.send('StAt')).toBe('+OK 2 320\r\n');
    expect(await h.send('list 2')).toBe('+OK 2 200\r\n');
    expect(await h.send('dele 1')).toBe('+OK message 1 deleted\r\n');
    expect(await h.send('quit')).toBe('+OK maillab POP3 server signing off (1 message left)\r\n');
  });

  it('keeps the case of arguments (user names are case-sensitive)', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(await h.send('USER MROSE')).toBe('+OK MROSE, send PASS\r\n');
    expect(await h.send('PASS tanstaaf')).toBe('-ERR [AUTH] invalid user name or password\r\n');
  });
});

describe('malformed lines', () => {
  it('an empty line is an error', async () => {
    const h = makeHarness();
    const output = await h.output('');
    expect(output.bytes.toString()).toBe('-ERR empty command line\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
  });

  it('a NUL byte is an error naming its position', async () => {
    const h = makeHarness();
    const output = await h.output(Buffer.from('USER a\0b'));
    expect(output.bytes.toString()).toBe('-ERR NUL byte at position 7 of the command line\r\n');
    expect(errorCodes(output)).toEqual(['NUL_BYTE']);
    expect(h.session.pendingUser).toBeUndefined();
  });

  it('an 8-bit byte is an error naming the byte, and the reply stays US-ASCII', async () => {
    const h = makeHarness();
    const output = await h.output(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xe9]));
    expect(output.bytes.toString('latin1')).toBe('-ERR 8-bit byte 0xe9 at position 6: commands must be US-ASCII (RFC 1939 section 3)\r\n');
    expect(isAscii(output.bytes)).toBe(true);
    expect(errorCodes(output)).toEqual(['EIGHT_BIT']);
  });

  it('a bad byte in TRANSACTION does not run the command', async () => {
    const h = await loggedIn();
    expect(await h.send(Buffer.from('DELE 1\0'))).toMatch(/^-ERR NUL byte/);
    expect(await h.send('STAT')).toBe('+OK 2 320\r\n');
  });

  it('overlong(255) is an error, counted, and the reply stays US-ASCII', async () => {
    const h = makeHarness();
    const output = await h.session.overlong(POP3_LINE_LIMIT);
    expect(output.bytes.toString('latin1')).toBe('-ERR command line too long: the limit is 255 octets including CRLF (RFC 2449 section 4)\r\n');
    expect(isAscii(output.bytes)).toBe(true);
    expect(errorCodes(output)).toEqual(['LINE_TOO_LONG']);
    expect(output.events[0]).toEqual({ kind: 'line', from: 'client', text: '(a line over 255 octets, dropped)' });
    expect(output.close).toBe(false);
  });

  it('the framer limit is 255 outside SASL', () => {
    expect(makeHarness().session.lineLimit).toBe(255);
  });
});

describe('too many bad commands end the session', () => {
  it('closes after maxBadCommands, with a transition to CLOSED', async () => {
    const h = makeHarness({ maxBadCommands: 3 });
    const first = await h.output('FROB');
    expect(first.close).toBe(false);
    const second = await h.output('');
    expect(second.close).toBe(false);
    const third = await h.output('STAT');
    expect(third.bytes.toString()).toBe('-ERR too many bad commands (3), closing connection\r\n');
    expect(third.close).toBe(true);
    expect(errorCodes(third)).toEqual(['WRONG_STATE', 'TOO_MANY_ERRORS']);
    expect(transitionsOf(third)).toEqual([
      { kind: 'transition', protocol: 'pop3', from: 'AUTHORIZATION', to: 'CLOSED', cause: transitionCause('pop3', 'too-many-errors'), rfc: 'RFC 1939 §3' },
    ]);
    expect(h.session.state).toBe('CLOSED');
    await expect(h.output('NOOP')).rejects.toBeInstanceOf(EngineMisuse);
  });

  it('uses the default of 10', async () => {
    const h = makeHarness();
    for (let i = 1; i < DEFAULT_POP3_OPTIONS.maxBadCommands; i++) expect((await h.output('FROB')).close, `bad command ${i}`).toBe(false);
    expect((await h.output('FROB')).close).toBe(true);
  });

  it('counts every kind of bad command: unknown, wrong state, empty, NUL, 8-bit, overlong, bad argument', async () => {
    const h = makeHarness({ maxBadCommands: 7 });
    const bad: Array<() => Promise<Pop3Output>> = [
      () => h.output('FROB'),
      () => h.output('STAT'),
      () => h.output(''),
      () => h.output(Buffer.from('A\0')),
      () => h.output(Buffer.from([0xff])),
      () => h.session.overlong(255),
      () => h.output('CAPA now'),
    ];
    const closes: boolean[] = [];
    for (const send of bad) closes.push((await send()).close);
    expect(closes).toEqual([false, false, false, false, false, false, true]);
  });

  it('in TRANSACTION: releases the lock and deletes nothing', async () => {
    const h = await loggedIn({ maxBadCommands: 2 });
    await h.send('DELE 1');
    await h.send('RETR x');
    const output = await h.output('RETR y');
    expect(output.close).toBe(true);
    expect(transitionsOf(output).map(({ from, to }) => ({ from, to }))).toEqual([{ from: 'TRANSACTION', to: 'CLOSED' }]);
    expect(h.store.messages('mrose')).toHaveLength(2);
    expect(h.store.isLocked('mrose')).toBe(false);
  });

  it('"no such message" is an answer, not a bad command', async () => {
    const h = await loggedIn({ maxBadCommands: 2 });
    for (let i = 0; i < 5; i++) expect((await h.output('RETR 9')).close).toBe(false);
  });
});

describe('CAPA', () => {
  const common = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
  const tail = ['LOGIN-DELAY 0', 'EXPIRE NEVER', 'IMPLEMENTATION maillab'];

  it('in AUTHORIZATION offers USER, SASL and STLS', async () => {
    const h = makeHarness();
    const wire = await h.send('CAPA');
    expect(wire.startsWith('+OK Capability list follows\r\n')).toBe(true);
    expect(wire.endsWith('\r\n.\r\n')).toBe(true);
    expect(capaLines(wire)).toEqual([...common, 'USER', 'SASL PLAIN LOGIN CRAM-MD5', 'STLS', ...tail]);
  });

  it('in TRANSACTION drops USER, SASL and STLS', async () => {
    const h = await loggedIn();
    expect(capaLines(await h.send('CAPA'))).toEqual([...common, ...tail]);
  });

  it('without TLS available, does not offer STLS', async () => {
    const h = makeHarness({ tlsAvailable: false });
    expect(capaLines(await h.send('CAPA'))).not.toContain('STLS');
  });

  it('after tlsEstablished, drops STLS and offers USER and the plaintext mechanisms', async () => {
    const h = makeHarness({ plaintextAuthAllowed: false });
    const before = capaLines(await h.send('CAPA'));
    expect(before).toEqual([...common, 'SASL CRAM-MD5', 'STLS', ...tail]);
    expect((await h.output('STLS')).startTls).toBe(true);
    h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    const after = capaLines(await h.send('CAPA'));
    expect(after).toEqual([...common, 'USER', 'SASL PLAIN LOGIN CRAM-MD5', ...tail]);
  });

  it('reflects LOGIN-DELAY, EXPIRE and the server name from the options', async () => {
    const h = makeHarness({ loginDelaySeconds: 900, expire: 30, serverName: 'dewey' });
    expect(capaLines(await h.send('CAPA')).slice(-3)).toEqual(['LOGIN-DELAY 900', 'EXPIRE 30', 'IMPLEMENTATION dewey']);
  });

  it('rejects arguments', async () => {
    const h = makeHarness();
    expect(await h.send('CAPA all')).toBe('-ERR CAPA takes no arguments\r\n');
  });

  it('summarises its body in a body event', async () => {
    const h = makeHarness();
    const output = await h.output('CAPA');
    const lines = capaLines(output.bytes.toString());
    expect(output.events).toContainEqual(expect.objectContaining({ kind: 'body', from: 'server', lines: lines.length, octets: lines.join('\r\n').length + 2 }));
  });
});

describe('STLS', () => {
  it('replies "+OK Begin TLS negotiation" and asks for the upgrade', async () => {
    const h = makeHarness();
    const output = await h.output('STLS');
    expect(output.bytes.toString()).toBe('+OK Begin TLS negotiation\r\n');
    expect(output.startTls).toBe(true);
    expect(output.close).toBe(false);
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  it('only the STLS output asks for the upgrade', async () => {
    const h = makeHarness();
    await h.output('STLS');
    expect((await h.output('CAPA')).startTls).toBe(false);
  });

  it('forgets a USER given before it (RFC 2595 §4)', async () => {
    const h = makeHarness();
    await h.send('USER alice');
    await h.send('STLS');
    h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(await h.send('PASS wonderland')).toBe('-ERR PASS must follow a successful USER command\r\n');
  });

  it('is refused when the connection is already secure', async () => {
    const h = makeHarness({ secure: true });
    const output = await h.output('STLS');
    expect(output.bytes.toString()).toBe('-ERR Command not permitted when TLS active\r\n');
    expect(output.startTls).toBe(false);
  });

  it('is refused a second time after the handshake', async () => {
    const h = makeHarness();
    await h.send('STLS');
    h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    const output = await h.output('STLS');
    expect(output.bytes.toString()).toBe('-ERR Command not permitted when TLS active\r\n');
    expect(output.startTls).toBe(false);
  });

  it('is refused when the server has no certificate', async () => {
    const h = makeHarness({ tlsAvailable: false });
    const output = await h.output('STLS');
    expect(output.bytes.toString()).toBe('-ERR STLS is not available: this server has no TLS certificate\r\n');
    expect(output.startTls).toBe(false);
  });

  it('rejects arguments', async () => {
    const h = makeHarness();
    const output = await h.output('STLS now');
    expect(output.bytes.toString()).toBe('-ERR STLS takes no arguments\r\n');
    expect(output.startTls).toBe(false);
  });

  it('tlsEstablished reports the TLS parameters', () => {
    const h = makeHarness();
    const output = h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(output.events).toEqual([
      { kind: 'tls', version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
      { kind: 'annotation', about: 'state', key: 'pop3.tls.established', rfc: 'RFC 2595 §4' },
    ]);
    expect(output.bytes.length).toBe(0);
    expect(h.session.secure).toBe(true);
  });
});

describe('events', () => {
  it('a command gives its client line, its annotation and the server line, in order', async () => {
    const h = await loggedIn();
    const output = await h.output('NOOP');
    expect(output.events).toEqual([
      { kind: 'line', from: 'client', text: 'NOOP' },
      { kind: 'annotation', about: 'command', key: 'pop3.command.NOOP', rfc: 'RFC 1939 §5' },
      { kind: 'line', from: 'server', text: '+OK' },
      { kind: 'annotation', about: 'reply', key: 'pop3.reply.ok', rfc: 'RFC 1939 §3' },
    ]);
  });

  it('each command annotation carries the RFC section of the table', async () => {
    const h = await loggedIn();
    for (const command of ['STAT', 'LIST', 'UIDL', 'LAST', 'CAPA']) {
      const output = await h.output(command);
      const rfc = POP3_COMMANDS.find((c) => c.name === command)!.rfc;
      expect(output.events, command).toContainEqual({ kind: 'annotation', about: 'command', key: `pop3.command.${command}`, rfc });
    }
  });

  it('login gives an AUTHORIZATION -> TRANSACTION transition with its RFC section', async () => {
    const h = makeHarness({}, rfcMaildrop);
    await h.send('USER mrose');
    const output = await h.output('PASS tanstaaf');
    expect(transitionsOf(output)).toEqual([
      { kind: 'transition', protocol: 'pop3', from: 'AUTHORIZATION', to: 'TRANSACTION', cause: 'PASS accepted for mrose; the maildrop is now locked', rfc: 'RFC 1939 §4' },
    ]);
  });

  it('every transition of a whole session matches the transition table', async () => {
    const seen: TransitionEvent[] = [];
    const collect = (output: Pop3Output) => seen.push(...transitionsOf(output));
    const h = makeHarness({}, rfcMaildrop);
    collect(await h.output('APOP mrose c4c9334bac560ecc979e58001b3e22fb'));
    collect(await h.output('DELE 1'));
    collect(await h.output('QUIT'));
    expect(seen.map(({ from, to, rfc }) => `${from}->${to} ${rfc}`)).toEqual([
      'AUTHORIZATION->TRANSACTION RFC 1939 §4',
      'TRANSACTION->UPDATE RFC 1939 §6',
      'UPDATE->CLOSED RFC 1939 §6',
    ]);
    for (const event of seen) {
      const entry = Object.values(POP3_TRANSITIONS).find((t) => t.to === event.to && (t.from === '*' || t.from.includes(event.from as Pop3State)) && t.rfc === event.rfc);
      expect(entry, `${event.from}->${event.to}`).toBeDefined();
    }
  });

  it('a dropped connection gives a transition to CLOSED with the reason', async () => {
    const h = makeHarness();
    const output = await h.session.end('idle timeout');
    expect(transitionsOf(output)).toEqual([
      { kind: 'transition', protocol: 'pop3', from: 'AUTHORIZATION', to: 'CLOSED', cause: 'idle timeout', rfc: POP3_TRANSITIONS.dropped.rfc },
    ]);
  });

  it('a multi-line reply is one server line plus a body summary', async () => {
    const h = await loggedIn();
    const output = await h.output('LIST');
    expect(output.events.filter((e: WireEvent) => e.kind === 'line' || e.kind === 'body')).toEqual([
      { kind: 'line', from: 'client', text: 'LIST' },
      { kind: 'line', from: 'server', text: '+OK 2 messages (320 octets)' },
      expect.objectContaining({ kind: 'body', from: 'server', lines: 2, octets: '1 120\r\n2 200\r\n'.length }),
    ]);
  });

  it('replies and bytes agree', async () => {
    const h = await loggedIn();
    const output = await h.output('UIDL 1');
    expect(output.replies).toEqual([{ kind: 'status', ok: true, text: '1 whqtswO00WBw418f9t5JxYwZ' }]);
    expect(output.bytes.toString()).toBe('+OK 1 whqtswO00WBw418f9t5JxYwZ\r\n');
  });
});

describe('engine misuse throws', () => {
  const session = () =>
    new Pop3Session(createPop3Backend(new StaticUsers({}), new MemoryStore()), {
      ...DEFAULT_POP3_OPTIONS,
      timestamp: RFC_TIMESTAMP,
      challenge: () => '<1.2@example.net>',
      secure: false,
      tlsAvailable: false,
      plaintextAuthAllowed: true,
    });

  it('receive() before greet()', async () => {
    await expect(session().receiveLine(Buffer.from('CAPA'))).rejects.toBeInstanceOf(EngineMisuse);
  });

  it('greet() twice', () => {
    const s = session();
    expect(s.greet().bytes.toString()).toBe(`+OK POP3 server ready ${RFC_TIMESTAMP}\r\n`);
    expect(() => s.greet()).toThrow(EngineMisuse);
  });

  it('receive() after QUIT', async () => {
    const h = makeHarness();
    expect((await h.output('QUIT')).close).toBe(true);
    await expect(h.output('CAPA')).rejects.toBeInstanceOf(EngineMisuse);
  });
});
