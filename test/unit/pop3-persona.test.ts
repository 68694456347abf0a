import { describe, expect, it } from 'vitest';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import { RFC1939_TEXTS, RFC5034_TEXTS, type Pop3Texts } from '../../core/pop3/persona.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeHarness, messageOfSize, rfcMaildrop } from '../helpers/pop3-harness.js';

describe('POP3 reply texts: maillab defaults unchanged', () => {
  it('words USER, PASS, CAPA, STLS and QUIT as before', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(await h.send('USER frated')).toBe('+OK frated, send PASS\r\n');
    expect(await h.send('USER mrose')).toBe('+OK mrose, send PASS\r\n');
    expect(await h.send('PASS tanstaaf')).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
    expect((await h.send('CAPA')).split('\r\n')[0]).toBe('+OK Capability list follows');
    expect(await h.send('QUIT')).toBe('+OK maillab POP3 server signing off (2 messages left)\r\n');
  });

  it('keeps response codes and the store\'s own explanation of a lock', async () => {
    const h = makeHarness({}, rfcMaildrop);
    await h.store.openMaildrop('mrose');
    await h.send('USER mrose');
    expect(await h.send('PASS tanstaaf')).toBe('-ERR [IN-USE] maildrop already locked by another session\r\n');
    expect(await h.send('STLS')).toBe('+OK Begin TLS negotiation\r\n');
  });
});

describe('POP3 reply texts: the RFC 1939 §7 examples, byte for byte', () => {
  it('USER for an unknown and a known name, when unknown users are revealed', async () => {
    const h = makeHarness({ texts: RFC1939_TEXTS, revealUnknownUsers: true }, rfcMaildrop);
    const unknown = await h.output('USER frated');
    expect(unknown.bytes.toString()).toBe('-ERR sorry, no mailbox for frated here\r\n');
    expect(unknown.events).toContainEqual(expect.objectContaining({ kind: 'error', code: 'AUTH_FAILED' }));
    expect(h.session.pendingUser).toBeUndefined();
    expect(await h.send('USER mrose')).toBe('+OK mrose is a real hoopy frood\r\n');
    expect(await h.send('PASS tanstaaf')).toBe("+OK mrose's maildrop has 2 messages (320 octets)\r\n");
  });

  it('does not reveal unknown users unless told to (RFC 1939 §13)', async () => {
    const h = makeHarness({ texts: RFC1939_TEXTS }, rfcMaildrop);
    expect(await h.send('USER frated')).toBe('+OK frated is a real hoopy frood\r\n');
  });

  it('"-ERR maildrop already locked", without a response code', async () => {
    const h = makeHarness({ texts: RFC1939_TEXTS, responseCodes: false }, rfcMaildrop);
    await h.store.openMaildrop('mrose');
    await h.send('USER mrose');
    expect(await h.send('PASS tanstaaf')).toBe('-ERR maildrop already locked\r\n');
  });

  it('APOP: "+OK maildrop has 1 message (369 octets)"', async () => {
    const h = makeHarness({ texts: { apopOk: 'maildrop has {messages} ({octets} octets)' } }, (store) => store.add('mrose', messageOfSize(369)));
    expect(await h.send('APOP mrose c4c9334bac560ecc979e58001b3e22fb')).toBe('+OK maildrop has 1 message (369 octets)\r\n');
  });

  it('QUIT signs off with the server name, in both states (RFC 1939 §4, §6)', async () => {
    const before = makeHarness({ serverName: 'dewey' });
    expect(await before.send('QUIT')).toBe('+OK dewey POP3 server signing off\r\n');
    const reworded = makeHarness({ serverName: 'dewey', texts: { signOff: 'bye from {host}', signOffUpdate: '{host}: {left}' } }, rfcMaildrop);
    expect(await reworded.send('QUIT')).toBe('+OK bye from dewey\r\n');
    const after = makeHarness({ serverName: 'dewey', texts: { signOffUpdate: '{host}: {left}' } }, rfcMaildrop);
    await after.send('USER mrose');
    await after.send('PASS tanstaaf');
    expect(await after.send('QUIT')).toBe('+OK dewey: 2 messages left\r\n');
  });
});

describe('POP3 reply texts: a missing message and RSET (RFC 1939 §5, §7; RFC 1460 §5)', () => {
  async function loggedIn(texts?: Partial<Pop3Texts>) {
    const h = makeHarness(texts ? { texts } : {}, rfcMaildrop);
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    return h;
  }

  it('keeps the defaults: "only 2 messages in maildrop" and the RSET totals', async () => {
    const h = await loggedIn();
    expect(await h.send('LIST 3')).toBe('-ERR no such message, only 2 messages in maildrop\r\n');
    expect(await h.send('TOP 100 3')).toBe('-ERR no such message, only 2 messages in maildrop\r\n');
    await h.send('DELE 1');
    expect(await h.send('RSET')).toBe('+OK maildrop has 2 messages (320 octets)\r\n');
  });

  it('words TOP\'s refusal as RFC 1939 §7 does, and sends a bare +OK for RSET', async () => {
    const h = await loggedIn({ noSuchMessage: 'no such message', rsetOk: '' });
    expect(await h.send('TOP 100 3')).toBe('-ERR no such message\r\n');
    expect(await h.send('RSET')).toBe('+OK\r\n');
  });

  it('fills {count}, {messages} and {octets}', async () => {
    const h = await loggedIn({ noSuchMessage: '{count} only ({messages})', rsetOk: '{count} {octets}' });
    expect(await h.send('UIDL 9')).toBe('-ERR 2 only (2 messages)\r\n');
    expect(await h.send('RSET')).toBe('+OK 2 320\r\n');
  });
});

describe('POP3 reply texts: RFC 2449 and RFC 5034', () => {
  it('sends an exact CAPA list (RFC 2449 §5 example)', async () => {
    const capabilities = ['TOP', 'USER', 'SASL CRAM-MD5 KERBEROS_V4', 'RESP-CODES', 'LOGIN-DELAY 900', 'PIPELINING', 'EXPIRE 60', 'UIDL', 'IMPLEMENTATION Shlemazle-Plotz-v302'];
    const h = makeHarness({ capabilities });
    expect(await h.send('CAPA')).toBe(`+OK Capability list follows\r\n${capabilities.map((line) => `${line}\r\n`).join('')}.\r\n`);
  });

  it('leaves RESP-CODES and AUTH-RESP-CODE out of the computed list when response codes are off', async () => {
    const h = makeHarness({ responseCodes: false });
    const capa = await h.send('CAPA');
    expect(capa).not.toContain('RESP-CODES');
    expect(capa).toContain('\r\nTOP\r\n');
  });

  it('words CAPA, STLS and AUTH as RFC 5034 §6 does', async () => {
    const h = makeHarness({ texts: RFC5034_TEXTS, capabilities: ['SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS', 'IMPLEMENTATION BlurdyBlurp POP3 server'] });
    expect(await h.send('CAPA')).toBe('+OK List of capabilities follows\r\nSASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS\r\nIMPLEMENTATION BlurdyBlurp POP3 server\r\n.\r\n');
    expect(await h.send('STLS')).toBe('+OK Begin TLS negotiation now\r\n');
  });

  it('"+OK Maildrop locked and ready" after AUTH PLAIN', async () => {
    const h = makeHarness({ texts: RFC5034_TEXTS }, undefined, createPop3Backend(new StaticUsers({ test: 'test' }), new MemoryStore()));
    expect(await h.send('AUTH PLAIN')).toBe('+ \r\n');
    expect(await h.send('dGVzdAB0ZXN0AHRlc3Q=')).toBe('+OK Maildrop locked and ready\r\n');
  });

  it('greets without a timestamp when there is none, and then refuses APOP', async () => {
    const h = makeHarness({ timestamp: '', greetingText: 'pop.example.com BlurdyBlurp POP3 server ready' }, rfcMaildrop);
    expect(h.greeting.bytes.toString()).toBe('+OK pop.example.com BlurdyBlurp POP3 server ready\r\n');
    expect(await h.send('APOP mrose c4c9334bac560ecc979e58001b3e22fb')).toMatch(/^-ERR APOP is not offered/);
  });
});
