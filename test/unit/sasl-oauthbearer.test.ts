/**
 * OAUTHBEARER (RFC 7628) with the lab's own tokens: offered only where a
 * server lists it, a lab-issued token accepted, any other answered with the
 * error challenge of §3.2.2 and then 535 (§3.2.3).
 */
import { describe, expect, it } from 'vitest';
import { labBearerToken } from '../../core/sasl/oauthbearer.js';
import { DEFAULT_SMTP_PERSONA } from '../../core/smtp/persona.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const message = (user: string, token: string) => b64(`n,a=${user},\x01host=maillab.test\x01port=587\x01auth=Bearer ${token}\x01\x01`);
const submission = (mechanisms?: ('PLAIN' | 'OAUTHBEARER')[]) =>
  makeSmtpHarness({ listener: 'submission', persona: { ...DEFAULT_SMTP_PERSONA, ...(mechanisms ? { mechanisms } : {}) } });

describe('OAUTHBEARER (RFC 7628)', () => {
  it('the lab issues one token a user, from the user\'s secret, the same every time', () => {
    expect(labBearerToken('alice', 'wonderland')).toBe(labBearerToken('alice', 'wonderland'));
    expect(labBearerToken('alice', 'wonderland')).not.toBe(labBearerToken('alice', 'other'));
    expect(labBearerToken('alice', 'wonderland')).not.toBe(labBearerToken('bob', 'wonderland'));
  });

  it('is offered and accepted only where the server lists it', async () => {
    const plain = submission();
    expect(await plain.send('EHLO client.example')).toContain('250-AUTH PLAIN LOGIN CRAM-MD5\r\n');
    expect(await plain.send(`AUTH OAUTHBEARER ${message('alice@maillab.test', labBearerToken('alice', 'wonderland'))}`)).toMatch(/^504 5\.5\.4 Unrecognized authentication type OAUTHBEARER/);
    const h = submission(['PLAIN', 'OAUTHBEARER']);
    expect(await h.send('EHLO client.example')).toContain('250-AUTH PLAIN OAUTHBEARER\r\n');
    expect(await h.send(`AUTH OAUTHBEARER ${message('alice@maillab.test', labBearerToken('alice', 'wonderland'))}`)).toBe('235 2.7.0 Authentication successful\r\n');
    expect(h.session.authenticatedAs).toBe('alice');
  });

  it('a token the lab did not issue: the JSON error challenge, then 535 after the client\'s 0x01', async () => {
    const h = submission(['OAUTHBEARER']);
    await h.send('EHLO client.example');
    const challenge = await h.send(`AUTH OAUTHBEARER ${message('alice@maillab.test', labBearerToken('alice', 'not-her-secret'))}`);
    expect(challenge).toMatch(/^334 /);
    expect(JSON.parse(Buffer.from(challenge.slice(4).trim(), 'base64').toString('utf8'))).toEqual({ status: 'invalid_token', schemes: 'bearer', scope: 'mail' });
    expect(await h.send('AQ==')).toMatch(/^535 5\.7\.8 Authentication credentials invalid: the bearer token was not accepted/);
    expect(h.session.authenticatedAs).toBeUndefined();
  });

  it('a malformed message is refused with its reason', async () => {
    const h = submission(['OAUTHBEARER']);
    await h.send('EHLO client.example');
    expect(await h.send(`AUTH OAUTHBEARER ${b64('auth=Bearer x')}`)).toMatch(/^535 5\.7\.8 .*GS2 header/);
    expect(await h.send(`AUTH OAUTHBEARER ${b64('n,,\x01auth=Bearer x\x01\x01')}`)).toMatch(/^535 5\.7\.8 .*a=alice@example\.org/);
  });
});
