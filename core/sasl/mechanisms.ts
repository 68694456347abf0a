/**
 * SASL mechanisms shared by POP3 AUTH (RFC 5034) and SMTP AUTH (RFC 4954):
 * PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and CRAM-MD5 (RFC 2195),
 * and OAUTHBEARER (RFC 7628, ./oauthbearer.ts) where a server lists it.
 * Sans-I/O: each exchange turns decoded client responses into the next
 * challenge or a claim to verify against the user's secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { MechanismName, SaslExchange, SaslStep } from './exchange.js';
import { OAuthBearerExchange } from './oauthbearer.js';

export type { MechanismName } from './exchange.js';
/** The mechanisms offered by default. */
export const MECHANISMS: readonly MechanismName[] = ['PLAIN', 'LOGIN', 'CRAM-MD5'];
/** Every mechanism the engines implement; OAUTHBEARER only where a server lists it (a lesson's `mechanisms:`). */
export const ALL_MECHANISMS: readonly MechanismName[] = [...MECHANISMS, 'OAUTHBEARER'];

/** Mechanisms that send the password itself (only base64-encoded) over the wire, or a bearer token, which is as good as one (RFC 7628 §5). */
export const PLAINTEXT_MECHANISMS: ReadonlySet<MechanismName> = new Set(['PLAIN', 'LOGIN', 'OAUTHBEARER']);

/**
 * The one authentication policy of both listeners (POP3 and SMTP submission):
 * a password in the clear (USER/PASS, PLAIN, LOGIN) only under TLS, from a
 * loopback client, or with the operator's --allow-plaintext-auth
 * (`plaintextAllowed`); the challenge-response ones (APOP, CRAM-MD5) send no
 * password and stay available before TLS (RFC 4954 §6, 538 5.7.11 is per
 * mechanism). The mechanisms allowed now, in the order they are offered.
 */
export function allowedMechanisms(plaintextAllowed: boolean, offered: readonly MechanismName[] = MECHANISMS): MechanismName[] {
  return offered.filter((name) => plaintextAllowed || !PLAINTEXT_MECHANISMS.has(name));
}

export type { SaslExchange, SaslStep } from './exchange.js';

export function isMechanism(name: string): name is MechanismName {
  return (ALL_MECHANISMS as readonly string[]).includes(name);
}

/** @param challenge the CRAM-MD5 challenge, `<random.clock@host>` (RFC 2195 §2); chosen by the caller. */
export function createExchange(mechanism: MechanismName, challenge: string): SaslExchange {
  switch (mechanism) {
    case 'PLAIN':
      return new PlainExchange();
    case 'LOGIN':
      return new LoginExchange();
    case 'CRAM-MD5':
      return new CramMd5Exchange(challenge);
    case 'OAUTHBEARER':
      return new OAuthBearerExchange();
  }
}

/** Compares two strings in constant time (for the same length). */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

class PlainExchange implements SaslExchange {
  readonly mechanism = 'PLAIN';
  start(initial: Buffer | undefined): SaslStep {
    return initial === undefined ? { kind: 'challenge', data: Buffer.alloc(0) } : this.respond(initial);
  }
  /** RFC 4616 §2: message = [authzid] NUL authcid NUL passwd */
  respond(response: Buffer): SaslStep {
    const parts = response.toString('utf8').split('\0');
    if (parts.length !== 3) return { kind: 'failure', reason: 'PLAIN response must be authzid NUL authcid NUL password (RFC 4616 section 2)' };
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authcid === '') return { kind: 'failure', reason: 'PLAIN response has an empty authentication identity' };
    if (authzid !== '' && authzid !== authcid) {
      return { kind: 'failure', reason: `PLAIN: ${authcid} may not act as ${authzid} (authorization identity must be empty or equal)` };
    }
    return { kind: 'claim', user: authcid, verify: (secret) => secretsEqual(password, secret), attempt: password };
  }
}

class LoginExchange implements SaslExchange {
  readonly mechanism = 'LOGIN';
  private user: string | undefined;
  start(initial: Buffer | undefined): SaslStep {
    return initial === undefined ? { kind: 'challenge', data: Buffer.from('Username:') } : this.respond(initial);
  }
  respond(response: Buffer): SaslStep {
    if (this.user === undefined) {
      this.user = response.toString('utf8');
      if (this.user === '') return { kind: 'failure', reason: 'LOGIN: empty user name' };
      return { kind: 'challenge', data: Buffer.from('Password:') };
    }
    const password = response.toString('utf8');
    return { kind: 'claim', user: this.user, verify: (secret) => secretsEqual(password, secret), attempt: password };
  }
}

class CramMd5Exchange implements SaslExchange {
  readonly mechanism = 'CRAM-MD5';
  private started = false;
  constructor(private readonly challenge: string) {}
  start(initial: Buffer | undefined): SaslStep {
    if (initial !== undefined) return { kind: 'failure', reason: 'CRAM-MD5 takes no initial response (RFC 2195 section 2)' };
    this.started = true;
    return { kind: 'challenge', data: Buffer.from(this.challenge) };
  }
  /** RFC 2195 §2: response = user SP hex(HMAC-MD5(secret, challenge)) */
  respond(response: Buffer): SaslStep {
    if (!this.started) return { kind: 'failure', reason: 'CRAM-MD5 exchange not started' };
    const text = response.toString('utf8');
    const match = /^(.+) ([0-9a-f]{32})$/.exec(text);
    if (!match) return { kind: 'failure', reason: 'CRAM-MD5 response must be "user <32 lowercase hex digits>" (RFC 2195 section 2)' };
    const [, user, digest] = match as unknown as [string, string, string];
    return { kind: 'claim', user, verify: (secret) => secretsEqual(digest, cramMd5Digest(secret, this.challenge)) };
  }
}

/** HMAC-MD5 of the challenge keyed with the secret, in lowercase hex (RFC 2195 §2). */
export function cramMd5Digest(secret: string, challenge: string): string {
  return createHmac('md5', secret).update(challenge).digest('hex');
}

/**
 * RFC 1939 §7: digest = MD5(timestamp + secret), in lowercase hex. The secret
 * is hashed as UTF-8, as CRAM-MD5 and PLAIN hash and send it, so one password
 * works with every mechanism.
 */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash('md5').update(timestamp + secret, 'utf8').digest('hex');
}

/**
 * Decodes a SASL line (RFC 4422 §3 via RFC 5034 §4 / RFC 4954 §4):
 * "=" is an empty response; anything else must be strict base64.
 */
export function decodeSaslResponse(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0);
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
