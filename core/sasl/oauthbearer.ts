/**
 * OAUTHBEARER (RFC 7628): the client presents an OAuth 2.0 bearer token
 * (RFC 6750) in a GS2 header and key/value pairs separated by 0x01:
 * "n,a=alice@example.org,\x01host=…\x01port=587\x01auth=Bearer TOKEN\x01\x01"
 * (§3.1). A token that is not accepted gets an error challenge, a JSON object
 * (§3.2.2), which the client answers with a lone 0x01; then the server fails
 * the exchange. The lab is its own authorization server: it issues each user
 * one token, derived from the user's secret (labBearerToken), where a real
 * provider's OAuth 2.0 server (RFC 6749) would issue one after a login.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SaslExchange, SaslStep } from './exchange.js';

/** The token the lab issues `user`: HMAC-SHA256 of a fixed text, keyed with the user's secret, base64url; the same every time. */
export function labBearerToken(user: string, secret: string): string {
  return `lab.${createHmac('sha256', secret).update(`maillab OAUTHBEARER token for ${user}`).digest('base64url').slice(0, 32)}`;
}

/** The error challenge of RFC 7628 §3.2.2, for a token the lab did not issue. */
export const OAUTHBEARER_ERROR = JSON.stringify({ status: 'invalid_token', schemes: 'bearer', scope: 'mail' });

export class OAuthBearerExchange implements SaslExchange {
  readonly mechanism = 'OAUTHBEARER';
  private rejected = false;

  start(initial: Buffer | undefined): SaslStep {
    // RFC 7628 §3.1: the client's message is its initial response; without one, an empty challenge asks for it.
    return initial === undefined ? { kind: 'challenge', data: Buffer.alloc(0) } : this.respond(initial);
  }

  respond(response: Buffer): SaslStep {
    const text = response.toString('utf8');
    if (this.rejected) {
      // §3.2.3: after the error challenge the client sends a lone 0x01, and the exchange fails.
      return { kind: 'failure', reason: text === '\x01' ? 'the bearer token was not accepted (RFC 7628 section 3.2.2)' : 'after the error challenge the client must send a single 0x01 (RFC 7628 section 3.2.3)' };
    }
    const match = /^([ny]|p=[^,]*),(a=([^,]*))?,\x01((?:[A-Za-z]+=[^\x01]*\x01)*)\x01$/.exec(text);
    if (!match) return { kind: 'failure', reason: 'OAUTHBEARER message must be a GS2 header, then key=value pairs each ended by 0x01, then 0x01 (RFC 7628 section 3.1)' };
    if (match[1]!.startsWith('p=')) return { kind: 'failure', reason: 'OAUTHBEARER has no channel binding (RFC 7628 section 3.1)' };
    const user = decodeSaslName(match[3] ?? '');
    if (user === '') return { kind: 'failure', reason: 'the lab needs the user in the GS2 header, "a=alice@example.org" (RFC 7628 section 3.1)' };
    const pairs = new Map(match[4]!.split('\x01').filter((pair) => pair !== '').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    const token = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(pairs.get('auth') ?? '')?.[1];
    if (token === undefined) return { kind: 'failure', reason: 'OAUTHBEARER needs "auth=Bearer TOKEN" (RFC 7628 section 3.1, RFC 6750 section 2.1)' };
    const name = user.includes('@') ? user.slice(0, user.lastIndexOf('@')) : user;
    return { kind: 'claim', user: name, verify: (secret) => sameToken(token, labBearerToken(name, secret)), reject: () => this.reject() };
  }

  /** The token was not accepted: the error challenge (§3.2.2); the exchange then fails on the client's 0x01. */
  private reject(): SaslStep {
    this.rejected = true;
    return { kind: 'challenge', data: Buffer.from(OAUTHBEARER_ERROR) };
  }
}

/** saslname (RFC 5801 §4): "=2C" is ",", "=3D" is "=". */
function decodeSaslName(text: string): string {
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** Compares two tokens in constant time (for the same length). */
function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
