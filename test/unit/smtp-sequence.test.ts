/**
 * SMTP command sequencing (RFC 5321 §4.1.4, §3.3): what each state allows, the
 * 503/554 distinctions, the bad-command limit, enhanced status codes on every
 * reply (RFC 2034), and the transition events the state panels read.
 */
import { describe, expect, it } from 'vitest';
import type { TransitionEvent, WireEvent } from '../../core/events.js';
import { EngineMisuse } from '../../core/errors.js';
import { DEFAULT_SMTP_PERSONA } from '../../core/smtp/persona.js';
import type { SmtpOutput } from '../../core/smtp/session.js';
import { SMTP_TRANSITIONS } from '../../core/protocols/smtp.js';
import { transitionCause } from '../../core/annotations/messages.js';
import { makeSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';

const PLAIN_ALICE = Buffer.from('\0alice\0wonderland').toString('base64');
const PLAIN_WRONG = Buffer.from('\0alice\0queen-of-hearts').toString('base64');

function transitions(events: readonly WireEvent[]): TransitionEvent[] {
  return events.filter((event): event is TransitionEvent => event.kind === 'transition');
}

function errorCodes(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'error' ? [event.code] : []));
}

async function openTransaction(h: SmtpHarness): Promise<void> {
  expect(await h.send('EHLO client.example')).toMatch(/^250 /m);
  expect(await h.send('MAIL FROM:<sender@client.example>')).toBe('250 2.1.0 sender <sender@client.example> OK\r\n');
  expect(await h.send('RCPT TO:<alice@maillab.test>')).toBe('250 2.1.5 recipient <alice@maillab.test> OK\r\n');
}

describe('before EHLO or HELO (state INIT)', () => {
  it.each(['MAIL FROM:<sender@client.example>', 'RCPT TO:<alice@maillab.test>', 'DATA', 'STARTTLS', 'AUTH PLAIN'])('%s gets 503 5.5.1 "Send EHLO or HELO first"', async (line) => {
    const h = makeSmtpHarness({ listener: 'submission' });
    const verb = line.split(' ')[0]!;
    const out = await h.output(line);
    expect(out.bytes.toString()).toBe(`503 5.5.1 Send EHLO or HELO first (${verb} needs a greeting, RFC 5321 section 4.1.4)\r\n`);
    expect(out.close).toBe(false);
    expect(errorCodes(out.events)).toEqual(['WRONG_STATE']);
    expect(h.session.state).toBe('INIT');
    expect(h.session.transaction).toBeUndefined();
  });

  it('checks the sequence before authentication: MAIL on the submission port is 503, not 530', async () => {
    const h = makeSmtpHarness({ listener: 'submission' });
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toMatch(/^503 5\.5\.1 Send EHLO or HELO first/);
  });

  it('BDAT still has its chunk read (so the octets are not taken as commands), then gets 503', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('BDAT 9')).toBe('');
    expect(h.session.inputMode).toEqual({ kind: 'chunk', size: 9, sizeLimit: 10 * 1024 * 1024 });
    expect(await h.chunk('QUIT\r\nxyz')).toBe('503 5.5.1 Send EHLO first; the chunk was discarded\r\n');
    expect(h.session.inputMode.kind).toBe('command');
    expect(h.session.state).toBe('INIT');
    expect(h.delivered).toHaveLength(0);
  });

  it('allows NOOP, RSET, VRFY, EXPN and HELP, without leaving INIT', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('NOOP')).toBe('250 2.0.0 OK\r\n');
    const rset = await h.output('RSET');
    expect(rset.bytes.toString()).toBe('250 2.0.0 OK, transaction reset\r\n');
    expect(transitions(rset.events)).toEqual([]);
    expect(await h.send('VRFY alice')).toMatch(/^252 2\.0\.0 /);
    expect(await h.send('EXPN staff')).toMatch(/^502 5\.5\.1 /);
    expect(await h.send('HELP')).toMatch(/^214-2\.0\.0 /);
    expect(h.session.state).toBe('INIT');
    // Still nothing may start before the greeting.
    expect(await h.send('MAIL FROM:<a@b.example>')).toMatch(/^503 5\.5\.1 Send EHLO or HELO first/);
  });

  it('QUIT works before the greeting', async () => {
    const h = makeSmtpHarness();
    const quit = await h.output('QUIT');
    expect(quit.bytes.toString()).toBe('221 2.0.0 maillab.test Service closing transmission channel\r\n');
    expect(quit.close).toBe(true);
    expect(h.session.state).toBe('CLOSED');
  });
});

describe('mail transaction order (RFC 5321 §3.3, §4.1.4)', () => {
  it('RCPT before MAIL is 503', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('RCPT TO:<alice@maillab.test>')).toBe('503 5.5.1 Need MAIL before RCPT\r\n');
    expect(h.session.state).toBe('READY');
  });

  it('DATA without MAIL is 503 "Need MAIL and RCPT"', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('DATA')).toBe('503 5.5.1 Need MAIL and RCPT before DATA\r\n');
    expect(h.session.inputMode.kind).toBe('command');
  });

  it('DATA after MAIL but before any RCPT is 503 "Need RCPT", and the transaction stays open', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<sender@client.example>');
    expect(await h.send('DATA')).toBe('503 5.5.1 Need RCPT before DATA\r\n');
    expect(h.session.state).toBe('MAIL');
    expect(h.session.inputMode.kind).toBe('command');
    expect(await h.send('RCPT TO:<bob@maillab.test>')).toMatch(/^250 2\.1\.5 /);
    expect(await h.send('DATA')).toMatch(/^354 /);
  });

  it('DATA after every RCPT was refused is 554 5.5.1 "No valid recipients", not 503', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<sender@client.example>');
    expect(await h.send('RCPT TO:<nobody@maillab.test>')).toMatch(/^550 5\.1\.1 /);
    expect(await h.send('RCPT TO:<someone@elsewhere.example>')).toMatch(/^550 5\.7\.1 /);
    const data = await h.output('DATA');
    expect(data.bytes.toString()).toBe('554 5.5.1 No valid recipients\r\n');
    expect(h.session.state).toBe('MAIL');
    expect(h.session.inputMode.kind).toBe('command');
    expect(h.delivered).toHaveLength(0);
  });

  it('the 554 text is a persona text (RFC 2920 §4 example: "no valid recipients given")', async () => {
    const texts = { ...DEFAULT_SMTP_PERSONA.texts, noValidRecipients: 'no valid recipients given' };
    const h = makeSmtpHarness({ persona: { ...DEFAULT_SMTP_PERSONA, texts, enhancedStatusCodes: false } });
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<sender@client.example>');
    expect(await h.send('RCPT TO:<nobody@maillab.test>')).toMatch(/^550 /);
    expect(await h.send('DATA')).toBe('554 no valid recipients given\r\n');
  });

  it('a nested MAIL is 503 and the first sender is kept', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    expect(await h.send('MAIL FROM:<other@client.example>')).toBe('503 5.5.1 Nested MAIL command: a transaction is already open; finish it or RSET\r\n');
    expect(h.session.state).toBe('RCPT');
    expect(await h.send('DATA')).toMatch(/^354 /);
    expect(await h.data('Subject: hi\r\n\r\nhello\r\n')).toMatch(/^250 /);
    expect(h.delivered[0]!.envelope.from).toEqual({ localPart: 'sender', domain: 'client.example' });
  });

  it('EHLO in the middle of a transaction resets it (RFC 5321 §4.1.4)', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    const ehlo = await h.output('EHLO again.example');
    expect(ehlo.bytes.toString()).toMatch(/^250-maillab\.test greets again\.example\r\n/);
    expect(transitions(ehlo.events)).toMatchObject([{ from: 'RCPT', to: 'READY', rfc: 'RFC 5321 §4.1.1.1' }]);
    expect(h.session.transaction).toBeUndefined();
    expect(h.session.clientName).toBe('again.example');
    expect(await h.send('RCPT TO:<bob@maillab.test>')).toBe('503 5.5.1 Need MAIL before RCPT\r\n');
    expect(await h.send('DATA')).toBe('503 5.5.1 Need MAIL and RCPT before DATA\r\n');
    expect(h.delivered).toHaveLength(0);
  });

  it('HELO in the middle of a transaction resets it too', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    expect(await h.send('HELO again.example')).toBe('250 maillab.test greets again.example\r\n');
    expect(h.session.state).toBe('READY');
    expect(await h.send('DATA')).toBe('503 5.5.1 Need MAIL and RCPT before DATA\r\n');
  });

  it('RSET abandons the transaction but keeps the EHLO greeting', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    const rset = await h.output('RSET');
    expect(rset.bytes.toString()).toBe('250 2.0.0 OK, transaction reset\r\n');
    expect(transitions(rset.events)).toMatchObject([{ from: 'RCPT', to: 'READY', rfc: 'RFC 5321 §4.1.1.5' }]);
    expect(h.session.transaction).toBeUndefined();
    expect(h.session.extended).toBe(true);
    expect(h.session.clientName).toBe('client.example');
    // No new EHLO needed, and ESMTP parameters are still accepted.
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=100 BODY=8BITMIME')).toMatch(/^250 2\.1\.0 /);
    expect(await h.send('RCPT TO:<bob@maillab.test>')).toMatch(/^250 2\.1\.5 /);
    await h.send('DATA');
    expect(await h.data('hello\r\n')).toMatch(/^250 /);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]!.envelope.recipients.map((recipient) => recipient.mailbox.localPart)).toEqual(['bob']);
    expect(h.delivered[0]!.message.toString()).toMatch(/^Received: from client\.example .*\r\n\tby maillab\.test with ESMTP id /);
  });

  it('RSET with an argument is 501 and resets nothing', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    expect(await h.send('RSET now')).toBe('501 5.5.4 RSET takes no parameters\r\n');
    expect(h.session.state).toBe('RCPT');
    expect(h.session.transaction?.recipients).toHaveLength(1);
  });

  it('HELO gives a one-line reply without extensions, and MAIL parameters after it are 555', async () => {
    const h = makeSmtpHarness();
    const helo = await h.output('HELO client.example');
    expect(helo.bytes.toString()).toBe('250 maillab.test greets client.example\r\n');
    expect(transitions(helo.events)).toMatchObject([{ from: 'INIT', to: 'READY', rfc: 'RFC 5321 §4.1.1.1' }]);
    expect(h.session.extended).toBe(false);
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=100')).toBe('555 5.5.4 MAIL parameters need EHLO, not HELO (RFC 5321 section 4.1.1.2)\r\n');
    expect(await h.send('MAIL FROM:<sender@client.example> BODY=8BITMIME')).toMatch(/^555 5\.5\.4 /);
    expect(h.session.state).toBe('READY');
    expect(await h.send('MAIL FROM:<sender@client.example>')).toMatch(/^250 2\.1\.0 /);
    await h.send('RCPT TO:<alice@maillab.test>');
    await h.send('DATA');
    expect(await h.data('hi\r\n')).toMatch(/^250 /);
    expect(h.delivered[0]!.message.toString()).toMatch(/\r\n\tby maillab\.test with SMTP id /);
  });

  it('EHLO and HELO need exactly one domain argument', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('EHLO')).toBe('501 5.5.4 Syntax: EHLO your-domain-or-[address]\r\n');
    expect(await h.send('HELO two words')).toBe('501 5.5.4 Syntax: HELO your-domain-or-[address]\r\n');
    expect(h.session.state).toBe('INIT');
    expect(await h.send('EHLO [192.0.2.1]')).toMatch(/^250-maillab\.test greets \[192\.0\.2\.1\]\r\n/);
  });
});

describe('command lines', () => {
  it('an unknown command is 500 5.5.1 naming it', async () => {
    const h = makeSmtpHarness();
    const out = await h.output('FROB the widget');
    expect(out.bytes.toString()).toBe('500 5.5.2 Command "FROB" unrecognized\r\n');
    expect(errorCodes(out.events)).toEqual(['UNKNOWN_COMMAND']);
    expect(h.session.state).toBe('INIT');
  });

  it('an unknown verb is echoed back shortened and as printable US-ASCII only', async () => {
    const h = makeSmtpHarness();
    const reply = await h.send(`X${'Y'.repeat(45)}[2J`);
    expect(reply).toBe(`500 5.5.2 Command "X${'Y'.repeat(39)}..." unrecognized\r\n`);
    // A control character never gets as far as the verb lookup (issue 14 item 10): refused by position, not echoed.
    const short = await h.send('AB\x1bC');
    expect(short).toBe('500 5.5.2 control character 0x1b at position 3: commands are printable US-ASCII separated by spaces (RFC 5321 section 4.1.1)\r\n');
    expect(Buffer.from(reply + short).every((byte) => byte === 0x0d || byte === 0x0a || (byte >= 0x20 && byte < 0x7f))).toBe(true);
  });

  it('control characters in a command are refused as POP3 refuses them, so none reaches a reply (RFC 5321 §4.2 textstring)', async () => {
    const h = makeSmtpHarness({ listener: 'submission' });
    await h.send('EHLO client.example');
    expect(await h.send('HELP \x1b[2J')).toMatch(/^500 5\.5\.2 control character 0x1b at position 6: /);
    expect(await h.send('AUTH X\x07Y')).toMatch(/^500 5\.5\.2 control character 0x07 at position 7: /);
    const mta = makeSmtpHarness();
    await mta.send('EHLO client.example');
    expect(await mta.send('MAIL FROM:<a@b.example> X=\x1b]0;owned\x07')).toMatch(/^500 5\.5\.2 control character 0x1b at position 27: /);
    const replies = [await h.send('HELP a\x00b'), await h.send('HELP \x7f')];
    expect(replies[0]).toBe('500 5.5.2 NUL byte at position 7 of the command line\r\n');
    expect(replies[1]).toMatch(/^500 5\.5\.2 control character 0x7f at position 6: /);
  });

  it('an empty line is 500 5.5.2', async () => {
    const h = makeSmtpHarness();
    const out = await h.output('');
    expect(out.bytes.toString()).toBe('500 5.5.2 Empty command line\r\n');
    expect(out.close).toBe(false);
  });

  it('verbs and the FROM:/TO: keywords are case-insensitive', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('ehlo client.example')).toMatch(/^250-maillab\.test greets client\.example\r\n/);
    expect(await h.send('mail from:<sender@client.example> size=10 body=8bitmime')).toBe('250 2.1.0 sender <sender@client.example> OK\r\n');
    expect(h.session.transaction).toMatchObject({ body: '8BITMIME', declaredSize: 10 });
    expect(await h.send('RcPt To:<alice@maillab.test>')).toBe('250 2.1.5 recipient <alice@maillab.test> OK\r\n');
    expect(await h.send('data')).toMatch(/^354 /);
    expect(await h.data('hello\r\n')).toMatch(/^250 2\.0\.0 OK, message Q1 accepted\r\n$/);
    expect(await h.send('noop')).toBe('250 2.0.0 OK\r\n');
    const quit = await h.output('quit');
    expect(quit.bytes.toString()).toMatch(/^221 /);
    expect(quit.close).toBe(true);
    expect(h.delivered).toHaveLength(1);
  });

  it('a command event names the verb and its RFC section', async () => {
    const h = makeSmtpHarness();
    const out = await h.output('noop');
    expect(out.events).toContainEqual({ kind: 'annotation', about: 'command', key: 'smtp.command.NOOP', rfc: 'RFC 5321 §4.1.1.9' });
    expect(out.events[0]).toEqual({ kind: 'line', from: 'client', text: 'noop' });
  });
});

describe('too many bad commands (RFC 5321 §4.2.2: 421 and close)', () => {
  it('the tenth bad command is answered 421 4.7.0 and the session closes', async () => {
    const h = makeSmtpHarness();
    for (let i = 1; i <= 9; i++) {
      const out = await h.output(`BOGUS${i}`);
      expect(out.bytes.toString()).toBe(`500 5.5.2 Command "BOGUS${i}" unrecognized\r\n`);
      expect(out.close).toBe(false);
    }
    const last = await h.output('BOGUS10');
    expect(last.bytes.toString()).toBe('421 4.7.0 maillab.test Too many errors (10), closing connection\r\n');
    expect(last.close).toBe(true);
    expect(errorCodes(last.events)).toEqual(['UNKNOWN_COMMAND', 'TOO_MANY_ERRORS']);
    expect(transitions(last.events)).toMatchObject([{ from: 'INIT', to: 'CLOSED', rfc: SMTP_TRANSITIONS['too-many-errors'].rfc }]);
    expect(h.session.state).toBe('CLOSED');
    await expect(h.send('NOOP')).rejects.toThrow(EngineMisuse);
  });

  it('counts every kind of bad command, not reset by good ones, and discards an open transaction', async () => {
    const h = makeSmtpHarness({ maxBadCommands: 4 });
    await openTransaction(h);
    expect(await h.send('MAIL FROM:<x@client.example>')).toMatch(/^503 /); // 1: sequence
    expect(await h.send('NOOP')).toBe('250 2.0.0 OK\r\n');
    expect(await h.send('RCPT TO:alice')).toMatch(/^501 /); // 2: syntax
    expect(await h.send('RCPT TO:<ghost@maillab.test>')).toMatch(/^550 /); // not counted: refused recipients are normal
    expect(await h.send('VRFY')).toMatch(/^501 /); // 3: syntax
    const out = await h.output('WHAT'); // 4: unknown command
    expect(out.bytes.toString()).toBe('421 4.7.0 maillab.test Too many errors (4), closing connection\r\n');
    expect(out.close).toBe(true);
    expect(transitions(out.events)).toMatchObject([{ from: 'RCPT', to: 'CLOSED' }]);
    expect(h.session.transaction).toBeUndefined();
    expect(h.delivered).toHaveLength(0);
  });

  it('refused recipients are answered 550 but never counted (a typo in an address is normal in SMTP)', async () => {
    const h = makeSmtpHarness({ maxBadCommands: 2 });
    await openTransaction(h);
    for (let i = 0; i < 10; i++) expect(await h.send(`RCPT TO:<ghost${i}@maillab.test>`)).toMatch(/^550 5\.1\.1 /);
    for (let i = 0; i < 10; i++) expect(await h.send(`RCPT TO:<far${i}@elsewhere.example>`)).toMatch(/^550 5\.7\.1 /);
    expect(h.session.state).not.toBe('CLOSED');
    expect(await h.send('NOOP')).toBe('250 2.0.0 OK\r\n');
  });

  it('good commands alone never trigger it', async () => {
    const h = makeSmtpHarness({ maxBadCommands: 2 });
    await h.send('EHLO client.example');
    for (let i = 0; i < 25; i++) expect(await h.send('NOOP')).toBe('250 2.0.0 OK\r\n');
    expect(await h.send('BAD')).toMatch(/^500 /);
    expect(h.session.state).toBe('READY');
  });
});

/** A session that provokes as many different replies as it can; returns each output with what caused it. */
async function everyKindOfReply(enhancedStatusCodes: boolean): Promise<{ label: string; output: SmtpOutput }[]> {
  const persona = { ...DEFAULT_SMTP_PERSONA, enhancedStatusCodes, lists: { staff: ['alice@maillab.test', 'bob@maillab.test'] } };
  const results: { label: string; output: SmtpOutput }[] = [];
  const h = makeSmtpHarness({ persona, listener: 'submission', maxRecipients: 2, maxMessageSize: 1000, maxBadCommands: 1000 });
  results.push({ label: 'greeting', output: h.greeting });
  const run = async (line: string) => results.push({ label: line, output: await h.output(line) });
  const data = async (label: string, message: string, problems: Parameters<SmtpHarness['data']>[1] = []) =>
    results.push({ label, output: await h.session.receiveData({ message: Buffer.from(message), octets: message.length, problems }) });
  const chunk = async (label: string, bytes: string) => results.push({ label, output: await h.session.receiveChunk({ bytes: Buffer.from(bytes), octets: bytes.length }) });

  for (const line of ['NOOP', 'RSET', 'MAIL FROM:<a@b.example>', 'FOO', '', 'HELP', 'HELP MAIL', 'HELP NOPE', 'VRFY alice', 'VRFY', 'EXPN staff', 'EXPN nolist']) await run(line);
  await run('HELO client.example');
  await run('AUTH PLAIN');
  await run('EHLO client.example');
  for (const line of ['EHLO', 'MAIL FROM:<a@b.example>', 'AUTH BOGUS', 'AUTH', 'AUTH PLAIN', '*', 'AUTH PLAIN !!!!', `AUTH PLAIN ${PLAIN_WRONG}`, `AUTH PLAIN ${PLAIN_ALICE}`, 'AUTH PLAIN', 'STARTTLS now']) await run(line);
  for (const line of ['MAIL FROM:<a@b.example> SIZE=5000', 'MAIL FROM:<a@b.example> FOO=1', 'MAIL FROM:a@b.example', 'MAIL TO:<a@b.example>', 'MAIL FROM:<jö@b.example>']) await run(line);
  for (const line of ['MAIL FROM:<alice@maillab.test>', 'MAIL FROM:<alice@maillab.test>', 'RCPT TO:<nobody@maillab.test>', 'RCPT TO:<alice@maillab.test> X=1', 'RCPT TO:alice', 'RCPT FROM:<alice@maillab.test>', 'RCPT TO:<jö@maillab.test>']) await run(line);
  for (const line of ['RCPT TO:<bob@maillab.test>', 'RCPT TO:<carol@elsewhere.example>', 'RCPT TO:<alice@maillab.test>', 'DATA now', 'DATA']) await run(line);
  await data('message', 'Subject: hi\r\n\r\nhello\r\n');
  for (const problem of ['bare-lf', 'line-too-long', 'nul', 'too-big'] as const) {
    for (const line of ['MAIL FROM:<alice@maillab.test>', 'RCPT TO:<bob@maillab.test>', 'DATA']) await run(line);
    await data(`message with ${problem}`, 'x\r\n', [problem]);
  }
  for (const line of ['MAIL FROM:<alice@maillab.test>', 'RCPT TO:<bob@maillab.test>', 'BDAT 5']) await run(line);
  await chunk('chunk', 'hello');
  for (const line of ['DATA', 'BDAT x', 'RSET', 'BDAT 3']) await run(line);
  await chunk('refused chunk', 'abc');
  h.session.backend.deliver = async () => {
    throw new Error('disk full');
  };
  for (const line of ['MAIL FROM:<alice@maillab.test>', 'RCPT TO:<bob@maillab.test>', 'DATA']) await run(line);
  await data('message the backend cannot store', 'hello\r\n');
  await run('STARTTLS');
  results.push({ label: 'TLS established', output: h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }) });
  await run('STARTTLS');
  await run('EHLO client.example');
  await run('STARTTLS');
  await run('QUIT');

  const mta = makeSmtpHarness({ persona: { ...persona, lists: {} }, tlsAvailable: false, plaintextAuthAllowed: false, maxBadCommands: 3 });
  const more = async (line: string) => results.push({ label: `mta: ${line}`, output: await mta.output(line) });
  for (const line of ['EHLO client.example', 'STARTTLS', 'EXPN staff', 'AUTH PLAIN', 'RCPT TO:<a@maillab.test>', 'DATA']) await more(line);
  results.push({ label: 'timeout', output: makeSmtpHarness({ persona }).session.timeout() });
  const early = makeSmtpHarness({ persona });
  results.push({ label: 'early talker', output: early.session.earlyTalker() });
  const plain = makeSmtpHarness({ persona: { ...persona, authBeforeTls: 'encryption-required' }, listener: 'submission', plaintextAuthAllowed: false });
  await plain.send('EHLO client.example');
  results.push({ label: 'AUTH LOGIN without TLS', output: await plain.output('AUTH LOGIN') });
  return results;
}

/** Replies that carry no enhanced code by design: the greeting, EHLO/HELO and 3xx continuations. */
function exempt(label: string, code: number): boolean {
  return label === 'greeting' || /(^|: )(EHLO|HELO) \S/.test(label) || code === 354 || code === 334;
}

describe('enhanced status codes (RFC 2034, RFC 3463)', () => {
  it('every reply but the greeting, EHLO/HELO, 354 and 334 carries one, on each of its lines', async () => {
    const results = await everyKindOfReply(true);
    const codes = new Set<number>();
    let checked = 0;
    for (const { label, output } of results) {
      for (const value of output.replies) {
        codes.add(value.code);
        if (exempt(label, value.code)) continue;
        checked++;
        expect(value.enhanced, `${label} → ${value.code}`).toMatch(new RegExp(`^${String(value.code)[0]}\\.\\d{1,3}\\.\\d{1,3}$`));
      }
      const lines = output.bytes.toString().split('\r\n').slice(0, -1);
      for (const line of lines) {
        const code = Number(line.slice(0, 3));
        if (exempt(label, code)) continue;
        expect(line, label).toMatch(/^\d{3}[ -][245]\.\d{1,3}\.\d{1,3} \S/);
      }
    }
    // The script really produced the variety it is meant to check.
    for (const code of [214, 221, 235, 250, 252, 421, 451, 452, 454, 500, 501, 502, 503, 504, 530, 535, 538, 550, 552, 553, 554, 555]) expect(codes, String(code)).toContain(code);
    expect(codes).toContain(220);
    expect(checked).toBeGreaterThan(70);
  });

  it('the exempt replies carry none', async () => {
    const results = await everyKindOfReply(true);
    const greeting = results.find((result) => result.label === 'greeting')!;
    expect(greeting.output.bytes.toString()).toBe('220 maillab.test ESMTP maillab ready\r\n');
    const ehlo = results.find((result) => result.label === 'EHLO client.example')!;
    expect(ehlo.output.bytes.toString()).toMatch(/^250-maillab\.test greets client\.example\r\n250-PIPELINING\r\n/);
    const data = results.find((result) => result.label === 'DATA' && result.output.replies[0]?.code === 354)!;
    expect(data.output.bytes.toString()).toBe('354 Start mail input; end with <CRLF>.<CRLF>\r\n');
  });

  it('no reply line carries one when the persona turns them off, and EHLO does not advertise them', async () => {
    const results = await everyKindOfReply(false);
    let lines = 0;
    for (const { label, output } of results) {
      for (const line of output.bytes.toString().split('\r\n').slice(0, -1)) {
        lines++;
        expect(line, label).toMatch(/^\d{3}([ -]|$)/);
        expect(line, label).not.toMatch(/^\d{3}[ -]\d\.\d{1,3}\.\d{1,3}\b/);
      }
    }
    expect(lines).toBeGreaterThan(80);
    const ehlo = results.find((result) => result.label === 'EHLO client.example')!;
    expect(ehlo.output.bytes.toString()).not.toContain('ENHANCEDSTATUSCODES');
    const quit = results.find((result) => result.label === 'QUIT')!;
    expect(quit.output.bytes.toString()).toBe('221 maillab.test Service closing transmission channel\r\n');
  });

  it('the server line events match the bytes sent', async () => {
    const h = makeSmtpHarness();
    const out = await h.output('HELP');
    const lines = out.events.flatMap((event) => (event.kind === 'line' && event.from === 'server' ? [event.text] : []));
    expect(lines.map((line) => `${line}\r\n`).join('')).toBe(out.bytes.toString());
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^214[ -]2\.0\.0 /);
  });
});

describe('transition events', () => {
  it('carry from, to, a cause and the RFC section, and only fire on real state changes', async () => {
    const h = makeSmtpHarness();
    const all: TransitionEvent[] = [];
    const record = (output: SmtpOutput) => all.push(...transitions(output.events));
    record(await h.output('EHLO client.example'));
    record(await h.output('MAIL FROM:<sender@client.example>'));
    record(await h.output('RCPT TO:<alice@maillab.test>'));
    record(await h.output('RCPT TO:<bob@maillab.test>'));
    record(await h.output('DATA'));
    record(await h.session.receiveData({ message: Buffer.from('hi\r\n'), octets: 4, problems: [] }));
    record(await h.output('MAIL FROM:<sender@client.example>'));
    record(await h.output('RSET'));
    record(await h.output('NOOP'));
    record(await h.output('QUIT'));
    expect(all.map((event) => [event.from, event.to, event.rfc])).toEqual([
      ['INIT', 'READY', 'RFC 5321 §4.1.1.1'],
      ['READY', 'MAIL', 'RFC 5321 §4.1.1.2'],
      ['MAIL', 'RCPT', 'RFC 5321 §4.1.1.3'],
      ['RCPT', 'DATA', 'RFC 5321 §4.1.1.4'],
      ['DATA', 'READY', 'RFC 5321 §4.1.1.4'],
      ['READY', 'MAIL', 'RFC 5321 §4.1.1.2'],
      ['MAIL', 'READY', 'RFC 5321 §4.1.1.5'],
      ['READY', 'CLOSED', 'RFC 5321 §4.1.1.10'],
    ]);
    for (const event of all) {
      expect(event.protocol).toBe('smtp');
      expect(event.cause.length).toBeGreaterThan(10);
    }
    expect(all[0]!.cause).toBe(transitionCause('smtp', 'ehlo'));
    expect(all[4]!.cause).toBe(transitionCause('smtp', 'data-end'));
  });

  it('every transition in the table names an RFC section', () => {
    for (const [cause, entry] of Object.entries(SMTP_TRANSITIONS)) expect(entry.rfc, cause).toMatch(/^RFC \d{3,4} §\d+(\.\d+)*$/);
  });

  it('BDAT and STARTTLS transitions cite RFC 3030 and RFC 3207', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    await h.send('BDAT 2 LAST');
    const chunk = await h.session.receiveChunk({ bytes: Buffer.from('\r\n'), octets: 2 });
    expect(transitions(chunk.events).map((event) => [event.from, event.to, event.rfc])).toEqual([
      ['RCPT', 'BDAT', 'RFC 3030 §2'],
      ['BDAT', 'READY', 'RFC 3030 §2'],
    ]);
    await h.send('STARTTLS');
    const tls = h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    expect(transitions(tls.events).map((event) => [event.from, event.to, event.rfc])).toEqual([['READY', 'INIT', 'RFC 3207 §4.2']]);
  });

  it('a dropped connection discards a message in progress', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    await h.send('DATA');
    const end = await h.session.end('peer reset');
    expect(transitions(end.events)).toMatchObject([{ from: 'DATA', to: 'CLOSED', cause: 'peer reset', rfc: 'RFC 5321 §3.8' }]);
    expect(h.session.transaction).toBeUndefined();
    expect(h.delivered).toHaveLength(0);
    expect(transitions((await h.session.end('again')).events)).toEqual([]);
  });
});

describe('QUIT (RFC 5321 §4.1.1.10)', () => {
  it('answers 221, asks for the connection to close and ends in CLOSED', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    const quit = await h.output('QUIT');
    expect(quit.bytes.toString()).toBe('221 2.0.0 maillab.test Service closing transmission channel\r\n');
    expect(quit.close).toBe(true);
    expect(transitions(quit.events)).toMatchObject([{ from: 'READY', to: 'CLOSED', rfc: 'RFC 5321 §4.1.1.10' }]);
    expect(h.session.state).toBe('CLOSED');
    await expect(h.send('EHLO client.example')).rejects.toThrow(EngineMisuse);
  });

  it('abandons an open transaction without delivering it', async () => {
    const h = makeSmtpHarness();
    await openTransaction(h);
    expect((await h.output('QUIT')).close).toBe(true);
    expect(h.session.transaction).toBeUndefined();
    expect(h.delivered).toHaveLength(0);
  });

  it('QUIT with an argument is 501 and does not close', async () => {
    const h = makeSmtpHarness();
    const out = await h.output('QUIT now');
    expect(out.bytes.toString()).toBe('501 5.5.4 QUIT takes no parameters\r\n');
    expect(out.close).toBe(false);
    expect(h.session.state).toBe('INIT');
  });
});

describe('EHLO-only features and argument checks', () => {
  it('refuses an EHLO name that is neither a domain nor an address literal (it would go into the Received line)', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('EHLO a;b(c)')).toBe('501 5.5.2 Invalid EHLO argument: expected a domain name or an address literal like [192.0.2.1]\r\n');
    expect(await h.send('EHLO [192.0.2.1]')).toMatch(/^250-maillab\.test greets \[192\.0\.2\.1\]\r\n/);
    expect(await h.send('HELO [IPv6:2001:db8::1]')).toBe('250 maillab.test greets [IPv6:2001:db8::1]\r\n');
  });

  it('refuses STARTTLS and BDAT after HELO, still consuming the BDAT chunk', async () => {
    const h = makeSmtpHarness();
    await h.send('HELO client.example');
    expect(await h.send('STARTTLS')).toMatch(/^503 5\.5\.1 STARTTLS is an ESMTP extension/);
    await h.send('MAIL FROM:<a@example.org>');
    await h.send('RCPT TO:<bob@maillab.test>');
    expect(await h.send('BDAT 5 LAST')).toBe('');
    expect(h.session.inputMode).toEqual({ kind: 'chunk', size: 5, sizeLimit: 10 * 1024 * 1024 });
    expect(await h.chunk('x\r\ny\r')).toMatch(/^503 5\.5\.1 BDAT is the CHUNKING extension/);
    expect(h.delivered).toHaveLength(0);
  });

  it('treats a command line during DATA as a bug of the caller, not of the peer', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO x');
    await h.send('MAIL FROM:<a@example.org>');
    await h.send('RCPT TO:<bob@maillab.test>');
    await h.send('DATA');
    await expect(h.send('QUIT')).rejects.toThrow(/receiveLine\(\) while the engine expects data/);
  });
});
