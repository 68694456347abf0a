import { describe, expect, it } from 'vitest';
import { AuthPenaltyTable, DEFAULT_AUTH_PENALTY_DELAY } from '../../core/engine/auth-penalty.js';

function table(now = { t: 0 }) {
  const failures: string[] = [];
  const penalties = new AuthPenaltyTable({
    delay: (n) => n * 100,
    forgetAfterMs: 1000,
    now: () => now.t,
    maxEntries: 4,
    onFailure: ({ protocol, address, user, addressFailures }) => failures.push(`${protocol} ${address} ${user ?? '-'} ${addressFailures}`),
  });
  return { penalties, failures, now };
}

describe('AuthPenaltyTable (issue 14 item 11)', () => {
  it('remembers failures per address across connections and protocols', () => {
    const { penalties, failures } = table();
    penalties.forConnection('192.0.2.1', 'pop3').failed('alice');
    penalties.forConnection('::ffff:192.0.2.1', 'smtp').failed(undefined);
    expect(penalties.forConnection('192.0.2.1', 'pop3').delayMs(undefined)).toBe(200);
    expect(failures).toEqual(['pop3 192.0.2.1 alice 1', 'smtp ::ffff:192.0.2.1 - 2']);
  });

  it('remembers failures per user whatever the address, and a right password clears the user, not the address', () => {
    const { penalties } = table();
    penalties.forConnection('192.0.2.1', 'pop3').failed('Alice');
    penalties.forConnection('192.0.2.2', 'pop3').failed('alice');
    expect(penalties.forConnection('192.0.2.3', 'smtp').delayMs('ALICE')).toBe(200);
    expect(penalties.forConnection('192.0.2.3', 'smtp').delayMs('bob')).toBe(0);
    penalties.forConnection('192.0.2.1', 'pop3').succeeded('alice');
    expect(penalties.forConnection('192.0.2.3', 'smtp').delayMs('alice')).toBe(0);
    expect(penalties.forConnection('192.0.2.1', 'smtp').delayMs('alice')).toBe(100);
  });

  it('forgets after the quiet period, and never holds more than maxEntries keys', () => {
    const { penalties, now } = table();
    penalties.forConnection('192.0.2.1', 'pop3').failed(undefined);
    now.t = 1001;
    expect(penalties.forConnection('192.0.2.1', 'pop3').delayMs(undefined)).toBe(0);
    for (let i = 0; i < 10; i++) penalties.forConnection(`198.51.100.${i}`, 'pop3').failed(`u${i}`);
    expect(penalties.forConnection('198.51.100.0', 'pop3').delayMs(undefined)).toBe(0);
    expect(penalties.forConnection('198.51.100.9', 'pop3').delayMs(undefined)).toBe(100);
  });

  it("the default curve is Dovecot's: 2 s doubling to at most 15 s", () => {
    expect([0, 1, 2, 3, 4, 10].map(DEFAULT_AUTH_PENALTY_DELAY)).toEqual([0, 2000, 4000, 8000, 15000, 15000]);
  });
});
