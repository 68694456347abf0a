/**
 * What EHLO advertises and the extensions behind it: STARTTLS (RFC 3207),
 * AUTH (RFC 4954 with PLAIN RFC 4616, LOGIN, CRAM-MD5 RFC 2195), VRFY/EXPN/HELP
 * (RFC 5321 §3.5, §4.1.1.8), and the path parser (RFC 5321 §4.1.2).
 */
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { formatMailbox, parsePath, unquotedLocalPart } from '../../core/smtp/address.js';
import { DEFAULT_SMTP_PERSONA } from '../../core/smtp/persona.js';
import { SMTP_COMMAND_LIMIT, SMTP_SASL_LIMIT } from '../../core/smtp/session.js';
import { DEFAULT_SMTP_OPTIONS } from '../../core/smtp/options.js';
import { makeHarness as makePop3Harness } from '../helpers/pop3-harness.js';
import { makeSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const PLAIN_ALICE = b64('\0alice\0wonderland');
const PLAIN_WRONG = b64('\0alice\0queen-of-hearts');

function errorCodes(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'error' ? [event.code] : []));
}

function annotationKeys(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'annotation' ? [event.key] : []));
}

function clientLines(events: readonly WireEvent[]): { text: string; masked?: boolean }[] {
  return events.flatMap((event) => (event.kind === 'line' && event.from === 'client' ? [{ text: event.text, ...(event.masked ? { masked: true } : {}) }] : []));
}

/** The EHLO keyword lines (without the greeting line). */
function keywords(reply: string): string[] {
  return reply
    .split('\r\n')
    .slice(1, -1)
    .map((line) => line.slice(4));
}

async function submission(options: Parameters<typeof makeSmtpHarness>[0] = {}, users?: Record<string, string>): Promise<SmtpHarness> {
  const h = makeSmtpHarness({ listener: 'submission', ...options }, users);
  expect(await h.send('EHLO client.example')).toMatch(/^250-/);
  return h;
}

describe('the EHLO keyword list', () => {
  it('on the MTA port: the extensions the engine implements, STARTTLS, no AUTH', async () => {
    const h = makeSmtpHarness();
    const reply = await h.send('EHLO client.example');
    expect(reply).toBe(
      '250-maillab.test greets client.example\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-DSN\r\n250 HELP\r\n',
    );
  });

  it('SIZE states the configured limit (RFC 1870 §4)', async () => {
    const h = makeSmtpHarness({ maxMessageSize: 4096 });
    expect(keywords(await h.send('EHLO client.example'))).toContain('SIZE 4096');
  });

  it('leaves out STARTTLS when no certificate is available, and ENHANCEDSTATUSCODES when the persona has none', async () => {
    const h = makeSmtpHarness({ tlsAvailable: false, persona: { ...DEFAULT_SMTP_PERSONA, enhancedStatusCodes: false } });
    const list = keywords(await h.send('EHLO client.example'));
    expect(list).not.toContain('STARTTLS');
    expect(list).not.toContain('ENHANCEDSTATUSCODES');
    expect(list).toContain('CHUNKING');
  });

  it('on the submission port: AUTH with every mechanism when plaintext is allowed', async () => {
    const h = makeSmtpHarness({ listener: 'submission' });
    expect(keywords(await h.send('EHLO client.example'))).toEqual(['PIPELINING', 'SIZE 10485760', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH PLAIN LOGIN CRAM-MD5', 'DSN', 'HELP']);
  });

  it('without TLS and with plaintext refused, AUTH offers CRAM-MD5 only until STARTTLS (the policy POP3 follows too)', async () => {
    const h = makeSmtpHarness({ listener: 'submission', plaintextAuthAllowed: false });
    const list = keywords(await h.send('EHLO client.example'));
    expect(list.filter((line) => line.startsWith('AUTH'))).toEqual(['AUTH CRAM-MD5']);
    expect(list).toContain('STARTTLS');
  });

  it.each([true, false])('offers the same mechanisms as POP3 under the same conditions (plaintext allowed: %s)', async (plaintextAuthAllowed) => {
    const smtp = makeSmtpHarness({ listener: 'submission', plaintextAuthAllowed });
    const auth = keywords(await smtp.send('EHLO client.example')).find((line) => line.startsWith('AUTH '));
    const pop3 = makePop3Harness({ plaintextAuthAllowed });
    const sasl = (await pop3.send('CAPA')).split('\r\n').find((line) => line.startsWith('SASL '));
    expect(auth?.slice('AUTH '.length)).toBe(sasl?.slice('SASL '.length));
    expect(auth).toBe(plaintextAuthAllowed ? 'AUTH PLAIN LOGIN CRAM-MD5' : 'AUTH CRAM-MD5');
  });

  it('once secure: no STARTTLS, and every mechanism even with plaintext refused outside TLS', async () => {
    const h = makeSmtpHarness({ listener: 'submission', secure: true, plaintextAuthAllowed: false });
    const list = keywords(await h.send('EHLO client.example'));
    expect(list).not.toContain('STARTTLS');
    expect(list).toContain('AUTH PLAIN LOGIN CRAM-MD5');
  });

  it('after authenticating, EHLO no longer offers AUTH', async () => {
    const h = await submission();
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^235 /);
    const list = keywords(await h.send('EHLO client.example'));
    expect(list.some((line) => line.startsWith('AUTH'))).toBe(false);
    expect(list).toContain('PIPELINING');
    expect(h.session.authenticatedAs).toBe('alice');
  });
});

describe('STARTTLS (RFC 3207)', () => {
  it('answers 220 and asks the adapter to start TLS, once', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    const out = await h.output('STARTTLS');
    expect(out.bytes.toString()).toBe('220 2.0.0 Ready to start TLS\r\n');
    expect(out.startTls).toBe(true);
    expect(out.close).toBe(false);
    expect((await h.output('NOOP')).startTls).toBe(false);
  });

  it('with an argument is 501 and starts nothing', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    const out = await h.output('STARTTLS now');
    expect(out.bytes.toString()).toBe('501 5.5.4 Syntax error (no parameters allowed)\r\n');
    expect(out.startTls).toBe(false);
  });

  it('when already secure is 503', async () => {
    const h = makeSmtpHarness({ secure: true });
    await h.send('EHLO client.example');
    const out = await h.output('STARTTLS');
    expect(out.bytes.toString()).toBe('503 5.5.1 TLS already active\r\n');
    expect(out.startTls).toBe(false);
  });

  it('without a certificate is 454 4.7.0', async () => {
    const h = makeSmtpHarness({ tlsAvailable: false });
    await h.send('EHLO client.example');
    const out = await h.output('STARTTLS');
    expect(out.bytes.toString()).toBe('454 4.7.0 TLS not available: this server has no certificate\r\n');
    expect(out.startTls).toBe(false);
  });

  it('is not allowed inside a mail transaction', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<sender@client.example>');
    const out = await h.output('STARTTLS');
    expect(out.bytes.toString()).toBe('503 5.5.1 STARTTLS is not allowed in state MAIL\r\n');
    expect(out.startTls).toBe(false);
  });

  it('once TLS is up the session starts over: INIT, no EHLO name, no authentication, no transaction (RFC 3207 §4.2)', async () => {
    const h = await submission();
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^235 /);
    expect((await h.output('STARTTLS')).startTls).toBe(true);
    const tls = h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    expect(tls.bytes.length).toBe(0);
    expect(tls.events).toContainEqual({ kind: 'tls', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    expect(h.session.state).toBe('INIT');
    expect(h.session.secure).toBe(true);
    expect(h.session.clientName).toBeUndefined();
    expect(h.session.extended).toBeUndefined();
    expect(h.session.authenticatedAs).toBeUndefined();
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toMatch(/^503 5\.5\.1 Send EHLO or HELO first/);
    const list = keywords(await h.send('EHLO client.example'));
    expect(list).not.toContain('STARTTLS');
    expect(list).toContain('AUTH PLAIN LOGIN CRAM-MD5');
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toMatch(/^530 5\.7\.0 /);
  });
});

describe('submission needs AUTH (RFC 6409 §4.3, RFC 4954)', () => {
  it('MAIL before AUTH is 530 5.7.0', async () => {
    const h = await submission();
    const out = await h.output('MAIL FROM:<alice@maillab.test>');
    expect(out.bytes.toString()).toBe('530 5.7.0 Authentication required: this is a submission port (RFC 6409 section 4.3); use AUTH first\r\n');
    expect(errorCodes(out.events)).toEqual(['AUTH_REQUIRED']);
    expect(h.session.state).toBe('READY');
  });

  it('AUTH before EHLO is 503; after HELO it is 503 too, since AUTH is an extension', async () => {
    const h = makeSmtpHarness({ listener: 'submission' });
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^503 5\.5\.1 Send EHLO or HELO first \(AUTH needs a greeting/);
    await h.send('HELO client.example');
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toBe('503 5.5.1 AUTH needs EHLO first (RFC 4954 section 4)\r\n');
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it('AUTH on the MTA port is 503', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toBe('503 5.5.1 AUTH is not offered on this port: use the submission port to send as a user\r\n');
    expect(h.session.authenticatedAs).toBeUndefined();
    expect(h.session.sasl).toBeUndefined();
  });

  it('AUTH inside a transaction is 503', async () => {
    const h = await submission();
    await h.send(`AUTH PLAIN ${PLAIN_ALICE}`);
    await h.send('MAIL FROM:<alice@maillab.test>');
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toBe('503 5.5.1 AUTH is not allowed in state MAIL\r\n');
  });
});

describe('AUTH exchanges', () => {
  it('PLAIN with an initial response: 235 2.7.0 and MAIL is allowed', async () => {
    const h = await submission();
    const out = await h.output(`AUTH PLAIN ${PLAIN_ALICE}`);
    expect(out.bytes.toString()).toBe('235 2.7.0 Authentication successful\r\n');
    expect(out.events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'smtp.auth.authenticated', detail: 'authenticated as alice' }));
    expect(h.session.authenticatedAs).toBe('alice');
    expect(await h.send('MAIL FROM:<alice@maillab.test>')).toMatch(/^250 2\.1\.0 /);
  });

  it('PLAIN without one: an empty challenge "334 " (space kept, RFC 4954 §4), then the response', async () => {
    const h = await submission();
    const challenge = await h.output('auth plain');
    expect(challenge.bytes.toString()).toBe('334 \r\n');
    expect(challenge.events).toContainEqual({ kind: 'line', from: 'server', text: '334 ' });
    expect(h.session.inputMode).toEqual({ kind: 'command', limit: SMTP_SASL_LIMIT });
    expect(await h.send(PLAIN_ALICE)).toBe('235 2.7.0 Authentication successful\r\n');
    expect(h.session.inputMode).toEqual({ kind: 'command', limit: SMTP_COMMAND_LIMIT });
    expect(h.session.authenticatedAs).toBe('alice');
  });

  it('"=" is an empty initial response, decoded rather than refused as bad base64; empty PLAIN fails', async () => {
    const h = await submission();
    const out = await h.output('AUTH PLAIN =');
    expect(out.bytes.toString()).toBe('535 5.7.8 Authentication credentials invalid: PLAIN response must be authzid NUL authcid NUL password (RFC 4616 section 2)\r\n');
    expect(out.replies.map((value) => value.code)).toEqual([535]);
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it('"=" answers a challenge with an empty response too', async () => {
    const h = await submission();
    expect(await h.send('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6\r\n');
    expect(await h.send('=')).toBe('535 5.7.8 Authentication credentials invalid: LOGIN: empty user name\r\n');
  });

  it('LOGIN: 334 VXNlcm5hbWU6 ("Username:"), 334 UGFzc3dvcmQ6 ("Password:"), 235', async () => {
    const h = await submission();
    const first = await h.output('AUTH LOGIN');
    expect(first.bytes.toString()).toBe('334 VXNlcm5hbWU6\r\n');
    expect(first.events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'smtp.sasl.challenge', detail: 'Username:' }));
    expect(await h.send(b64('alice'))).toBe('334 UGFzc3dvcmQ6\r\n');
    expect(await h.send(b64('wonderland'))).toBe('235 2.7.0 Authentication successful\r\n');
    expect(h.session.authenticatedAs).toBe('alice');
  });

  it('LOGIN with the user name as initial response goes straight to the password', async () => {
    const h = await submission();
    expect(await h.send(`AUTH LOGIN ${b64('bob')}`)).toBe('334 UGFzc3dvcmQ6\r\n');
    expect(await h.send(b64('builder'))).toBe('235 2.7.0 Authentication successful\r\n');
    expect(h.session.authenticatedAs).toBe('bob');
  });

  it('CRAM-MD5 with the RFC 2195 example: challenge <1896.697170952@postoffice.reston.mci.net>, tim/tanstaaftanstaaf', async () => {
    const h = await submission({}, { tim: 'tanstaaftanstaaf' });
    const challenge = await h.output('AUTH CRAM-MD5');
    expect(challenge.bytes.toString()).toBe(`334 ${b64('<1896.697170952@postoffice.reston.mci.net>')}\r\n`);
    expect(challenge.bytes.toString()).toBe('334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n');
    const out = await h.output('dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw');
    expect(out.bytes.toString()).toBe('235 2.7.0 Authentication successful\r\n');
    expect(annotationKeys(out.events)).not.toContain('smtp.warning.cleartext-password');
    expect(h.session.authenticatedAs).toBe('tim');
  });

  it('CRAM-MD5 with a wrong digest, or an initial response, is 535', async () => {
    const h = await submission({}, { tim: 'tanstaaftanstaaf' });
    await h.send('AUTH CRAM-MD5');
    expect(await h.send(b64('tim b913a602c7eda7a495b4e6e7334d3891'))).toBe('535 5.7.8 Authentication credentials invalid\r\n');
    expect(await h.send(`AUTH CRAM-MD5 ${b64('tim b913a602c7eda7a495b4e6e7334d3890')}`)).toBe('535 5.7.8 Authentication credentials invalid: CRAM-MD5 takes no initial response (RFC 2195 section 2)\r\n');
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it('"*" cancels the exchange with 501 and AUTH may be tried again', async () => {
    const h = await submission();
    await h.send('AUTH LOGIN');
    await h.send(b64('alice'));
    const out = await h.output('*');
    expect(out.bytes.toString()).toBe('501 5.0.0 Authentication cancelled\r\n');
    expect(errorCodes(out.events)).toEqual(['AUTH_CANCELLED']);
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.authenticatedAs).toBeUndefined();
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^235 /);
  });

  it('bad base64 is 501 5.5.2, as an initial response and as a reply to a challenge', async () => {
    const h = await submission();
    expect(await h.send('AUTH PLAIN not*base64')).toBe('501 5.5.2 Cannot decode the initial response: not base64 (use "=" for an empty one)\r\n');
    expect(h.session.sasl).toBeUndefined();
    await h.send('AUTH PLAIN');
    expect(await h.send('abc')).toBe('501 5.5.2 Cannot decode response: not base64; authentication aborted\r\n');
    expect(h.session.sasl).toBeUndefined();
    await h.send('AUTH PLAIN');
    const eightBit = await h.session.receiveLine({ bytes: Buffer.from('AGFsaWNl\xff', 'latin1'), bareLf: false, bareCr: false });
    expect(eightBit.bytes.toString()).toBe('501 5.5.2 Cannot decode response: not base64; authentication aborted\r\n');
    expect(h.session.authenticatedAs).toBeUndefined();
    // The session is back in command mode.
    expect(await h.send('NOOP')).toBe('250 2.0.0 OK\r\n');
  });

  it('a wrong password is 535 5.7.8 with a delay that grows with each failure', async () => {
    const h = await submission({ authFailureDelay: DEFAULT_SMTP_OPTIONS.authFailureDelay });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const out = await h.output(`AUTH PLAIN ${PLAIN_WRONG}`);
      expect(out.bytes.toString()).toBe('535 5.7.8 Authentication credentials invalid\r\n');
      expect(errorCodes(out.events)).toEqual(['AUTH_FAILED']);
      delays.push(out.delayMs);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    expect(delays.slice(0, 5).every((delay, i) => i === 0 || delay > delays[i - 1]!)).toBe(true);
    expect(delays.slice(0, 3)).toEqual([1, 2, 3].map((n) => DEFAULT_SMTP_OPTIONS.authFailureDelay(n)));
    // Failed logins are not bad commands: the session is still open.
    expect(h.session.state).toBe('READY');
    const ok = await h.output(`AUTH PLAIN ${PLAIN_ALICE}`);
    expect(ok.bytes.toString()).toMatch(/^235 /);
    // Answered after the delay a seventh failure would get: timing does not tell a guesser it was right (issue 14 item 11).
    expect(ok.delayMs).toBe(8000);
  });

  it('an unknown user and a mismatched authorization identity are 535 too', async () => {
    const h = await submission();
    expect(await h.send(`AUTH PLAIN ${b64('\0mallory\0x')}`)).toBe('535 5.7.8 Authentication credentials invalid\r\n');
    expect(await h.send(`AUTH PLAIN ${b64('bob\0alice\0wonderland')}`)).toMatch(/^535 5\.7\.8 Authentication credentials invalid: PLAIN: alice may not act as bob/);
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it('an unknown mechanism is 504 listing the offered ones', async () => {
    const h = await submission();
    expect(await h.send('AUTH XOAUTH2 abc=')).toBe('504 5.5.4 Unrecognized authentication type XOAUTH2; offered: PLAIN LOGIN CRAM-MD5\r\n');
    expect(await h.send('AUTH')).toBe('501 5.5.4 Syntax: AUTH mechanism [initial-response]\r\n');
  });

  it('CRAM-MD5 outside TLS works when plaintext is not allowed: it sends no password', async () => {
    const h = makeSmtpHarness({ listener: 'submission', plaintextAuthAllowed: false }, { tim: 'tanstaaftanstaaf' });
    await h.send('EHLO client.example');
    expect(await h.send('AUTH CRAM-MD5')).toBe(`334 ${b64('<1896.697170952@postoffice.reston.mci.net>')}\r\n`);
    expect(await h.send(b64('tim b913a602c7eda7a495b4e6e7334d3890'))).toMatch(/^235 /);
    expect(h.session.authenticatedAs).toBe('tim');
  });

  it.each(['PLAIN', 'LOGIN'])('%s outside TLS when plaintext is not allowed is 530 5.7.0 "Must issue a STARTTLS command first" (RFC 3207 §4), and no exchange starts', async (mechanism) => {
    const h = await submission({ plaintextAuthAllowed: false, tlsAvailable: true });
    const out = await h.output(`AUTH ${mechanism}`);
    expect(out.bytes.toString()).toBe('530 5.7.0 Must issue a STARTTLS command first\r\n');
    expect(errorCodes(out.events)).toEqual(['ENCRYPTION_REQUIRED']);
    expect(h.session.sasl).toBeUndefined();
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^530 5\.7\.0 /);
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it.each(['PLAIN', 'LOGIN'])('%s outside TLS with the historic persona option is 538 5.7.11 (RFC 4954 §6)', async (mechanism) => {
    const h = await submission({ plaintextAuthAllowed: false, persona: { ...DEFAULT_SMTP_PERSONA, authBeforeTls: 'encryption-required' } });
    const out = await h.output(`AUTH ${mechanism}`);
    expect(out.bytes.toString()).toBe('538 5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first\r\n');
    expect(errorCodes(out.events)).toEqual(['ENCRYPTION_REQUIRED']);
    expect(h.session.sasl).toBeUndefined();
    expect(await h.send(`AUTH PLAIN ${PLAIN_ALICE}`)).toMatch(/^538 /);
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it('AUTH once authenticated is 503', async () => {
    const h = await submission();
    await h.send(`AUTH PLAIN ${PLAIN_ALICE}`);
    expect(await h.send(`AUTH PLAIN ${b64('\0bob\0builder')}`)).toBe('503 5.5.1 Already authenticated (RFC 4954 section 4)\r\n');
    expect(h.session.authenticatedAs).toBe('alice');
  });

  it('masks secrets in the client line events, whatever shape the line has', async () => {
    const h = await submission();
    const events: WireEvent[] = [];
    for (const line of [`AUTH PLAIN ${PLAIN_WRONG}`, `AUTH PLAIN ${PLAIN_WRONG} trailing`, `auth  plain  ${PLAIN_WRONG}`, 'AUTH LOGIN', b64('alice'), b64('wonderland')]) events.push(...(await h.output(line)).events);
    expect(clientLines(events)).toEqual([
      { text: 'AUTH PLAIN ********', masked: true },
      { text: 'AUTH PLAIN ********', masked: true },
      { text: 'auth  plain ********', masked: true },
      { text: 'AUTH LOGIN' },
      { text: '********', masked: true },
      { text: '********', masked: true },
    ]);
    const everything = JSON.stringify(events);
    for (const secret of [PLAIN_WRONG, 'queen-of-hearts', b64('wonderland'), 'wonderland']) expect(everything).not.toContain(secret);
    expect(h.session.authenticatedAs).toBe('alice');
  });

  it('warns that PLAIN without TLS sent the password in clear, and not over TLS', async () => {
    const clear = await submission();
    const out = await clear.output(`AUTH PLAIN ${PLAIN_ALICE}`);
    expect(out.events).toContainEqual(expect.objectContaining({ kind: 'annotation', about: 'warning', key: 'smtp.warning.cleartext-password', rfc: 'RFC 8314 §1' }));
    const wrong = await (await submission()).output(`AUTH PLAIN ${PLAIN_WRONG}`);
    expect(annotationKeys(wrong.events)).toContain('smtp.warning.cleartext-password');
    const secure = await submission({ secure: true });
    expect(annotationKeys((await secure.output(`AUTH PLAIN ${PLAIN_ALICE}`)).events)).not.toContain('smtp.warning.cleartext-password');
  });

  it('an over-long line during AUTH aborts the exchange with 500 5.5.6 (RFC 4954 §4)', async () => {
    const h = await submission();
    await h.send('AUTH PLAIN');
    const out = h.session.overlong(SMTP_SASL_LIMIT);
    expect(out.bytes.toString()).toBe('500 5.5.6 Authentication Exchange line is too long\r\n');
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.inputMode).toEqual({ kind: 'command', limit: SMTP_COMMAND_LIMIT });
  });
});

describe('VRFY and EXPN (RFC 5321 §3.5)', () => {
  it('VRFY answers 252 by default, without looking anyone up', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('VRFY alice')).toBe('252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n');
    expect(await h.send('VRFY nobody')).toBe('252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n');
    expect(await h.send('VRFY')).toBe('501 5.5.4 Syntax: VRFY name-or-address\r\n');
  });

  it('VRFY with persona.verify: 250 for a user, 550 for no one, 553 when ambiguous', async () => {
    const persona = { ...DEFAULT_SMTP_PERSONA, verify: true };
    const h = makeSmtpHarness({ persona });
    await h.send('EHLO client.example');
    expect(await h.send('VRFY alice')).toBe('250 2.1.5 alice@maillab.test\r\n');
    expect(await h.send('VRFY <BOB>')).toBe('250 2.1.5 bob@maillab.test\r\n');
    expect(await h.send('VRFY nobody')).toBe('550 5.1.1 String does not match anything: nobody\r\n');
    const twins = makeSmtpHarness({ persona }, { Smith: 'a', smith: 'b' });
    expect(await twins.send('VRFY smith')).toBe('553-5.1.4 User ambiguous; possibilities are\r\n553-5.1.4 Smith@maillab.test\r\n553 5.1.4 smith@maillab.test\r\n');
  });

  it('EXPN is 502 when the persona has no lists', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('EXPN staff')).toBe('502 5.5.1 EXPN is disabled on this server (RFC 5321 section 7.3)\r\n');
    expect(await h.send('EXPN')).toBe('501 5.5.4 Syntax: EXPN list-name\r\n');
  });

  it('EXPN expands a persona list, case-insensitively, one member a line', async () => {
    const persona = { ...DEFAULT_SMTP_PERSONA, lists: { Example: ['Jon Postel <Postel@isi.edu>', 'Fred Fonebone <Fonebone@physics.foo-u.edu>'] } };
    const h = makeSmtpHarness({ persona });
    await h.send('EHLO client.example');
    expect(await h.send('EXPN example')).toBe('250-2.1.5 Jon Postel <Postel@isi.edu>\r\n250 2.1.5 Fred Fonebone <Fonebone@physics.foo-u.edu>\r\n');
    expect(await h.send('EXPN other')).toBe('550 5.1.1 Access Denied to You.\r\n');
  });
});

describe('HELP (RFC 5321 §4.1.1.8)', () => {
  it('lists the commands', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('HELP')).toBe(
      '214-2.0.0 maillab SMTP server; commands:\r\n214-2.0.0 EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP STARTTLS AUTH\r\n214 2.0.0 HELP <command> describes one; RFC 5321 is the reference\r\n',
    );
  });

  it('explains one command, with its syntax and RFC section', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('HELP mail')).toBe(
      '214-2.0.0 MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8]\r\n214 2.0.0 starts a mail transaction with the sender address bounces go back to (RFC 5321 section 4.1.1.2)\r\n',
    );
    expect(await h.send('HELP BDAT')).toMatch(/^214-2\.0\.0 BDAT chunk-size \[LAST\]\r\n214 2\.0\.0 .*\(RFC 3030 section 2\)\r\n$/);
  });

  it('an unknown topic is 504', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('HELP frobnicate')).toBe('504 5.5.1 HELP topic "frobnicate" unknown\r\n');
  });
});

describe('the path parser (core/smtp/address.ts, RFC 5321 §4.1.2)', () => {
  const MAIL = { allowNull: true, allowPostmaster: false };
  const RCPT = { allowNull: false, allowPostmaster: true };

  function mailbox(text: string, options = MAIL) {
    const result = parsePath(text, options);
    if (!result.ok) throw new Error(`expected ${text} to parse: ${result.reason}`);
    return result.path;
  }

  function reason(text: string, options = MAIL): string {
    const result = parsePath(text, options);
    if (result.ok) throw new Error(`expected ${text} to be refused`);
    return result.reason;
  }

  it('parses a plain path, with or without leading spaces', () => {
    expect(mailbox('<alice@example.com>')).toEqual({ mailbox: { localPart: 'alice', domain: 'example.com' }, params: new Map(), international: false });
    expect(mailbox('  <alice@example.com>').mailbox).toEqual({ localPart: 'alice', domain: 'example.com' });
  });

  it('accepts quoted local parts, even with spaces, ">", "@" and escaped quotes inside', () => {
    expect(mailbox('<"john doe"@example.com>').mailbox).toEqual({ localPart: '"john doe"', domain: 'example.com' });
    expect(mailbox('<"a>b"@example.com>').mailbox).toEqual({ localPart: '"a>b"', domain: 'example.com' });
    expect(mailbox('<"a@b"@example.com>').mailbox).toEqual({ localPart: '"a@b"', domain: 'example.com' });
    expect(mailbox('<"say \\"hi\\""@example.com>').mailbox).toEqual({ localPart: '"say \\"hi\\""', domain: 'example.com' });
    expect(reason('<"unterminated@example.com>')).toBe('missing ">" after the address');
  });

  it('accepts address literals as the domain', () => {
    expect(mailbox('<root@[127.0.0.1]>').mailbox).toEqual({ localPart: 'root', domain: '[127.0.0.1]' });
    expect(mailbox('<root@[IPv6:2001:db8::1]>').mailbox).toEqual({ localPart: 'root', domain: '[IPv6:2001:db8::1]' });
    expect(reason('<root@[localhost]>')).toBe('invalid domain "[localhost]"');
    expect(reason('<root@[127.0.0]>')).toBe('invalid domain "[127.0.0]"');
  });

  it('ignores an obsolete source route (RFC 5321 §4.1.2, Appendix C)', () => {
    expect(mailbox('<@relay1.example,@relay2.example:user@final.example>').mailbox).toEqual({ localPart: 'user', domain: 'final.example' });
    expect(mailbox('<@relay.example:postmaster>', RCPT).mailbox).toEqual({ localPart: 'postmaster', domain: '' });
  });

  it('refuses a source route that is not one: empty, or a hop without "@domain" (RFC 5321 §4.1.2 A-d-l)', () => {
    for (const bad of ['<@:x@y.example>', '<@relay.example,:x@y.example>', '<relay.example:x@y.example>', '<@,@relay.example:x@y.example>', '<@bad_domain:x@y.example>']) {
      expect(reason(bad), bad).toMatch(/invalid source route|invalid local part|has no domain/);
    }
    expect(reason('<@:x@y.example>')).toMatch(/^invalid source route "@"/);
    expect(mailbox('<@[192.0.2.1]:x@y.example>').mailbox).toEqual({ localPart: 'x', domain: 'y.example' });
  });

  it('an empty source route in MAIL or RCPT is 501', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('MAIL FROM:<@:x@example.org>')).toMatch(/^501 5\.1\.7 Bad sender address syntax: invalid source route/);
    await h.send('MAIL FROM:<x@example.org>');
    expect(await h.send('RCPT TO:<@:alice@maillab.test>')).toMatch(/^501 5\.1\.3 Bad recipient address syntax: invalid source route/);
  });

  it('unquotedLocalPart: every quoted form of a local part is the same mailbox (RFC 5321 §4.1.2)', () => {
    expect(unquotedLocalPart('"carol"')).toBe('carol');
    expect(unquotedLocalPart('"ca\\rol"')).toBe('carol');
    expect(unquotedLocalPart('carol')).toBe('carol');
    expect(unquotedLocalPart('"a b"')).toBe('a b');
  });

  it('refuses a local part over 64 octets, counting UTF-8 bytes (RFC 5321 §4.5.3.1.1)', () => {
    expect(mailbox(`<${'a'.repeat(64)}@example.com>`).mailbox?.localPart).toHaveLength(64);
    expect(reason(`<${'a'.repeat(65)}@example.com>`)).toBe('local part longer than 64 octets (RFC 5321 §4.5.3.1.1)');
    expect(mailbox(`<${'é'.repeat(32)}@example.com>`).international).toBe(true);
    expect(reason(`<${'é'.repeat(33)}@example.com>`)).toBe('local part longer than 64 octets (RFC 5321 §4.5.3.1.1)');
  });

  it('refuses a domain over 255 octets (RFC 5321 §4.5.3.1.2)', () => {
    const label = 'a'.repeat(63);
    const longest = [label, label, label, label].join('.');
    expect(longest).toHaveLength(255);
    expect(mailbox(`<user@${longest}>`).mailbox?.domain).toBe(longest);
    expect(reason(`<user@${longest}a>`)).toBe('domain longer than 255 octets (RFC 5321 §4.5.3.1.2)');
  });

  it('refuses malformed paths with a specific reason', () => {
    expect(reason('alice@example.com')).toBe('the address must be in angle brackets, like <user@example.com>');
    expect(reason('<alice@example.com')).toBe('missing ">" after the address');
    expect(reason('<alice>')).toBe('"alice" has no domain: expected local-part@domain');
    expect(reason('<@example.com>')).toBe('"@example.com" has no domain: expected local-part@domain');
    expect(reason('<.alice@example.com>')).toBe('invalid local part ".alice"');
    expect(reason('<al..ice@example.com>')).toBe('invalid local part "al..ice"');
    expect(reason('<al ice@example.com>')).toBe('invalid local part "al ice"');
    expect(reason('<alice@>')).toBe('invalid domain ""');
    expect(reason('<alice@-bad.example>')).toBe('invalid domain "-bad.example"');
    expect(reason('<alice@exa_mple.com>')).toBe('invalid domain "exa_mple.com"');
    expect(reason('<alice@example.com>SIZE=1')).toBe('expected a space between the address and its parameters');
  });

  it('allows <> only where asked, and bare postmaster only where asked', () => {
    expect(mailbox('<>').mailbox).toBeNull();
    expect(reason('<>', RCPT)).toBe('the null path <> is only allowed in MAIL FROM');
    expect(mailbox('<PostMaster>', RCPT).mailbox).toEqual({ localPart: 'PostMaster', domain: '' });
    expect(reason('<postmaster>', MAIL)).toMatch(/has no domain/);
    expect(mailbox('<postmaster@example.com>', RCPT).mailbox).toEqual({ localPart: 'postmaster', domain: 'example.com' });
  });

  it('marks non-ASCII paths as international (RFC 6531 §3.3)', () => {
    expect(mailbox('<jösé@example.com>').international).toBe(true);
    expect(mailbox('<user@bücher.example>').international).toBe(true);
    expect(mailbox('<"jösé"@example.com>').international).toBe(true);
    expect(mailbox('<user@example.com>').international).toBe(false);
  });

  it('reads ESMTP parameters: keywords upper-cased, values kept, valueless ones true', () => {
    const params = mailbox('<a@b.example> size=100 BODY=8bitmime SMTPUTF8  ENVID=QQ314159').params;
    expect([...params]).toEqual([
      ['SIZE', '100'],
      ['BODY', '8bitmime'],
      ['SMTPUTF8', true],
      ['ENVID', 'QQ314159'],
    ]);
    expect(mailbox('<> RET=HDRS').params.get('RET')).toBe('HDRS');
    expect(mailbox('<a@b.example> ').params.size).toBe(0);
  });

  it('refuses a parameter given twice or with a bad keyword', () => {
    expect(reason('<a@b.example> SIZE=1 size=2')).toBe('parameter SIZE given twice');
    expect(reason('<a@b.example> =oops')).toBe('invalid parameter "=oops"');
    expect(reason('<a@b.example> -X=1')).toBe('invalid parameter "-X=1"');
  });

  it('formats mailboxes as written in a path', () => {
    expect(formatMailbox(null)).toBe('');
    expect(formatMailbox({ localPart: 'alice', domain: 'example.com' })).toBe('alice@example.com');
    expect(formatMailbox({ localPart: 'postmaster', domain: '' })).toBe('postmaster');
  });
});
