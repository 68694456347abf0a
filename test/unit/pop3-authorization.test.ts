import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import type { Pop3Backend } from '../../core/pop3/backend.js';
import { apopDigest } from '../../core/sasl/mechanisms.js';
import { type Pop3Output } from '../../core/pop3/session.js';
import { DEFAULT_POP3_OPTIONS, type Pop3SessionOptions } from '../../core/pop3/options.js';
import { cramMd5Digest } from '../../core/sasl/mechanisms.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeHarness, rfcMaildrop, RFC_TIMESTAMP, type Harness } from '../helpers/pop3-harness.js';

const RFC_DIGEST = 'c4c9334bac560ecc979e58001b3e22fb';
const USERS = { mrose: 'tanstaaf', alice: 'wonderland', carol: 'correct horse battery staple', dave: ' padded  ' };
const CHALLENGE = '<1896.697170952@postoffice.example.net>';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const errorCodes = (output: Pop3Output) => output.events.flatMap((e) => (e.kind === 'error' ? [e.code] : []));
const warnings = (output: Pop3Output) => output.events.filter((e) => e.kind === 'annotation' && e.about === 'warning');
const clientLines = (output: Pop3Output) => output.events.filter((e): e is Extract<WireEvent, { kind: 'line' }> => e.kind === 'line' && e.from === 'client');

/** Sessions on one store and one backend, as the lab runs them. */
function lab(backendOptions: Parameters<typeof createPop3Backend>[2] = {}) {
  const store = new MemoryStore();
  rfcMaildrop(store);
  const backend = createPop3Backend(new StaticUsers(USERS), store, backendOptions);
  return { store, backend, session: (options: Partial<Pop3SessionOptions> = {}) => makeHarness(options, undefined, backend) };
}

async function userPass(h: Harness, user: string, password: string): Promise<Pop3Output> {
  expect(await h.send(`USER ${user}`)).toMatch(/^\+OK/);
  return h.output(`PASS ${password}`);
}

describe('USER and PASS', () => {
  it('logs in and locks the maildrop', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(await h.send('USER mrose')).toBe('+OK mrose, send PASS\r\n');
    const output = await h.output('PASS tanstaaf');
    expect(output.bytes.toString()).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
    expect(output.delayMs).toBe(0);
    expect(h.session.state).toBe('TRANSACTION');
    expect(h.store.isLocked('mrose')).toBe(true);
  });

  it('a wrong password is refused with [AUTH] and leaves the session in AUTHORIZATION', async () => {
    const h = makeHarness({}, rfcMaildrop);
    const output = await userPass(h, 'mrose', 'tanstaafl');
    expect(output.bytes.toString()).toBe('-ERR [AUTH] invalid user name or password\r\n');
    expect(errorCodes(output)).toEqual(['AUTH_FAILED']);
    expect(h.session.state).toBe('AUTHORIZATION');
    expect(h.store.isLocked('mrose')).toBe(false);
  });

  it('after a failed PASS, USER must be sent again', async () => {
    const h = makeHarness();
    await userPass(h, 'alice', 'nope');
    expect(await h.send('PASS wonderland')).toBe('-ERR PASS must follow a successful USER command\r\n');
    expect((await userPass(h, 'alice', 'wonderland')).bytes.toString()).toMatch(/^\+OK alice's maildrop/);
  });

  it('an unknown user gets the same replies as a known one with a wrong password (RFC 1939 §13)', async () => {
    const known = makeHarness();
    const unknown = makeHarness();
    expect(await unknown.send('USER nobody')).toBe('+OK nobody, send PASS\r\n');
    const a = await userPass(known, 'alice', 'wrong');
    const b = await unknown.output('PASS wrong');
    expect(b.bytes.toString()).toBe(a.bytes.toString());
    expect(errorCodes(b)).toEqual(errorCodes(a));
  });

  it('PASS without USER is a bad command, not an authentication failure', async () => {
    const h = makeHarness({ authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay });
    const output = await h.output('PASS wonderland');
    expect(output.bytes.toString()).toBe('-ERR PASS must follow a successful USER command\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
    expect(output.delayMs).toBe(0);
  });

  it('USER without a name is an error', async () => {
    const h = makeHarness();
    expect(await h.send('USER')).toBe('-ERR USER needs a mailbox name\r\n');
    expect(await h.send('USER    ')).toBe('-ERR USER needs a mailbox name\r\n');
  });

  it('a second USER replaces the first', async () => {
    const h = makeHarness();
    await h.send('USER mrose');
    expect((await userPass(h, 'alice', 'wonderland')).bytes.toString()).toMatch(/^\+OK alice's maildrop/);
  });

  it('takes a password with spaces whole (RFC 1939 §7)', async () => {
    const { session } = lab();
    expect((await userPass(session(), 'carol', 'correct horse battery staple')).bytes.toString()).toMatch(/^\+OK carol's maildrop/);
    expect((await userPass(session(), 'carol', 'correct horse')).bytes.toString()).toBe('-ERR [AUTH] invalid user name or password\r\n');
    expect((await userPass(session(), 'carol', 'correct  horse battery staple')).bytes.toString()).toMatch(/^-ERR \[AUTH\]/);
  });

  it('keeps leading and trailing spaces of the password', async () => {
    const { session } = lab();
    expect((await userPass(session(), 'dave', ' padded  ')).bytes.toString()).toMatch(/^\+OK dave's maildrop/);
    expect((await userPass(session(), 'dave', 'padded')).bytes.toString()).toMatch(/^-ERR \[AUTH\]/);
  });
});

describe('PASS is masked in the line events', () => {
  it('replaces the password and flags the line masked', async () => {
    const h = makeHarness();
    await h.send('USER alice');
    const output = await h.output('PASS wonderland');
    expect(clientLines(output)).toEqual([{ kind: 'line', from: 'client', text: 'PASS ********', masked: true }]);
    expect(JSON.stringify(output.events)).not.toContain('wonderland');
  });

  it.each([
    ['lowercase', 'pass wonderland'],
    ['a wrong password', 'PASS wonderlanD'],
    ['spaces in it', 'PASS won der land'],
    ['a leading blank', ' PASS wonderland'],
    ['a NUL byte', 'PASS wonder\0land'],
    ['an 8-bit byte', 'PASS wonder\xe9land'],
  ])('with %s', async (_, line) => {
    const h = makeHarness();
    await h.send('USER alice');
    const output = await h.output(Buffer.from(line, 'latin1'));
    const [event] = clientLines(output);
    expect(event?.masked).toBe(true);
    expect(JSON.stringify(output.events)).not.toMatch(/wonder|land|der/);
  });

  it('USER lines are not masked', async () => {
    const h = makeHarness();
    const output = await h.output('USER alice');
    expect(clientLines(output)).toEqual([{ kind: 'line', from: 'client', text: 'USER alice' }]);
  });
});

describe('the cleartext password warning', () => {
  const warning = {
    kind: 'annotation',
    about: 'warning',
    key: 'pop3.warning.cleartext-password',
    rfc: 'RFC 8314 §1',
    detail: 'PASS sent a password without TLS: anyone on the path can read it',
  };

  it('PASS without TLS is annotated, whether or not the password is right', async () => {
    expect(warnings(await userPass(makeHarness(), 'alice', 'wonderland'))).toEqual([warning]);
    expect(warnings(await userPass(makeHarness(), 'alice', 'wrong'))).toEqual([warning]);
  });

  it('PASS over TLS is not', async () => {
    expect(warnings(await userPass(makeHarness({ secure: true }), 'alice', 'wonderland'))).toEqual([]);
  });

  it('PASS after STLS is not', async () => {
    const h = makeHarness();
    await h.send('STLS');
    h.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(warnings(await userPass(h, 'alice', 'wonderland'))).toEqual([]);
  });

  it('APOP sends no password, so it is not annotated', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(warnings(await h.output(`APOP mrose ${RFC_DIGEST}`))).toEqual([]);
  });
});

describe('APOP', () => {
  it('logs in with the RFC 1939 §7 example digest', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(h.greeting.bytes.toString()).toBe(`+OK POP3 server ready ${RFC_TIMESTAMP}\r\n`);
    const output = await h.output(`APOP mrose ${RFC_DIGEST}`);
    expect(output.bytes.toString()).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
    expect(h.session.state).toBe('TRANSACTION');
    expect(output.events).toContainEqual(expect.objectContaining({ kind: 'transition', cause: 'APOP accepted for mrose; the maildrop is now locked' }));
  });

  it('refuses the digest in uppercase hex, as CRAM-MD5 does (RFC 1939 section 7 and RFC 2195 section 2: lower-case)', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(await h.send(`APOP mrose ${RFC_DIGEST.toUpperCase()}`)).toBe('-ERR APOP digest must be 32 lowercase hex digits (RFC 1939 section 7)\r\n');
    expect(h.session.state).toBe('AUTHORIZATION');
    expect(await h.send(`APOP mrose ${RFC_DIGEST}`)).toMatch(/^\+OK mrose's maildrop/);
  });

  it('depends on the greeting timestamp: the RFC digest fails under another one', async () => {
    const h = makeHarness({ timestamp: '<1896.697170953@dbc.mtview.ca.us>' }, rfcMaildrop);
    expect(await h.send(`APOP mrose ${RFC_DIGEST}`)).toBe('-ERR [AUTH] invalid user name or password\r\n');
    expect(await h.send(`APOP mrose ${apopDigest('<1896.697170953@dbc.mtview.ca.us>', 'tanstaaf')}`)).toMatch(/^\+OK/);
  });

  it('hashes a non-ASCII secret as UTF-8, like CRAM-MD5 and PLAIN, so one password works with all three', async () => {
    const secret = 'pässwörd€';
    const backend = createPop3Backend(new StaticUsers({ joerg: secret }), new MemoryStore());
    // MD5 over the timestamp's octets then the secret's UTF-8 octets, computed here without maillab's helper.
    const utf8 = createHash('md5').update(Buffer.concat([Buffer.from(RFC_TIMESTAMP, 'ascii'), Buffer.from(secret, 'utf8')])).digest('hex');
    const latin1 = createHash('md5').update(Buffer.concat([Buffer.from(RFC_TIMESTAMP, 'ascii'), Buffer.from(secret, 'latin1')])).digest('hex');
    expect(utf8).not.toBe(latin1);
    const refused = makeHarness({}, undefined, backend);
    expect(await refused.send(`APOP joerg ${latin1}`)).toMatch(/^-ERR/);
    const accepted = makeHarness({}, undefined, backend);
    expect(await accepted.send(`APOP joerg ${utf8}`)).toMatch(/^\+OK/);
    expect(cramMd5Digest(secret, CHALLENGE)).toBe(createHmac('md5', Buffer.from(secret, 'utf8')).update(CHALLENGE).digest('hex'));
  });

  it('a wrong digest is an authentication failure', async () => {
    const h = makeHarness({ authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay }, rfcMaildrop);
    const output = await h.output(`APOP mrose ${'0'.repeat(32)}`);
    expect(output.bytes.toString()).toBe('-ERR [AUTH] invalid user name or password\r\n');
    expect(errorCodes(output)).toEqual(['AUTH_FAILED']);
    expect(output.delayMs).toBe(500);
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  it('an unknown user gets the same reply as a wrong digest', async () => {
    const h = makeHarness();
    expect(await h.send(`APOP nobody ${RFC_DIGEST}`)).toBe('-ERR [AUTH] invalid user name or password\r\n');
  });

  it.each([
    ['APOP'],
    ['APOP mrose'],
    ['APOP mrose c4c9334bac560ecc979e58001b3e22f'],
    [`APOP mrose ${RFC_DIGEST}0`],
    ['APOP mrose g4c9334bac560ecc979e58001b3e22fb'],
    [`APOP mrose ${RFC_DIGEST} extra`],
    [`APOP  mrose ${RFC_DIGEST}`],
  ])('%s is malformed: a bad command, not a failed login', async (line) => {
    const h = makeHarness({ authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay }, rfcMaildrop);
    const output = await h.output(line);
    expect(output.bytes.toString()).toBe('-ERR APOP needs a name and a 32-digit hex MD5 digest: APOP name digest\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
    expect(output.delayMs).toBe(0);
  });

  it('forgets a pending USER', async () => {
    const h = makeHarness();
    await h.send('USER alice');
    await h.send(`APOP alice ${'0'.repeat(32)}`);
    expect(await h.send('PASS wonderland')).toBe('-ERR PASS must follow a successful USER command\r\n');
  });
});

describe('plaintext passwords refused outside TLS (plaintextAuthAllowed=false, secure=false)', () => {
  const refused = (what: string) => `-ERR [AUTH] plaintext authentication (${what}) is disabled on unencrypted connections; use STLS first\r\n`;
  const strict = () => makeHarness({ plaintextAuthAllowed: false }, rfcMaildrop);

  it('refuses USER, and PASS then has nothing to follow', async () => {
    const h = strict();
    const output = await h.output('USER alice');
    expect(output.bytes.toString()).toBe(refused('USER/PASS'));
    expect(errorCodes(output)).toEqual(['PLAINTEXT_REFUSED']);
    expect(await h.send('PASS wonderland')).toBe('-ERR PASS must follow a successful USER command\r\n');
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  it('refuses AUTH PLAIN with or without an initial response', async () => {
    const h = strict();
    expect(await h.send(`AUTH PLAIN ${b64('\0alice\0wonderland')}`)).toBe(refused('AUTH PLAIN'));
    expect(await h.send('AUTH plain')).toBe(refused('AUTH PLAIN'));
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  it('refuses AUTH LOGIN', async () => {
    const h = strict();
    expect(await h.send('AUTH LOGIN')).toBe(refused('AUTH LOGIN'));
    expect(await h.send(`AUTH LOGIN ${b64('alice')}`)).toBe(refused('AUTH LOGIN'));
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.lineLimit).toBe(255);
  });

  it('still allows CRAM-MD5', async () => {
    const h = strict();
    expect(await h.send('AUTH CRAM-MD5')).toBe(`+ ${b64(CHALLENGE)}\r\n`);
    const reply = await h.send(b64(`mrose ${cramMd5Digest('tanstaaf', CHALLENGE)}`));
    expect(reply).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
  });

  it('still allows APOP', async () => {
    const h = strict();
    expect(await h.send(`APOP mrose ${RFC_DIGEST}`)).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
  });

  it('CAPA lacks USER and lists SASL CRAM-MD5 only; bare AUTH agrees', async () => {
    const h = strict();
    const capa = (await h.send('CAPA')).split('\r\n');
    expect(capa).not.toContain('USER');
    expect(capa).toContain('SASL CRAM-MD5');
    expect(capa.filter((line) => line.startsWith('SASL'))).toEqual(['SASL CRAM-MD5']);
    expect(await h.send('AUTH')).toBe('+OK SASL mechanisms follow\r\nCRAM-MD5\r\n.\r\n');
  });

  it('over TLS the same settings allow USER/PASS without a warning', async () => {
    const h = makeHarness({ plaintextAuthAllowed: false, secure: true });
    const output = await userPass(h, 'alice', 'wonderland');
    expect(output.bytes.toString()).toMatch(/^\+OK alice's maildrop/);
    expect(warnings(output)).toEqual([]);
  });
});

describe('[IN-USE]: one maildrop, one session', () => {
  it('a second session for the same user is refused while the first holds the lock', async () => {
    const { session, store } = lab();
    const first = session();
    expect((await userPass(first, 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^\+OK/);
    const second = session();
    const output = await userPass(second, 'mrose', 'tanstaaf');
    expect(output.bytes.toString()).toBe('-ERR [IN-USE] maildrop already locked by another session\r\n');
    expect(errorCodes(output)).toEqual(['MAILDROP_IN_USE']);
    expect(output.delayMs).toBe(0);
    expect(second.session.state).toBe('AUTHORIZATION');
    expect(store.isLocked('mrose')).toBe(true);
  });

  it('a right password for a locked maildrop waits as long as a wrong one would (no timing oracle, issue 19 item 14)', async () => {
    const { session } = lab();
    await userPass(session(), 'mrose', 'tanstaaf');
    const delay = (failures: number) => failures * 100;
    const second = session({ authFailureDelay: delay });
    expect((await userPass(second, 'mrose', 'wrong')).delayMs).toBe(100);
    const locked = await userPass(second, 'mrose', 'tanstaaf');
    expect(locked.bytes.toString()).toBe('-ERR [IN-USE] maildrop already locked by another session\r\n');
    // The wrong password's next answer would have waited 200 ms: so does the right one's.
    expect(locked.delayMs).toBe(200);
  });

  it('the penalty remembered across connections applies to a locked maildrop too', async () => {
    const { session } = lab();
    await userPass(session(), 'mrose', 'tanstaaf');
    const penalty = { delayMs: (user: string | undefined) => (user === 'mrose' ? 4000 : 0), failed: () => undefined, succeeded: () => undefined };
    const locked = await userPass(session({ authPenalty: penalty }), 'mrose', 'tanstaaf');
    expect(locked.bytes.toString()).toMatch(/^-ERR \[IN-USE\]/);
    expect(locked.delayMs).toBe(4000);
  });

  it('APOP and AUTH are refused the same way', async () => {
    const { session } = lab();
    await userPass(session(), 'mrose', 'tanstaaf');
    const second = session();
    expect(await second.send(`APOP mrose ${RFC_DIGEST}`)).toBe('-ERR [IN-USE] maildrop already locked by another session\r\n');
    expect(await second.send('AUTH CRAM-MD5')).toMatch(/^\+ /);
    expect(await second.send(b64(`mrose ${cramMd5Digest('tanstaaf', CHALLENGE)}`))).toBe('-ERR [IN-USE] maildrop already locked by another session\r\n');
  });

  it('another user is not affected', async () => {
    const { session } = lab();
    await userPass(session(), 'mrose', 'tanstaaf');
    expect((await userPass(session(), 'alice', 'wonderland')).bytes.toString()).toMatch(/^\+OK alice's/);
  });

  it('the refused session can log in once the first one QUITs', async () => {
    const { session } = lab();
    const first = session();
    await userPass(first, 'mrose', 'tanstaaf');
    const second = session();
    await userPass(second, 'mrose', 'tanstaaf');
    await first.send('QUIT');
    expect((await userPass(second, 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^\+OK mrose's maildrop/);
  });

  it('or once the first one is dropped', async () => {
    const { session } = lab();
    const first = session();
    await userPass(first, 'mrose', 'tanstaaf');
    await first.session.end('dropped');
    expect((await userPass(session(), 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^\+OK mrose's maildrop/);
  });

  it('a wrong password is an [AUTH] failure even while the maildrop is locked', async () => {
    const { session } = lab();
    await userPass(session(), 'mrose', 'tanstaaf');
    expect((await userPass(session(), 'mrose', 'bad')).bytes.toString()).toBe('-ERR [AUTH] invalid user name or password\r\n');
  });
});

describe('[LOGIN-DELAY] (RFC 2449 §8.1.2) with a fake clock', () => {
  function delayedLab() {
    let clock = 1_000_000;
    const setup = lab({ loginDelaySeconds: 60, now: () => clock });
    return { ...setup, advance: (ms: number) => (clock += ms) };
  }

  it('refuses a login sooner than the delay, naming the wait', async () => {
    const { session, advance } = delayedLab();
    const first = session();
    await userPass(first, 'mrose', 'tanstaaf');
    await first.send('QUIT');
    advance(10_000);
    const output = await userPass(session(), 'mrose', 'tanstaaf');
    expect(output.bytes.toString()).toBe('-ERR [LOGIN-DELAY] logged in too recently; wait 50 more seconds\r\n');
    expect(errorCodes(output)).toEqual(['LOGIN_DELAY']);
  });

  it('says "1 more second" in the singular', async () => {
    const { session, advance } = delayedLab();
    await userPass(session(), 'mrose', 'tanstaaf');
    advance(59_500);
    expect((await session().send(`APOP mrose ${RFC_DIGEST}`))).toBe('-ERR [LOGIN-DELAY] logged in too recently; wait 1 more second\r\n');
  });

  it('allows the login once the delay has passed; a refused attempt does not restart it', async () => {
    const { session, advance } = delayedLab();
    const first = session();
    await userPass(first, 'mrose', 'tanstaaf');
    await first.send('QUIT');
    advance(30_000);
    expect((await userPass(session(), 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^-ERR \[LOGIN-DELAY\]/);
    advance(30_000);
    expect((await userPass(session(), 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^\+OK mrose's maildrop/);
  });

  it('is per user', async () => {
    const { session } = delayedLab();
    const first = session();
    await userPass(first, 'mrose', 'tanstaaf');
    await first.send('QUIT');
    expect((await userPass(session(), 'alice', 'wonderland')).bytes.toString()).toMatch(/^\+OK alice's/);
  });

  it('a failed password does not start the delay', async () => {
    const { session } = delayedLab();
    await userPass(session(), 'mrose', 'wrong');
    expect((await userPass(session(), 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^\+OK mrose's/);
  });

  it('no delay when loginDelaySeconds is 0', async () => {
    const { session } = lab({ loginDelaySeconds: 0, now: () => 5 });
    const first = session();
    await userPass(first, 'mrose', 'tanstaaf');
    await first.send('QUIT');
    expect((await userPass(session(), 'mrose', 'tanstaaf')).bytes.toString()).toMatch(/^\+OK/);
  });
});

describe('the authentication failure delay', () => {
  const withDefaultDelay = (setup?: Parameters<typeof makeHarness>[1], backend?: Pop3Backend) =>
    makeHarness({ authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay }, setup, backend);

  it('the default doubles from 500 ms and is capped at 8 s', () => {
    const delay = DEFAULT_POP3_OPTIONS.authFailureDelay;
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(delay)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
  });

  it('grows with each consecutive failure and is capped (Pop3Output.delayMs)', async () => {
    const h = withDefaultDelay();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const user = await h.output('USER alice');
      expect(user.delayMs).toBe(0);
      delays.push((await h.output('PASS wrong')).delayMs);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('counts failures of every method together: PASS, APOP, AUTH', async () => {
    const h = withDefaultDelay();
    await h.send('USER alice');
    expect((await h.output('PASS wrong')).delayMs).toBe(500);
    expect((await h.output(`APOP alice ${'0'.repeat(32)}`)).delayMs).toBe(1000);
    expect((await h.output(`AUTH PLAIN ${b64('\0alice\0wrong')}`)).delayMs).toBe(2000);
    await h.send('AUTH LOGIN');
    await h.send(b64('alice'));
    expect((await h.output(b64('wrong'))).delayMs).toBe(4000);
  });

  it('bad commands between failures neither add to the delay nor reset it', async () => {
    const h = withDefaultDelay();
    await userPass(h, 'alice', 'wrong');
    expect((await h.output('FROB')).delayMs).toBe(0);
    expect((await h.output('PASS wrong')).delayMs).toBe(0);
    expect((await userPass(h, 'alice', 'wrong')).delayMs).toBe(1000);
  });

  it('a successful login is delayed exactly as a failure would be at that point, and only after a failure (issue 14 item 11)', async () => {
    expect((await userPass(withDefaultDelay(), 'alice', 'wonderland')).delayMs).toBe(0);
    const h = withDefaultDelay();
    expect((await userPass(h, 'alice', 'wrong')).delayMs).toBe(500);
    expect((await userPass(h, 'alice', 'wonderland')).delayMs).toBe(1000);
  });

  it('a cancelled SASL exchange or a refused plaintext login is not a failure', async () => {
    const h = makeHarness({ authFailureDelay: DEFAULT_POP3_OPTIONS.authFailureDelay, plaintextAuthAllowed: false });
    expect((await h.output('USER alice')).delayMs).toBe(0);
    await h.send('AUTH CRAM-MD5');
    expect((await h.output('*')).delayMs).toBe(0);
    await h.send('AUTH CRAM-MD5');
    expect((await h.output(b64(`alice ${'0'.repeat(32)}`))).delayMs).toBe(500);
  });

  it('the injected function is what decides', async () => {
    const calls: number[] = [];
    const h = makeHarness({ authFailureDelay: (failures) => (calls.push(failures), failures * 7) });
    expect((await userPass(h, 'alice', 'x')).delayMs).toBe(7);
    expect((await userPass(h, 'alice', 'y')).delayMs).toBe(14);
    expect(calls).toEqual([1, 2]);
  });
});

describe('password guessing ends the session', () => {
  it('counts each failed login as a bad command, so the third one closes with maxBadCommands 3', async () => {
    const h = makeHarness({ maxBadCommands: 3 });
    for (const guess of ['one', 'two']) {
      await h.send('USER alice');
      expect(await h.send(`PASS ${guess}`)).toBe('-ERR [AUTH] invalid user name or password\r\n');
    }
    await h.send('USER alice');
    const third = await h.output('PASS three');
    expect(third.bytes.toString()).toBe('-ERR too many bad commands (3), closing connection\r\n');
    expect(third.close).toBe(true);
    expect(third.events).toContainEqual(expect.objectContaining({ kind: 'transition', to: 'CLOSED' }));
  });
});
