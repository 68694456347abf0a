/**
 * One mail transaction (RFC 5321 §3.3): MAIL and its parameters (RFC 1870
 * SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8), RCPT policy, DATA and its
 * refusals, the Received line (RFC 5321 §4.4), BDAT (RFC 3030) and a backend
 * that fails to store.
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import type { DataProblem } from '../../core/smtp/session.js';
import { makeSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';
import { DEFAULT_SMTP_PERSONA, DEFAULT_SMTP_TEXTS } from '../../core/smtp/persona.js';

const PLAIN_ALICE = Buffer.from('\0alice\0wonderland').toString('base64');

function errorCodes(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'error' ? [event.code] : []));
}

function annotationKeys(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'annotation' ? [event.key] : []));
}

async function ehlo(options: Parameters<typeof makeSmtpHarness>[0] = {}, users?: Record<string, string>): Promise<SmtpHarness> {
  const h = makeSmtpHarness(options, users);
  expect(await h.send('EHLO client.example')).toMatch(/^250-/);
  return h;
}

async function readyForData(h: SmtpHarness, mail = 'MAIL FROM:<sender@client.example>', recipients = ['<alice@maillab.test>']): Promise<void> {
  expect(await h.send(mail)).toMatch(/^250 2\.1\.0 /);
  for (const recipient of recipients) expect(await h.send(`RCPT TO:${recipient}`)).toMatch(/^250 2\.1\.5 /);
}

describe('MAIL FROM syntax (RFC 5321 §4.1.1.2, §4.1.2)', () => {
  it('accepts the plain form and states the sender', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<sender@client.example>')).toBe('250 2.1.0 sender <sender@client.example> OK\r\n');
    expect(h.session.state).toBe('MAIL');
    expect(h.session.transaction).toMatchObject({ from: { localPart: 'sender', domain: 'client.example' }, body: '7BIT', smtputf8: false, recipients: [] });
  });

  it('tolerates a space after the colon', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM: <sender@client.example>')).toBe('250 2.1.0 sender <sender@client.example> OK\r\n');
  });

  it('refuses an address without angle brackets with 501 and opens no transaction', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:sender@client.example')).toBe('501 5.1.7 Bad sender address syntax: the address must be in angle brackets, like <user@example.com>\r\n');
    expect(await h.send('MAIL FROM:<sender@client.example')).toBe('501 5.1.7 Bad sender address syntax: missing ">" after the address\r\n');
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
  });

  it('refuses a missing FROM: keyword with 501 5.5.4', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL <sender@client.example>')).toBe('501 5.5.4 Syntax: MAIL FROM:<address> [parameters]\r\n');
    expect(await h.send('MAIL')).toBe('501 5.5.4 Syntax: MAIL FROM:<address> [parameters]\r\n');
  });

  it('accepts the null reverse-path <> used by bounces (RFC 5321 §4.5.5)', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<>')).toBe('250 2.1.0 sender <> OK\r\n');
    expect(h.session.transaction?.from).toBeNull();
    await h.send('RCPT TO:<alice@maillab.test>');
    await h.send('DATA');
    expect(await h.data('Subject: bounce\r\n\r\nundeliverable\r\n')).toMatch(/^250 /);
    expect(h.delivered[0]!.envelope.from).toBeNull();
  });

  it('refuses "postmaster" without a domain as a sender (only RCPT allows it)', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<postmaster>')).toMatch(/^501 5\.1\.7 Bad sender address syntax: "postmaster" has no domain/);
  });
});

describe('MAIL parameters', () => {
  it('SIZE within the limit is accepted and recorded (RFC 1870 §6)', async () => {
    const h = await ehlo({ maxMessageSize: 1000 });
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=1000')).toMatch(/^250 2\.1\.0 /);
    expect(h.session.transaction?.declaredSize).toBe(1000);
  });

  it('SIZE over the limit is 552 5.3.4 and opens no transaction', async () => {
    const h = await ehlo({ maxMessageSize: 1000 });
    const out = await h.output('MAIL FROM:<sender@client.example> SIZE=1001');
    expect(out.bytes.toString()).toBe('552 5.3.4 Message size 1001 exceeds fixed maximum message size 1000 (RFC 1870 section 6)\r\n');
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
  });

  it('SIZE beyond 2^53 is compared exactly and echoed as the digits sent, not as 1e20 (RFC 1870 §3: 1*20DIGIT)', async () => {
    const h = await ehlo({ maxMessageSize: 1000 });
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=99999999999999999999')).toBe('552 5.3.4 Message size 99999999999999999999 exceeds fixed maximum message size 1000 (RFC 1870 section 6)\r\n');
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=9007199254740993')).toBe('552 5.3.4 Message size 9007199254740993 exceeds fixed maximum message size 1000 (RFC 1870 section 6)\r\n');
    // Leading zeros do not make a small size large.
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=00000000000000000999')).toMatch(/^250 2\.1\.0 /);
    expect(h.session.transaction?.declaredSize).toBe(999);
  });

  it('SIZE that is not a number is 555', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE=big')).toBe('555 5.5.4 MAIL FROM parameter SIZE=big not recognized or malformed\r\n');
    expect(await h.send('MAIL FROM:<sender@client.example> SIZE')).toBe('555 5.5.4 MAIL FROM parameter SIZE not recognized or malformed\r\n');
  });

  it.each([
    ['BODY=8BITMIME', '8BITMIME'],
    ['BODY=7BIT', '7BIT'],
    ['body=8bitmime', '8BITMIME'],
  ])('%s is accepted (RFC 6152)', async (param, body) => {
    const h = await ehlo();
    expect(await h.send(`MAIL FROM:<sender@client.example> ${param}`)).toMatch(/^250 2\.1\.0 /);
    expect(h.session.transaction?.body).toBe(body);
  });

  it('an unknown BODY value is 555 (BINARYMIME is not offered)', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<sender@client.example> BODY=BINARYMIME')).toBe('555 5.5.4 MAIL FROM parameter BODY=BINARYMIME not recognized or malformed\r\n');
    expect(await h.send('MAIL FROM:<sender@client.example> BODY=9BIT')).toMatch(/^555 5\.5\.4 /);
    expect(h.session.transaction).toBeUndefined();
  });

  it('an unknown parameter is 555 naming it', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<sender@client.example> FROBNICATE=yes')).toBe('555 5.5.4 MAIL FROM parameter FROBNICATE=yes not recognized or malformed\r\n');
    expect(h.session.state).toBe('READY');
    // DSN's parameters only where DSN is advertised (RFC 3461 §4).
    const noDsn = await ehlo({ persona: { ...DEFAULT_SMTP_PERSONA, extensions: ['PIPELINING', 'SIZE', 'ENHANCEDSTATUSCODES'] } });
    expect(await noDsn.send('MAIL FROM:<sender@client.example> RET=FULL')).toMatch(/^555 5\.5\.4 MAIL FROM parameter RET=FULL/);
  });

  it('AUTH= is accepted and ignored (RFC 4954 §5)', async () => {
    const h = await ehlo();
    expect(await h.send('MAIL FROM:<sender@client.example> AUTH=<>')).toMatch(/^250 2\.1\.0 /);
  });

  it('a UTF-8 sender needs the SMTPUTF8 parameter (RFC 6531 §3.3)', async () => {
    const h = await ehlo();
    // RFC 6531 §3.5: 550 for MAIL, 553 for RCPT.
    expect(await h.send('MAIL FROM:<jösé@client.example>')).toBe('550 5.6.7 Address requires SMTPUTF8: add the SMTPUTF8 parameter (RFC 6531 section 3.3, section 3.5)\r\n');
    expect(h.session.transaction).toBeUndefined();
    expect(await h.send('MAIL FROM:<jösé@client.example> SMTPUTF8')).toBe('250 2.1.0 sender <jösé@client.example> OK\r\n');
    expect(h.session.transaction).toMatchObject({ smtputf8: true, from: { localPart: 'jösé' } });
  });

  it('a UTF-8 recipient needs SMTPUTF8 on MAIL', async () => {
    const h = await ehlo({}, { alice: 'wonderland', 'jösé': 'secret' });
    await h.send('MAIL FROM:<sender@client.example>');
    expect(await h.send('RCPT TO:<jösé@maillab.test>')).toBe('553 5.6.7 Address requires SMTPUTF8: MAIL FROM must carry the SMTPUTF8 parameter (RFC 6531 section 3.3)\r\n');
    await h.send('RSET');
    await h.send('MAIL FROM:<sender@client.example> SMTPUTF8 BODY=8BITMIME');
    expect(await h.send('RCPT TO:<jösé@maillab.test>')).toBe('250 2.1.5 recipient <jösé@maillab.test> OK\r\n');
  });

  it('8-bit bytes outside MAIL/RCPT, or invalid UTF-8, are refused as a command line', async () => {
    const h = await ehlo();
    const bad = await h.session.receiveLine({ bytes: Buffer.from([...Buffer.from('MAIL FROM:<j'), 0xf6, ...Buffer.from('@client.example> SMTPUTF8')]), bareLf: false, bareCr: false });
    expect(bad.bytes.toString()).toBe('500 5.5.2 the command line is not valid UTF-8 (RFC 6531 section 3.3)\r\n');
    expect(await h.send('NOOP é')).toMatch(/^500 5\.5\.2 8-bit byte 0xc3 at position 6/);
    expect(h.session.transaction).toBeUndefined();
  });
});

describe('RCPT TO (RFC 5321 §4.1.1.3)', () => {
  it('an unknown local user is 550 5.1.1, and the transaction goes on', async () => {
    const h = await ehlo();
    await h.send('MAIL FROM:<sender@client.example>');
    const out = await h.output('RCPT TO:<nobody@maillab.test>');
    expect(out.bytes.toString()).toBe('550 5.1.1 no such user here: <nobody@maillab.test>\r\n');
    expect(errorCodes(out.events)).toEqual(['UNKNOWN_USER']);
    expect(h.session.transaction?.recipients).toEqual([]);
    expect(h.session.transaction?.rejectedRecipients).toBe(1);
    expect(await h.send('RCPT TO:<ALICE@MAILLAB.TEST>')).toBe('250 2.1.5 recipient <ALICE@MAILLAB.TEST> OK\r\n');
    expect(h.session.transaction?.recipients[0]!.route).toEqual({ kind: 'local', user: 'alice' });
  });

  it('"postmaster" without a domain is accepted (RFC 5321 §4.5.1) and written without a stray "@"', async () => {
    const h = await ehlo();
    await h.send('MAIL FROM:<sender@client.example>');
    expect(await h.send('RCPT TO:<Postmaster>')).toBe('250 2.1.5 recipient <Postmaster> OK\r\n');
    expect(h.session.transaction?.recipients[0]).toMatchObject({ mailbox: { localPart: 'Postmaster', domain: '' }, route: { kind: 'local', user: 'alice' } });
    await h.send('DATA');
    await h.data('hi\r\n');
    expect(h.delivered[0]!.message.toString()).toContain('\r\n\tfor <Postmaster>;\r\n');
  });

  it('relaying to a non-local domain without authentication is 550 5.7.1 (RFC 5321 §3.6.2), every time', async () => {
    const h = await ehlo({ maxBadCommands: 100 });
    await h.send('MAIL FROM:<sender@client.example>');
    for (const address of ['someone@elsewhere.example', 'someone@elsewhere.example', 'other@maillab.test.evil.example', 'x@[192.0.2.1]', '@maillab.test:victim@elsewhere.example']) {
      const out = await h.output(`RCPT TO:<${address}>`);
      expect(out.bytes.toString(), address).toMatch(/^550 5\.7\.1 Relay access denied: \S+ is not a local domain and you have not authenticated\r\n$/);
      expect(errorCodes(out.events)).toEqual(['RELAY_DENIED']);
    }
    expect(h.session.transaction?.recipients).toEqual([]);
    expect(h.session.transaction?.rejectedRecipients).toBe(5);
    expect(await h.send('DATA')).toBe('554 5.5.1 No valid recipients\r\n');
  });

  it('an authenticated session may relay: the recipient is routed to the queue', async () => {
    const h = await ehlo({ listener: 'submission' });
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toBe('235 2.7.0 Authentication successful\r\n');
    await h.send('MAIL FROM:<alice@maillab.test>');
    expect(await h.send('RCPT TO:<friend@elsewhere.example>')).toBe('250 2.1.5 recipient <friend@elsewhere.example> OK\r\n');
    expect(await h.send('RCPT TO:<bob@maillab.test>')).toMatch(/^250 /);
    await h.send('DATA');
    expect(await h.data('Subject: out\r\n\r\nbody\r\n')).toMatch(/^250 /);
    const envelope = h.delivered[0]!.envelope;
    expect(envelope.authenticatedAs).toBe('alice');
    expect(envelope.recipients.map((recipient) => recipient.route)).toEqual([{ kind: 'relay' }, { kind: 'local', user: 'bob' }]);
  });

  it('caps the recipients: with maxRecipients 3 the fourth gets 452 4.5.3 and the first three are kept', async () => {
    const h = await ehlo({ maxRecipients: 3 }, { a: '1', b: '2', c: '3', d: '4' });
    await h.send('MAIL FROM:<sender@client.example>');
    for (const user of ['a', 'b', 'c']) expect(await h.send(`RCPT TO:<${user}@maillab.test>`)).toMatch(/^250 2\.1\.5 /);
    const fourth = await h.output('RCPT TO:<d@maillab.test>');
    expect(fourth.bytes.toString()).toBe('452 4.5.3 Too many recipients: at most 3 per message; send the rest in another transaction (RFC 5321 section 4.5.3.1.10)\r\n');
    expect(fourth.close).toBe(false);
    expect(await h.send('RCPT TO:<d@maillab.test>')).toMatch(/^452 4\.5\.3 /);
    await h.send('DATA');
    expect(await h.data('hi\r\n')).toMatch(/^250 /);
    expect(h.delivered[0]!.envelope.recipients.map((recipient) => recipient.mailbox.localPart)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a missing TO:, a null path and unknown parameters', async () => {
    const h = await ehlo();
    await h.send('MAIL FROM:<sender@client.example>');
    expect(await h.send('RCPT <alice@maillab.test>')).toBe('501 5.5.4 Syntax: RCPT TO:<address> [parameters]\r\n');
    expect(await h.send('RCPT TO:<>')).toBe('501 5.1.3 Bad recipient address syntax: the null path <> is only allowed in MAIL FROM\r\n');
    expect(await h.send('RCPT TO:<alice@maillab.test> FROB=1')).toBe('555 5.5.4 RCPT TO parameter FROB not recognized or malformed\r\n');
    expect(h.session.transaction?.recipients).toEqual([]);
    const noDsn = await ehlo({ persona: { ...DEFAULT_SMTP_PERSONA, extensions: ['PIPELINING', 'SIZE', 'ENHANCEDSTATUSCODES'] } });
    await noDsn.send('MAIL FROM:<sender@client.example>');
    expect(await noDsn.send('RCPT TO:<alice@maillab.test> NOTIFY=NEVER')).toBe('555 5.5.4 RCPT TO parameter NOTIFY not recognized or malformed\r\n');
  });
});

describe('DATA (RFC 5321 §4.1.1.4)', () => {
  it('answers 354 and switches the framer to DATA mode', async () => {
    const h = await ehlo({ maxMessageSize: 5000 });
    await readyForData(h);
    const out = await h.output('DATA');
    expect(out.bytes.toString()).toBe('354 Start mail input; end with <CRLF>.<CRLF>\r\n');
    expect(h.session.state).toBe('DATA');
    expect(h.session.inputMode).toEqual({ kind: 'data', lineLimit: 1000, sizeLimit: 5000 });
  });

  it('DATA with an argument is 501', async () => {
    const h = await ehlo();
    await readyForData(h);
    expect(await h.send('DATA now')).toBe('501 5.5.4 DATA takes no parameters\r\n');
    expect(h.session.state).toBe('RCPT');
  });

  it.each<[DataProblem, RegExp, string]>([
    ['bare-lf', /^550 5\.6\.0 Message refused: it contains a bare LF; lines must end with CRLF/, 'SMUGGLING'],
    ['bare-cr', /^550 5\.6\.0 Message refused: it contains a bare CR; /, 'SMUGGLING'],
    ['line-too-long', /^500 5\.5\.2 Line too long: text lines are limited to 1000 octets/, 'MESSAGE_REJECTED'],
    ['too-big', /^552 5\.3\.4 Message exceeds fixed maximum message size of 10485760 octets/, 'MESSAGE_TOO_BIG'],
    ['nul', /^554 5\.6\.0 Message refused: it contains a NUL byte/, 'MESSAGE_REJECTED'],
  ])('a message with %s is refused and nothing is delivered', async (problem, expected, code) => {
    const h = await ehlo();
    await readyForData(h);
    await h.send('DATA');
    const out = await h.session.receiveData({ message: problem === 'too-big' ? undefined : Buffer.from('Subject: x\r\n\r\nbody\r\n'), octets: 20, problems: [problem] });
    expect(out.bytes.toString()).toMatch(expected);
    expect(out.bytes.toString()).toMatch(/nothing was stored\r\n$/);
    expect(out.replies).toHaveLength(1);
    expect(errorCodes(out.events)).toEqual([code]);
    expect(h.delivered).toHaveLength(0);
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
    expect(h.session.inputMode.kind).toBe('command');
    // The transaction is over: a new one must start with MAIL.
    expect(await h.send('RCPT TO:<alice@maillab.test>')).toBe('503 5.5.1 Need MAIL before RCPT\r\n');
  });

  it('names both when a message has a bare LF and a bare CR, and size wins over smuggling', async () => {
    const h = await ehlo();
    await readyForData(h);
    await h.send('DATA');
    expect(await h.data('x\r\n', ['bare-lf', 'bare-cr'])).toMatch(/^550 5\.6\.0 Message refused: it contains bare LF and bare CR;/);
    await readyForData(h);
    await h.send('DATA');
    expect(await h.data('x\r\n', ['bare-lf', 'too-big'])).toMatch(/^552 5\.3\.4 /);
    expect(h.delivered).toHaveLength(0);
  });

  it('delivers a good message with a Received line: from, address literal, by, with, id, for and date', async () => {
    const h = await ehlo();
    await readyForData(h);
    await h.send('DATA');
    const done = await h.session.receiveData({ message: Buffer.from('Subject: hi\r\n\r\nhello\r\n'), octets: 22, problems: [] });
    expect(done.bytes.toString()).toBe('250 2.0.0 OK, message Q1 accepted\r\n');
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]!.message.toString()).toBe(
      'Received: from client.example ([127.0.0.1])\r\n' +
        '\tby maillab.test with ESMTP id Q1\r\n' +
        '\tfor <alice@maillab.test>;\r\n' +
        '\tMon, 23 Nov 2026 12:00:00 +0000\r\n' +
        'Subject: hi\r\n\r\nhello\r\n',
    );
    expect(h.delivered[0]!.envelope).toMatchObject({ from: { localPart: 'sender', domain: 'client.example' }, body: '7BIT', smtputf8: false });
    expect(h.delivered[0]!.envelope.authenticatedAs).toBeUndefined();
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
  });

  it('leaves "for" out with several recipients, and numbers each message', async () => {
    const h = await ehlo();
    await readyForData(h, 'MAIL FROM:<sender@client.example>', ['<alice@maillab.test>', '<bob@maillab.test>']);
    await h.send('DATA');
    expect(await h.data('one\r\n')).toBe('250 2.0.0 OK, message Q1 accepted\r\n');
    expect(h.delivered[0]!.message.toString()).toMatch(/^Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby maillab\.test with ESMTP id Q1;\r\n\tMon, /);
    await readyForData(h);
    await h.send('DATA');
    expect(await h.data('two\r\n')).toBe('250 2.0.0 OK, message Q2 accepted\r\n');
    expect(h.delivered[1]!.message.toString()).toContain(' id Q2\r\n\tfor <alice@maillab.test>;');
  });

  it('says "with ESMTPSA" when the session is secure and authenticated (RFC 3848)', async () => {
    const h = await ehlo({ listener: 'submission', secure: true, plaintextAuthAllowed: false });
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^235 /);
    await readyForData(h, 'MAIL FROM:<alice@maillab.test>', ['<bob@maillab.test>']);
    await h.send('DATA');
    await h.data('hi\r\n');
    expect(h.delivered[0]!.message.toString()).toContain('\tby maillab.test with ESMTPSA id Q1\r\n\tfor <bob@maillab.test>;');
  });

  it('says "with ESMTPA" when authenticated without TLS and "with ESMTPS" with TLS only', async () => {
    const authenticated = await ehlo({ listener: 'submission' });
    await authenticated.send(`AUTH PLAIN ${PLAIN_ALICE}`);
    await readyForData(authenticated);
    await authenticated.send('DATA');
    await authenticated.data('hi\r\n');
    expect(authenticated.delivered[0]!.message.toString()).toContain(' with ESMTPA id ');
    const secure = await ehlo({ secure: true });
    await readyForData(secure);
    await secure.send('DATA');
    await secure.data('hi\r\n');
    expect(secure.delivered[0]!.message.toString()).toContain(' with ESMTPS id ');
  });

  it('writes an SMTPUTF8 message\'s trace as UTF-8, "with UTF8SMTP" (RFC 6531 §3.7.3)', async () => {
    const h = await ehlo({}, { 'jösé': 'secret' });
    await readyForData(h, 'MAIL FROM:<sender@client.example> SMTPUTF8 BODY=8BITMIME', ['<jösé@maillab.test>']);
    await h.send('DATA');
    await h.data('Subject: olé\r\n\r\nçà\r\n');
    const message = h.delivered[0]!.message;
    expect(message.toString('utf8')).toContain(' with UTF8SMTP id Q1\r\n\tfor <jösé@maillab.test>;');
    expect(message.includes(Buffer.from('for <jösé@maillab.test>', 'utf8'))).toBe(true);
    expect(h.delivered[0]!.envelope.smtputf8).toBe(true);
  });

  it('writes an IPv6 client as an IPv6 address literal, and an IPv4-mapped one as IPv4 (RFC 5321 §4.1.3)', async () => {
    const v6 = await ehlo({ remoteAddress: '2001:db8::25' });
    await readyForData(v6);
    await v6.send('DATA');
    await v6.data('hi\r\n');
    expect(v6.delivered[0]!.message.toString()).toMatch(/^Received: from client\.example \(\[IPv6:2001:db8::25\]\)\r\n/);
    const mapped = await ehlo({ remoteAddress: '::ffff:192.0.2.7' });
    await readyForData(mapped);
    await mapped.send('DATA');
    await mapped.data('hi\r\n');
    expect(mapped.delivered[0]!.message.toString()).toMatch(/^Received: from client\.example \(\[192\.0\.2\.7\]\)\r\n/);
  });

  it('warns when 8-bit content arrives without BODY=8BITMIME, but still delivers it', async () => {
    const h = await ehlo();
    await readyForData(h);
    await h.send('DATA');
    const out = await h.session.receiveData({ message: Buffer.from('Subject: café\r\n\r\nnaïve\r\n'), octets: 25, problems: [] });
    expect(out.bytes.toString()).toMatch(/^250 /);
    expect(out.events).toContainEqual(expect.objectContaining({ kind: 'annotation', about: 'warning', key: 'smtp.warning.8bit-without-8bitmime', rfc: 'RFC 6152 §3' }));
    expect(h.delivered).toHaveLength(1);
  });

  it('does not warn about 8-bit content under BODY=8BITMIME, nor about 7-bit content', async () => {
    const h = await ehlo();
    await readyForData(h, 'MAIL FROM:<sender@client.example> BODY=8BITMIME');
    await h.send('DATA');
    const eightBit = await h.session.receiveData({ message: Buffer.from('naïve\r\n'), octets: 8, problems: [] });
    expect(annotationKeys(eightBit.events)).not.toContain('smtp.warning.8bit-without-8bitmime');
    await readyForData(h);
    await h.send('DATA');
    const sevenBit = await h.session.receiveData({ message: Buffer.from('plain\r\n'), octets: 7, problems: [] });
    expect(annotationKeys(sevenBit.events)).not.toContain('smtp.warning.8bit-without-8bitmime');
    expect(h.delivered).toHaveLength(2);
    expect(h.delivered[0]!.envelope.body).toBe('8BITMIME');
  });

  it('reports the body it received as a body event', async () => {
    const h = await ehlo();
    await readyForData(h);
    await h.send('DATA');
    const out = await h.session.receiveData({ message: Buffer.from('a\r\nb\r\nc\r\n'), octets: 9, problems: [] });
    expect(out.events).toContainEqual(expect.objectContaining({ kind: 'body', from: 'client', lines: 3, octets: 9 }));
  });
});

describe('BDAT (RFC 3030 CHUNKING)', () => {
  it('reads chunks of the announced size; non-LAST ones get "n octets received", LAST delivers the concatenation', async () => {
    const h = await ehlo();
    await readyForData(h);
    expect(await h.send('BDAT 14')).toBe('');
    expect(h.session.inputMode).toEqual({ kind: 'chunk', size: 14, sizeLimit: 10 * 1024 * 1024 });
    expect(await h.chunk('Subject: a\r\n\r\n')).toBe('250 2.0.0 14 octets received\r\n');
    expect(h.session.state).toBe('BDAT');
    expect(h.session.inputMode.kind).toBe('command');
    expect(await h.send('BDAT 7')).toBe('');
    expect(await h.chunk('line 1\r')).toBe('250 2.0.0 7 octets received\r\n');
    expect(h.delivered).toHaveLength(0);
    expect(await h.send('bdat 10 last')).toBe('');
    expect(h.session.inputMode).toMatchObject({ kind: 'chunk', size: 10 });
    expect(await h.chunk('\n.line 2\r\n')).toBe('250 2.0.0 OK, message Q1 accepted\r\n');
    expect(h.session.state).toBe('READY');
    expect(h.delivered).toHaveLength(1);
    // No dot-unstuffing in BDAT: ".line 2" stays as sent, and the CR/LF split across chunks joins up.
    expect(h.delivered[0]!.message.toString()).toMatch(/\r\n\tMon, 23 Nov 2026 12:00:00 \+0000\r\nSubject: a\r\n\r\nline 1\r\n\.line 2\r\n$/);
  });

  it('a single BDAT n LAST delivers at once', async () => {
    const h = await ehlo();
    await readyForData(h);
    expect(await h.send('BDAT 7 LAST')).toBe('');
    const out = await h.session.receiveChunk({ bytes: Buffer.from('hello\r\n'), octets: 7 });
    expect(out.bytes.toString()).toBe('250 2.0.0 OK, message Q1 accepted\r\n');
    expect(out.events.filter((event) => event.kind === 'transition').map((event) => event.kind === 'transition' && event.to)).toEqual(['BDAT', 'READY']);
    expect(h.delivered[0]!.message.toString()).toMatch(/;\r\n\tMon, 23 Nov 2026 12:00:00 \+0000\r\nhello\r\n$/);
  });

  it.each([
    ['before MAIL', [] as string[], 'Need MAIL and RCPT before BDAT; the chunk was discarded'],
    ['before RCPT', ['MAIL FROM:<sender@client.example>'], 'Need RCPT before BDAT; the chunk was discarded'],
  ])('BDAT %s still consumes its chunk, then answers 503', async (_when, lines, text) => {
    const h = await ehlo();
    for (const line of lines) await h.send(line);
    expect(await h.send('BDAT 6 LAST')).toBe('');
    expect(h.session.inputMode).toMatchObject({ kind: 'chunk', size: 6 });
    expect(await h.chunk('RSET\r\n')).toBe(`503 5.5.1 ${text}\r\n`);
    expect(h.session.inputMode.kind).toBe('command');
    expect(h.delivered).toHaveLength(0);
  });

  it('a BDAT total over the size limit is 552 and abandons the transaction', async () => {
    const h = await ehlo({ maxMessageSize: 10 });
    await readyForData(h);
    await h.send('BDAT 6');
    expect(await h.chunk('abc\r\n\r')).toBe('250 2.0.0 6 octets received\r\n');
    await h.send('BDAT 6 LAST');
    const out = await h.session.receiveChunk({ bytes: Buffer.from('\nabc\r\n'), octets: 6 });
    expect(out.bytes.toString()).toBe('552 5.3.4 Message exceeds fixed maximum message size of 10 octets; the transaction is abandoned\r\n');
    expect(errorCodes(out.events)).toEqual(['MESSAGE_TOO_BIG']);
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
    expect(h.delivered).toHaveLength(0);
    // A further chunk of the failed message is read and refused, not delivered.
    await h.send('BDAT 2 LAST');
    expect(await h.chunk('\r\n')).toMatch(/^503 5\.5\.1 Need MAIL and RCPT before BDAT/);
    expect(h.delivered).toHaveLength(0);
  });

  it('a chunk the framer could not keep (over the limit, no bytes) is 552', async () => {
    const h = await ehlo({ maxMessageSize: 10 });
    await readyForData(h);
    await h.send('BDAT 50 LAST');
    const out = await h.session.receiveChunk({ bytes: undefined, octets: 50 });
    expect(out.bytes.toString()).toMatch(/^552 5\.3\.4 /);
    expect(h.delivered).toHaveLength(0);
  });

  it('DATA after BDAT is 503', async () => {
    const h = await ehlo();
    await readyForData(h);
    await h.send('BDAT 3');
    await h.chunk('abc');
    expect(await h.send('DATA')).toBe('503 5.5.1 DATA not allowed while BDAT chunks are being sent; finish with BDAT n LAST or RSET (RFC 3030 section 2)\r\n');
    expect(h.session.state).toBe('BDAT');
    expect(h.session.inputMode.kind).toBe('command');
    expect(await h.send('RSET')).toMatch(/^250 /);
    expect(h.session.transaction).toBeUndefined();
  });

  it.each([
    ['a bare LF', 'line one\nline two\r\n', /^550 5\.6\.0 Message refused: it contains a bare LF;/],
    ['a bare CR', 'line one\rline two\r\n', /^550 5\.6\.0 Message refused: it contains a bare CR;/],
    ['a NUL', 'line\0one\r\n', /^554 5\.6\.0 Message refused: it contains a NUL byte/],
  ])('BDAT content with %s is refused and nothing is delivered', async (_what, content, expected) => {
    const h = await ehlo();
    await readyForData(h);
    await h.send(`BDAT ${Buffer.byteLength(content)} LAST`);
    expect(await h.chunk(content)).toMatch(expected);
    expect(h.delivered).toHaveLength(0);
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
  });

  it('a BDAT size that is not a number is 501 and no chunk is awaited', async () => {
    const h = await ehlo();
    await readyForData(h);
    expect(await h.send('BDAT ten')).toBe('501 5.5.4 Syntax: BDAT chunk-size [LAST]\r\n');
    expect(await h.send('BDAT 10 FIRST')).toBe('501 5.5.4 Syntax: BDAT chunk-size [LAST]\r\n');
    expect(h.session.inputMode.kind).toBe('command');
  });
});

describe('a backend that cannot store the message', () => {
  it('DATA: 451 4.3.0, no 250, the transaction is over and nothing is claimed', async () => {
    const h = await ehlo();
    h.session.backend.deliver = async () => {
      throw new Error('disk full');
    };
    await readyForData(h);
    await h.send('DATA');
    const out = await h.session.receiveData({ message: Buffer.from('hi\r\n'), octets: 4, problems: [] });
    expect(out.bytes.toString()).toBe('451 4.3.0 Requested action aborted: local error in processing; nothing was stored, try again later\r\n');
    expect(out.replies.map((value) => value.code)).toEqual([451]);
    expect(out.events).toContainEqual({ kind: 'error', code: 'DELIVERY_FAILED', message: 'disk full' });
    expect(out.events).toContainEqual(expect.objectContaining({ kind: 'transition', from: 'DATA', to: 'READY' }));
    expect(h.session.state).toBe('READY');
    expect(h.session.transaction).toBeUndefined();
    expect(h.delivered).toHaveLength(0);
  });

  it('BDAT LAST: 451 4.3.0 as well', async () => {
    const h = await ehlo();
    h.session.backend.deliver = async () => {
      throw new Error('queue unavailable');
    };
    await readyForData(h);
    await h.send('BDAT 4 LAST');
    expect(await h.chunk('hi\r\n')).toMatch(/^451 4\.3\.0 /);
    expect(h.session.state).toBe('READY');
    expect(h.delivered).toHaveLength(0);
  });
});

describe('persona: relay refusal wording and DATA without valid recipients (RFC 2920 §4)', () => {
  it('words the relay refusal with {address} and {domain}', async () => {
    const texts = { ...DEFAULT_SMTP_TEXTS, relayDenied: 'remote mail to <{address}> not allowed ({domain})' };
    const h = makeSmtpHarness({ persona: { ...DEFAULT_SMTP_PERSONA, texts } });
    await h.send('EHLO x.example');
    await h.send('MAIL FROM:<a@x.example>');
    expect(await h.send('RCPT TO:<galvin@tis.com>')).toBe('550 5.7.1 remote mail to <galvin@tis.com> not allowed (tis.com)\r\n');
  });

  it('accept: 354 although every RCPT was refused, then 554 at the end and nothing delivered', async () => {
    const h = makeSmtpHarness({ persona: { ...DEFAULT_SMTP_PERSONA, acceptDataWithoutRecipients: true } });
    await h.send('EHLO x.example');
    await h.send('MAIL FROM:<a@x.example>');
    await h.send('RCPT TO:<nobody@maillab.test>');
    expect(await h.send('DATA')).toMatch(/^354 /);
    expect(await h.data('')).toBe('554 5.5.1 No valid recipients\r\n');
    expect(h.session.state).toBe('READY');
    expect(h.delivered).toHaveLength(0);
  });

  it('accept still answers 503 when no RCPT was given at all', async () => {
    const h = makeSmtpHarness({ persona: { ...DEFAULT_SMTP_PERSONA, acceptDataWithoutRecipients: true } });
    await h.send('EHLO x.example');
    await h.send('MAIL FROM:<a@x.example>');
    expect(await h.send('DATA')).toBe('503 5.5.1 Need RCPT before DATA\r\n');
  });
});
