import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import { POP3_LINE_LIMIT, POP3_SASL_LINE_LIMIT, type Pop3Output } from '../../core/pop3/session.js';
import {
  createExchange,
  cramMd5Digest,
  decodeSaslResponse,
  isMechanism,
  MECHANISMS,
  PLAINTEXT_MECHANISMS,
  secretsEqual,
  type SaslStep,
} from '../../core/sasl/mechanisms.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeHarness, rfcMaildrop, type Harness } from '../helpers/pop3-harness.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const ALICE_OK = "+OK alice's maildrop has 0 messages (0 octets)\r\n";

// RFC 2195 §2 example.
const RFC2195_CHALLENGE = '<1896.697170952@postoffice.reston.mci.net>';
const RFC2195_CHALLENGE_B64 = 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+';
const RFC2195_RESPONSE_B64 = 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw';
const RFC2195_DIGEST = 'b913a602c7eda7a495b4e6e7334d3890';

const errorCodes = (output: Pop3Output) => output.events.flatMap((e) => (e.kind === 'error' ? [e.code] : []));
const clientLines = (output: Pop3Output) => output.events.filter((e): e is Extract<WireEvent, { kind: 'line' }> => e.kind === 'line' && e.from === 'client');
const warningKeys = (output: Pop3Output) => output.events.flatMap((e) => (e.kind === 'annotation' && e.about === 'warning' ? [e.key] : []));

/** A session whose users include tim from RFC 2195, with the RFC challenge. */
function timHarness(): Harness {
  const store = new MemoryStore();
  return makeHarness({ challenge: () => RFC2195_CHALLENGE }, undefined, createPop3Backend(new StaticUsers({ tim: 'tanstaaftanstaaf' }), store));
}

describe('AUTH PLAIN (RFC 4616)', () => {
  it('logs in with an initial response', async () => {
    const h = makeHarness();
    const output = await h.output(`AUTH PLAIN ${b64('\0alice\0wonderland')}`);
    expect(output.bytes.toString()).toBe(ALICE_OK);
    expect(h.session.state).toBe('TRANSACTION');
    expect(output.events).toContainEqual(expect.objectContaining({ kind: 'transition', cause: 'AUTH PLAIN accepted for alice; the maildrop is now locked' }));
  });

  it('without an initial response: an empty "+ " challenge, then the response', async () => {
    const h = makeHarness();
    const challenge = await h.output('AUTH PLAIN');
    expect(challenge.bytes.toString()).toBe('+ \r\n');
    expect(challenge.replies).toEqual([{ kind: 'continue', challenge: '' }]);
    expect(h.session.state).toBe('AUTHORIZATION');
    expect(await h.send(b64('\0alice\0wonderland'))).toBe(ALICE_OK);
  });

  it('replays the RFC 5034 example exchange shape', async () => {
    const store = new MemoryStore();
    const h = makeHarness({}, undefined, createPop3Backend(new StaticUsers({ test: 'test' }), store));
    expect(await h.send('AUTH PLAIN')).toBe('+ \r\n');
    expect(await h.send('dGVzdAB0ZXN0AHRlc3Q=')).toBe("+OK test's maildrop has 0 messages (0 octets)\r\n");
  });

  it('accepts an authzid equal to the authcid', async () => {
    const h = makeHarness();
    expect(await h.send(`AUTH PLAIN ${b64('alice\0alice\0wonderland')}`)).toBe(ALICE_OK);
  });

  it('refuses an authzid different from the authcid, even with the right password', async () => {
    const h = makeHarness();
    const output = await h.output(`AUTH PLAIN ${b64('bob\0alice\0wonderland')}`);
    expect(output.bytes.toString()).toBe('-ERR [AUTH] PLAIN: alice may not act as bob (authorization identity must be empty or equal)\r\n');
    expect(errorCodes(output)).toEqual(['AUTH_FAILED']);
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  it('a wrong password and an unknown user give the same reply', async () => {
    const wrong = await makeHarness().send(`AUTH PLAIN ${b64('\0alice\0wonderlanD')}`);
    const unknown = await makeHarness().send(`AUTH PLAIN ${b64('\0nobody\0wonderland')}`);
    expect(wrong).toBe('-ERR [AUTH] authentication failed\r\n');
    expect(unknown).toBe(wrong);
  });

  it('"=" is an empty initial response, which PLAIN rejects as malformed', async () => {
    const h = makeHarness();
    const output = await h.output('AUTH PLAIN =');
    expect(output.bytes.toString('latin1')).toBe('-ERR [AUTH] PLAIN response must be authzid NUL authcid NUL password (RFC 4616 section 2)\r\n');
    expect(errorCodes(output)).toEqual(['AUTH_FAILED']);
    expect(h.session.sasl).toBeUndefined();
  });

  it('an empty continuation line is an empty response too', async () => {
    const h = makeHarness();
    await h.send('AUTH PLAIN');
    expect(await h.send('')).toMatch(/^-ERR \[AUTH\] PLAIN response must be/);
    expect(h.session.sasl).toBeUndefined();
  });

  it.each([
    ['no NULs', 'alice wonderland'],
    ['one NUL', 'alice\0wonderland'],
    ['three NULs', '\0alice\0wonder\0land'],
  ])('a response with %s is malformed', async (_, message) => {
    const h = makeHarness();
    expect(await h.send(`AUTH PLAIN ${b64(message)}`)).toMatch(/^-ERR \[AUTH\] PLAIN response must be/);
  });

  it('an empty authentication identity is refused', async () => {
    const h = makeHarness();
    expect(await h.send(`AUTH PLAIN ${b64('\0\0wonderland')}`)).toBe('-ERR [AUTH] PLAIN response has an empty authentication identity\r\n');
  });

  it('the mechanism name is case-insensitive', async () => {
    const h = makeHarness();
    expect(await h.send(`AUTH plain ${b64('\0alice\0wonderland')}`)).toBe(ALICE_OK);
  });

  it('warns that a password crossed without TLS, and not over TLS', async () => {
    const plain = await makeHarness().output(`AUTH PLAIN ${b64('\0alice\0wonderland')}`);
    expect(warningKeys(plain)).toEqual(['pop3.warning.cleartext-password']);
    const secure = await makeHarness({ secure: true }).output(`AUTH PLAIN ${b64('\0alice\0wonderland')}`);
    expect(warningKeys(secure)).toEqual([]);
  });
});

describe('AUTH LOGIN', () => {
  it('asks "Username:" and "Password:" in base64', async () => {
    const h = makeHarness();
    const first = await h.output('AUTH LOGIN');
    expect(first.bytes.toString()).toBe('+ VXNlcm5hbWU6\r\n');
    expect(first.events).toContainEqual({ kind: 'annotation', about: 'reply', key: 'pop3.sasl.challenge', rfc: 'RFC 5034 §4', detail: 'Username:' });
    expect(await h.send(b64('alice'))).toBe('+ UGFzc3dvcmQ6\r\n');
    expect(await h.send(b64('wonderland'))).toBe(ALICE_OK);
  });

  it('takes the user name as an initial response', async () => {
    const h = makeHarness();
    expect(await h.send(`AUTH LOGIN ${b64('alice')}`)).toBe('+ UGFzc3dvcmQ6\r\n');
    expect(await h.send(b64('wonderland'))).toBe(ALICE_OK);
  });

  it('a wrong password fails', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    await h.send(b64('alice'));
    const output = await h.output(b64('wonderlan'));
    expect(output.bytes.toString()).toBe('-ERR [AUTH] authentication failed\r\n');
    expect(errorCodes(output)).toEqual(['AUTH_FAILED']);
    expect(h.session.sasl).toBeUndefined();
  });

  it('an empty user name fails at once', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    expect(await h.send('')).toBe('-ERR [AUTH] LOGIN: empty user name\r\n');
    expect(h.session.sasl).toBeUndefined();
  });

  it('masks every continuation line, the user name too', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    const user = await h.output(b64('alice'));
    expect(clientLines(user)).toEqual([{ kind: 'line', from: 'client', text: '********', masked: true }]);
    const password = await h.output(b64('wonderland'));
    expect(clientLines(password)).toEqual([{ kind: 'line', from: 'client', text: '********', masked: true }]);
    expect(JSON.stringify(password.events)).not.toContain(b64('wonderland'));
  });
});

describe('AUTH CRAM-MD5 (RFC 2195 §2 example)', () => {
  it('sends the RFC challenge and accepts the RFC response', async () => {
    const h = timHarness();
    expect(await h.send('AUTH CRAM-MD5')).toBe(`+ ${RFC2195_CHALLENGE_B64}\r\n`);
    const output = await h.output(RFC2195_RESPONSE_B64);
    expect(output.bytes.toString()).toBe("+OK tim's maildrop has 0 messages (0 octets)\r\n");
    expect(warningKeys(output)).toEqual([]);
    expect(h.session.state).toBe('TRANSACTION');
  });

  it('the RFC values agree with each other', () => {
    expect(Buffer.from(RFC2195_CHALLENGE_B64, 'base64').toString()).toBe(RFC2195_CHALLENGE);
    expect(Buffer.from(RFC2195_RESPONSE_B64, 'base64').toString()).toBe(`tim ${RFC2195_DIGEST}`);
  });

  it('asks the options for a fresh challenge on each AUTH', async () => {
    let n = 0;
    const h = makeHarness({ challenge: () => `<${++n}.1@example.net>` });
    expect(await h.send('AUTH CRAM-MD5')).toBe(`+ ${b64('<1.1@example.net>')}\r\n`);
    await h.send('*');
    expect(await h.send('AUTH CRAM-MD5')).toBe(`+ ${b64('<2.1@example.net>')}\r\n`);
    expect(await h.send(b64(`alice ${cramMd5Digest('wonderland', '<1.1@example.net>')}`))).toBe('-ERR [AUTH] authentication failed\r\n');
  });

  it('a wrong secret fails', async () => {
    const h = timHarness();
    await h.send('AUTH CRAM-MD5');
    expect(await h.send(b64(`tim ${cramMd5Digest('tanstaaf', RFC2195_CHALLENGE)}`))).toBe('-ERR [AUTH] authentication failed\r\n');
  });

  it('an uppercase hex digest is malformed (RFC 2195 asks for lowercase)', async () => {
    const h = timHarness();
    await h.send('AUTH CRAM-MD5');
    expect(await h.send(b64(`tim ${RFC2195_DIGEST.toUpperCase()}`))).toBe(
      '-ERR [AUTH] CRAM-MD5 response must be "user <32 lowercase hex digits>" (RFC 2195 section 2)\r\n',
    );
  });

  it('refuses an initial response', async () => {
    const h = timHarness();
    const output = await h.output(`AUTH CRAM-MD5 ${RFC2195_RESPONSE_B64}`);
    expect(output.bytes.toString('latin1')).toBe('-ERR [AUTH] CRAM-MD5 takes no initial response (RFC 2195 section 2)\r\n');
    expect(h.session.sasl).toBeUndefined();
  });
});

describe('the SASL exchange', () => {
  it('"*" cancels, is not an authentication failure, and the session goes on', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    const output = await h.output('*');
    expect(output.bytes.toString()).toBe('-ERR AUTH cancelled by client\r\n');
    expect(errorCodes(output)).toEqual(['AUTH_CANCELLED']);
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.state).toBe('AUTHORIZATION');
    expect(await h.send('NOOP')).toMatch(/^-ERR NOOP is only valid in TRANSACTION/);
  });

  it('"*" cancels at the second step too', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    await h.send(b64('alice'));
    expect(await h.send('*')).toBe('-ERR AUTH cancelled by client\r\n');
    expect(await h.send(`AUTH PLAIN ${b64('\0alice\0wonderland')}`)).toBe(ALICE_OK);
  });

  it.each([
    ['characters outside the alphabet', 'YWxp!2U='],
    ['a length that is not a multiple of 4', 'YWxpY2'],
    ['padding in the middle (RFC 5034 §4: "AAA=BBB")', 'AAA=BBBB'],
    ['padding first (RFC 5034 §4: "=AAA")', '=AAA'],
    ['spaces', 'YWxp Y2U='],
  ])('invalid base64 (%s) in a continuation aborts the exchange', async (_, line) => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    const output = await h.output(line);
    expect(output.bytes.toString()).toBe('-ERR SASL response is not valid base64; authentication aborted\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
    expect(h.session.sasl).toBeUndefined();
    expect(await h.send('USER alice')).toBe('+OK alice, send PASS\r\n');
  });

  it('an 8-bit byte in a continuation aborts the exchange', async () => {
    const h = makeHarness();
    await h.send('AUTH PLAIN');
    expect(await h.send(Buffer.from([0x41, 0xe9, 0x41, 0x41]))).toBe('-ERR SASL response is not valid base64; authentication aborted\r\n');
    expect(h.session.sasl).toBeUndefined();
  });

  it.each([['AUTH PLAIN ***'], ['AUTH PLAIN YWxpY2'], ['AUTH LOGIN ==']])('invalid base64 as initial response: %s', async (line) => {
    const h = makeHarness();
    const output = await h.output(line);
    expect(output.bytes.toString()).toBe('-ERR initial response is not valid base64 (use "=" for an empty one)\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
    expect(h.session.sasl).toBeUndefined();
  });

  it('allows long continuation lines, and the limit returns to 255 afterwards', async () => {
    const h = makeHarness();
    expect(h.session.lineLimit).toBe(POP3_LINE_LIMIT);
    await h.send('AUTH PLAIN');
    expect(h.session.lineLimit).toBe(POP3_SASL_LINE_LIMIT);
    await h.send(b64('\0alice\0wonderland'));
    expect(h.session.lineLimit).toBe(POP3_LINE_LIMIT);
  });

  it('an overlong continuation aborts the exchange', async () => {
    const h = makeHarness();
    await h.send('AUTH PLAIN');
    const output = await h.session.overlong(POP3_SASL_LINE_LIMIT);
    expect(output.bytes.toString()).toBe('-ERR SASL response longer than 8192 octets; authentication aborted\r\n');
    expect(output.close).toBe(false);
    expect(h.session.sasl).toBeUndefined();
    expect(h.session.lineLimit).toBe(POP3_LINE_LIMIT);
  });

  it('masks the initial response in the AUTH line', async () => {
    const h = makeHarness();
    const output = await h.output(`AUTH PLAIN ${b64('\0alice\0wonderland')}`);
    expect(clientLines(output)).toEqual([{ kind: 'line', from: 'client', text: 'AUTH PLAIN ********', masked: true }]);
  });

  it.each([
    ['a trailing space', `AUTH PLAIN ${b64('\0alice\0wonderland')} `],
    ['a second argument', `AUTH PLAIN ${b64('\0alice\0wonderland')} extra`],
    ['a leading blank', ` AUTH PLAIN ${b64('\0alice\0wonderland')}`],
  ])('masks the initial response of a malformed AUTH line (%s)', async (_, line) => {
    const h = makeHarness();
    const output = await h.output(line);
    expect(output.bytes.toString()).toMatch(/^-ERR/);
    expect(clientLines(output)[0]?.masked).toBe(true);
    expect(JSON.stringify(output.events)).not.toContain(b64('\0alice\0wonderland'));
  });

  it('does not mask an AUTH line without a response', async () => {
    const h = makeHarness();
    const output = await h.output('AUTH LOGIN');
    expect(clientLines(output)).toEqual([{ kind: 'line', from: 'client', text: 'AUTH LOGIN' }]);
  });

  it('masks continuation lines whole, without showing their length; the cancelling "*" stays visible', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    expect(clientLines(await h.output('YWI=')).map((e) => e.text)).toEqual(['********']);
    expect(clientLines(await h.output('*')).map((e) => e.text)).toEqual(['*']);
    await h.send('AUTH LOGIN');
    expect(clientLines(await h.output('')).map((e) => e.text)).toEqual(['(empty)']);
  });

  it('a continuation line is not taken as a command', async () => {
    const h = makeHarness();
    await h.send('AUTH LOGIN');
    expect(await h.send('QUIT')).toBe('+ UGFzc3dvcmQ6\r\n');
    expect(h.session.state).toBe('AUTHORIZATION');
  });

  it('an [IN-USE] maildrop after a correct exchange is reported', async () => {
    const store = new MemoryStore();
    rfcMaildrop(store);
    const backend = createPop3Backend(new StaticUsers({ mrose: 'tanstaaf' }), store);
    const first = makeHarness({}, undefined, backend);
    await first.send(`AUTH PLAIN ${b64('\0mrose\0tanstaaf')}`);
    const second = makeHarness({}, undefined, backend);
    expect(await second.send(`AUTH PLAIN ${b64('\0mrose\0tanstaaf')}`)).toBe('-ERR [IN-USE] maildrop already locked by another session\r\n');
  });
});

describe('AUTH arguments', () => {
  it('bare AUTH lists the mechanisms', async () => {
    const h = makeHarness();
    const output = await h.output('AUTH');
    expect(output.bytes.toString()).toBe('+OK SASL mechanisms follow\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\n.\r\n');
    expect(h.session.sasl).toBeUndefined();
  });

  it('an unsupported mechanism is refused with the list', async () => {
    const h = makeHarness();
    const output = await h.output('AUTH GSSAPI');
    expect(output.bytes.toString()).toBe('-ERR unsupported SASL mechanism "GSSAPI"; offered: PLAIN LOGIN CRAM-MD5\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
  });

  it('more than one initial response is refused', async () => {
    const h = makeHarness();
    expect(await h.send('AUTH PLAIN AAAA BBBB')).toBe('-ERR AUTH takes a mechanism and at most one initial response\r\n');
    expect(h.session.sasl).toBeUndefined();
  });

  it('AUTH after a successful AUTH is refused (RFC 5034 §4)', async () => {
    const h = makeHarness();
    await h.send(`AUTH PLAIN ${b64('\0alice\0wonderland')}`);
    expect(await h.send(`AUTH PLAIN ${b64('\0alice\0wonderland')}`)).toBe('-ERR AUTH is only valid in AUTHORIZATION state; this session is in TRANSACTION\r\n');
  });

  it('AUTH forgets a pending USER', async () => {
    const h = makeHarness();
    await h.send('USER alice');
    await h.send('AUTH LOGIN');
    await h.send('*');
    expect(await h.send('PASS wonderland')).toBe('-ERR PASS must follow a successful USER command\r\n');
  });
});

describe('core/sasl/mechanisms.ts', () => {
  const claim = (step: SaslStep) => {
    if (step.kind !== 'claim') throw new Error(`expected a claim, got ${JSON.stringify(step)}`);
    return step;
  };

  it('lists the mechanisms and which send the password', () => {
    expect(MECHANISMS).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    // A bearer token is as good as a password to whoever reads it (RFC 7628 §5): the same TLS rule.
    expect([...PLAINTEXT_MECHANISMS].sort()).toEqual(['LOGIN', 'OAUTHBEARER', 'PLAIN']);
    expect(isMechanism('PLAIN')).toBe(true);
    expect(isMechanism('CRAM-MD5')).toBe(true);
    expect(isMechanism('plain')).toBe(false);
    expect(isMechanism('GSSAPI')).toBe(false);
  });

  it('cramMd5Digest reproduces the RFC 2195 vector', () => {
    expect(cramMd5Digest('tanstaaftanstaaf', RFC2195_CHALLENGE)).toBe(RFC2195_DIGEST);
  });

  it('secretsEqual compares exactly', () => {
    expect(secretsEqual('wonderland', 'wonderland')).toBe(true);
    expect(secretsEqual('wonderland', 'Wonderland')).toBe(false);
    expect(secretsEqual('wonderland', 'wonderlan')).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
    expect(secretsEqual('ä', 'a')).toBe(false);
  });

  describe('decodeSaslResponse', () => {
    it.each([
      ['=', ''],
      ['YQ==', 'a'],
      ['YWI=', 'ab'],
      ['YWJj', 'abc'],
      [b64('\0tim\0tanstaaftanstaaf'), '\0tim\0tanstaaftanstaaf'],
    ])('decodes %s', (text, expected) => {
      expect(decodeSaslResponse(text)?.toString('utf8')).toBe(expected);
    });

    it.each([[''], ['*'], ['Y'], ['YQ='], ['YQ=== '], ['=YQ='], ['YQ==YQ=='], ['Y Q=='], ['YQ==\r'], ['Y-Q_'], ['===='], ['YQ\0=']])('rejects %j', (text) => {
      expect(decodeSaslResponse(text)).toBeUndefined();
    });
  });

  describe('PLAIN', () => {
    it('starts with an empty challenge when there is no initial response', () => {
      expect(createExchange('PLAIN', 'unused').start(undefined)).toEqual({ kind: 'challenge', data: Buffer.alloc(0) });
    });

    it('claims the authcid and verifies the password (RFC 4616 §4 example)', () => {
      const step = claim(createExchange('PLAIN', 'unused').start(Buffer.from('\0tim\0tanstaaftanstaaf')));
      expect(step.user).toBe('tim');
      expect(step.verify('tanstaaftanstaaf')).toBe(true);
      expect(step.verify('tanstaaf')).toBe(false);
    });

    it('decodes UTF-8 identities and passwords', () => {
      const step = claim(createExchange('PLAIN', 'unused').respond(Buffer.from('\0jürgen\0grüße', 'utf8')));
      expect(step.user).toBe('jürgen');
      expect(step.verify('grüße')).toBe(true);
    });

    it('refuses an authzid other than the authcid (RFC 4616 §4 "Ursel"/"Kurt")', () => {
      const step = createExchange('PLAIN', 'unused').respond(Buffer.from('Ursel\0Kurt\0xipj3plmq'));
      expect(step).toEqual({ kind: 'failure', reason: 'PLAIN: Kurt may not act as Ursel (authorization identity must be empty or equal)' });
    });

    it('fails on the wrong number of fields or an empty authcid', () => {
      const exchange = createExchange('PLAIN', 'unused');
      expect(exchange.respond(Buffer.from('tim\0secret')).kind).toBe('failure');
      expect(exchange.respond(Buffer.alloc(0)).kind).toBe('failure');
      expect(exchange.respond(Buffer.from('\0\0secret'))).toEqual({ kind: 'failure', reason: 'PLAIN response has an empty authentication identity' });
    });

    it('an empty password only matches an empty secret', () => {
      const step = claim(createExchange('PLAIN', 'unused').respond(Buffer.from('\0tim\0')));
      expect(step.verify('')).toBe(true);
      expect(step.verify('x')).toBe(false);
    });
  });

  describe('LOGIN', () => {
    it('asks for the user name, then the password', () => {
      const exchange = createExchange('LOGIN', 'unused');
      expect(exchange.start(undefined)).toEqual({ kind: 'challenge', data: Buffer.from('Username:') });
      expect(exchange.respond(Buffer.from('tim'))).toEqual({ kind: 'challenge', data: Buffer.from('Password:') });
      const step = claim(exchange.respond(Buffer.from('tanstaaftanstaaf')));
      expect(step.user).toBe('tim');
      expect(step.verify('tanstaaftanstaaf')).toBe(true);
      expect(step.verify('tanstaaf')).toBe(false);
    });

    it('takes the user name as initial response', () => {
      const exchange = createExchange('LOGIN', 'unused');
      expect(exchange.start(Buffer.from('tim'))).toEqual({ kind: 'challenge', data: Buffer.from('Password:') });
      expect(claim(exchange.respond(Buffer.from('x'))).user).toBe('tim');
    });

    it('fails on an empty user name', () => {
      expect(createExchange('LOGIN', 'unused').start(Buffer.alloc(0))).toEqual({ kind: 'failure', reason: 'LOGIN: empty user name' });
    });
  });

  describe('CRAM-MD5', () => {
    it('challenges with the given string and verifies the RFC 2195 response', () => {
      const exchange = createExchange('CRAM-MD5', RFC2195_CHALLENGE);
      expect(exchange.start(undefined)).toEqual({ kind: 'challenge', data: Buffer.from(RFC2195_CHALLENGE) });
      const step = claim(exchange.respond(Buffer.from(`tim ${RFC2195_DIGEST}`)));
      expect(step.user).toBe('tim');
      expect(step.verify('tanstaaftanstaaf')).toBe(true);
      expect(step.verify('tanstaaf')).toBe(false);
    });

    it('a user name may contain spaces: the digest is the last word', () => {
      const exchange = createExchange('CRAM-MD5', RFC2195_CHALLENGE);
      exchange.start(undefined);
      expect(claim(exchange.respond(Buffer.from(`tim smith ${RFC2195_DIGEST}`))).user).toBe('tim smith');
    });

    it('refuses an initial response, a response before start, and malformed responses', () => {
      expect(createExchange('CRAM-MD5', RFC2195_CHALLENGE).start(Buffer.from('x')).kind).toBe('failure');
      expect(createExchange('CRAM-MD5', RFC2195_CHALLENGE).respond(Buffer.from(`tim ${RFC2195_DIGEST}`)).kind).toBe('failure');
      const exchange = createExchange('CRAM-MD5', RFC2195_CHALLENGE);
      exchange.start(undefined);
      for (const bad of [RFC2195_DIGEST, `tim ${RFC2195_DIGEST.slice(1)}`, `tim ${RFC2195_DIGEST}0`, `tim\t${RFC2195_DIGEST}`, ` ${RFC2195_DIGEST}`]) {
        expect(exchange.respond(Buffer.from(bad)).kind, bad).toBe('failure');
      }
    });
  });
});
