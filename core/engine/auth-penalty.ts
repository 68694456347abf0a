/**
 * A failed-login penalty that survives reconnects (after Dovecot's auth
 * penalty): failures are remembered per source address and per user, across
 * connections and both protocols, and every later answer to a login attempt
 * from that address or for that user is delayed by the penalty, whether the
 * password was right or wrong, so the timing tells a guesser nothing. A
 * guesser who reconnects instead of waiting gains nothing.
 *
 * The same wrong password tried again for the same user is not counted again
 * (as Dovecot does): a learner retrying a typo is not a guesser trying many.
 *
 * The classroom bridge's connections all come from loopback: with `whose`, a
 * connection the process opened itself is keyed by the address of the
 * learner it serves (the browser's), and one that serves no known address
 * has no per-address key at all (as Dovecot exempts its trusted networks);
 * the per-user key still applies. One learner's typos never slow another.
 *
 * Pure: the clock is injected; no timers. The adapter binds a table to one
 * connection's address (`forSocket`); the dispatcher asks that view for
 * the delay and reports the outcome.
 */
import { createHash } from 'node:crypto';
import type { Protocol } from '../events.js';

/** What the dispatcher sees: the penalty for this connection's address. */
export interface AuthPenalty {
  /** The delay owed before answering a login attempt for `user` (undefined: not known yet), in ms. */
  delayMs(user: string | undefined): number;
  /** A failed login; `attempt` is the wrong password when the mechanism saw it (the same one again is not counted again). */
  failed(user: string | undefined, attempt?: string): void;
  succeeded(user: string): void;
}

export interface AuthPenaltyOptions {
  /** The delay after `failures` remembered failures (0 for none). */
  delay: (failures: number) => number;
  /** A failure is forgotten this long after the last one from the same key. */
  forgetAfterMs: number;
  now: () => number;
  /** Keys remembered at most; the oldest are forgotten first, so a flood of addresses cannot fill memory. */
  maxEntries?: number;
  /** For a connection from `address:port`: undefined when it is an outside client's; for one of this process's own, the address it serves, if known. */
  whose?: (address: string | undefined, port: number | undefined) => { onBehalfOf: string | undefined } | undefined;
  /** One call per failed login: for the log line every failure gets, with or without --verbose. */
  onFailure?: (failure: { protocol: Protocol; address: string; user: string | undefined; addressFailures: number; userFailures: number }) => void;
}

/** Dovecot's curve: 2 s after the first failure, doubling, at most 15 s. */
export const DEFAULT_AUTH_PENALTY_DELAY = (failures: number): number => (failures <= 0 ? 0 : Math.min(2000 * 2 ** (failures - 1), 15_000));

interface Entry {
  failures: number;
  last: number;
  /** Fingerprints of the wrong passwords counted for this user (user keys only), newest last. */
  attempts?: string[];
}

/** Wrong passwords remembered per user, to recognise a repeat. */
const REMEMBERED_ATTEMPTS = 8;

export class AuthPenaltyTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: AuthPenaltyOptions) {}

  /** The penalty for the connection from `address:port`: by its own address, or, for one of this process's own, by whose it is. */
  forSocket(address: string | undefined, port: number | undefined, protocol: Protocol): AuthPenalty {
    const own = this.options.whose?.(address, port);
    if (!own) return this.forConnection(address ?? 'unknown', protocol);
    return own.onBehalfOf !== undefined ? this.forConnection(own.onBehalfOf, protocol) : this.forConnection(address ?? 'unknown', protocol, { perAddress: false });
  }

  /** The penalty as one connection from `address` sees it; without `perAddress`, only the per-user key applies. */
  forConnection(address: string, protocol: Protocol, { perAddress = true }: { perAddress?: boolean } = {}): AuthPenalty {
    return {
      delayMs: (user) => this.options.delay(Math.max(perAddress ? this.failures(addressKey(address)) : 0, user === undefined ? 0 : this.failures(userKey(user)))),
      failed: (user, attempt) => {
        const fingerprint = user === undefined || attempt === undefined ? undefined : fingerprintOf(user, attempt);
        const repeat = fingerprint !== undefined && this.tried(userKey(user!), fingerprint);
        const addressFailures = !perAddress ? 0 : repeat ? this.failures(addressKey(address)) : this.count(addressKey(address));
        const userFailures = user === undefined ? 0 : repeat ? this.failures(userKey(user)) : this.count(userKey(user), fingerprint);
        this.options.onFailure?.({ protocol, address, user, addressFailures, userFailures });
      },
      succeeded: (user) => {
        // The user proved the password: their own key is cleared. The address keeps its record,
        // so one known account does not reset the guessing of others from the same place.
        this.entries.delete(userKey(user));
      },
    };
  }

  /** Failures remembered for a key now. */
  failures(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    if (this.options.now() - entry.last > this.options.forgetAfterMs) {
      this.entries.delete(key);
      return 0;
    }
    return entry.failures;
  }

  /** True when `fingerprint` is a wrong password already counted for this user key (and still remembered). */
  private tried(key: string, fingerprint: string): boolean {
    return this.failures(key) > 0 && (this.entries.get(key)?.attempts?.includes(fingerprint) ?? false);
  }

  private count(key: string, fingerprint?: string): number {
    const failures = this.failures(key) + 1;
    const attempts = fingerprint === undefined ? this.entries.get(key)?.attempts : [...(this.entries.get(key)?.attempts ?? []), fingerprint].slice(-REMEMBERED_ATTEMPTS);
    this.entries.delete(key);
    this.entries.set(key, { failures, last: this.options.now(), ...(attempts ? { attempts } : {}) });
    const max = this.options.maxEntries ?? 100_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    return failures;
  }
}

/** A short digest of a wrong password for one user: enough to recognise it again, never the password itself. */
function fingerprintOf(user: string, attempt: string): string {
  return createHash('sha256').update(`${user.toLowerCase()}\0${attempt}`, 'utf8').digest('base64').slice(0, 16);
}

function addressKey(address: string): string {
  return `address:${address.startsWith('::ffff:') ? address.slice(7) : address}`;
}

function userKey(user: string): string {
  return `user:${user.toLowerCase()}`;
}
