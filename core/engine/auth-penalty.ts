/**
 * A failed-login penalty that survives reconnects (after Dovecot's auth
 * penalty): failures are remembered per source address and per user, across
 * connections and both protocols, and every later answer to a login attempt
 * from that address or for that user is delayed by the penalty, whether the
 * password was right or wrong, so the timing tells a guesser nothing. A
 * guesser who reconnects instead of waiting gains nothing.
 *
 * Pure: the clock is injected; no timers. The adapter binds a table to one
 * connection's address (`forConnection`); the dispatcher asks that view for
 * the delay and reports the outcome.
 */
import type { Protocol } from '../events.js';

/** What the dispatcher sees: the penalty for this connection's address. */
export interface AuthPenalty {
  /** The delay owed before answering a login attempt for `user` (undefined: not known yet), in ms. */
  delayMs(user: string | undefined): number;
  failed(user: string | undefined): void;
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
  /** One call per failed login: for the log line every failure gets, with or without --verbose. */
  onFailure?: (failure: { protocol: Protocol; address: string; user: string | undefined; addressFailures: number; userFailures: number }) => void;
}

/** Dovecot's curve: 2 s after the first failure, doubling, at most 15 s. */
export const DEFAULT_AUTH_PENALTY_DELAY = (failures: number): number => (failures <= 0 ? 0 : Math.min(2000 * 2 ** (failures - 1), 15_000));

interface Entry {
  failures: number;
  last: number;
}

export class AuthPenaltyTable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: AuthPenaltyOptions) {}

  /** The penalty as one connection from `address` sees it. */
  forConnection(address: string, protocol: Protocol): AuthPenalty {
    return {
      delayMs: (user) => this.options.delay(Math.max(this.failures(addressKey(address)), user === undefined ? 0 : this.failures(userKey(user)))),
      failed: (user) => {
        const addressFailures = this.count(addressKey(address));
        const userFailures = user === undefined ? 0 : this.count(userKey(user));
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

  private count(key: string): number {
    const failures = this.failures(key) + 1;
    this.entries.delete(key);
    this.entries.set(key, { failures, last: this.options.now() });
    const max = this.options.maxEntries ?? 100_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    return failures;
  }
}

function addressKey(address: string): string {
  return `address:${address.startsWith('::ffff:') ? address.slice(7) : address}`;
}

function userKey(user: string): string {
  return `user:${user.toLowerCase()}`;
}
