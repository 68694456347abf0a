import { describe, expect, it } from 'vitest';
import { AuthPenaltyTable } from '../../core/engine/auth-penalty.js';

/** A table whose `whose` says: port 40001 is the bridge's, for 10.0.0.5; port 40002 is the bridge's, for nobody known; others are outside clients. */
function classroomTable() {
  const logged: string[] = [];
  const penalties = new AuthPenaltyTable({
    delay: (n) => n * 1000,
    forgetAfterMs: 60_000,
    now: () => 0,
    whose: (_address, port) => (port === 40001 ? { onBehalfOf: '10.0.0.5' } : port === 40002 ? { onBehalfOf: undefined } : undefined),
    onFailure: ({ address, user, addressFailures, userFailures }) => logged.push(`${address} ${user ?? '-'} ${addressFailures} ${userFailures}`),
  });
  return { penalties, logged };
}

describe('the login penalty behind the classroom bridge (issue 19, item 5)', () => {
  it("keys the bridge's connections by the learner's address, not the bridge's loopback one", () => {
    const { penalties, logged } = classroomTable();
    penalties.forSocket('127.0.0.1', 40001, 'pop3').failed('alice', 'typo1');
    penalties.forSocket('127.0.0.1', 40001, 'pop3').failed('alice', 'typo2');
    // The learner at 10.0.0.5 is penalised, through the bridge or directly…
    expect(penalties.forSocket('127.0.0.1', 40001, 'pop3').delayMs(undefined)).toBe(2000);
    expect(penalties.forSocket('10.0.0.5', 5555, 'pop3').delayMs(undefined)).toBe(2000);
    // …another tab of the same bridge (another learner, another user) is not, nor an outside client on loopback.
    expect(penalties.forSocket('127.0.0.1', 40002, 'pop3').delayMs('bob')).toBe(0);
    expect(penalties.forSocket('127.0.0.1', 6666, 'pop3').delayMs('bob')).toBe(0);
    // The per-user key holds wherever alice is tried from.
    expect(penalties.forSocket('127.0.0.1', 40002, 'smtp').delayMs('alice')).toBe(2000);
    expect(logged).toEqual(['10.0.0.5 alice 1 1', '10.0.0.5 alice 2 2']);
  });

  it("gives the bridge's own connections with no known learner no per-address key at all; the per-user key stays", () => {
    const { penalties, logged } = classroomTable();
    for (let index = 0; index < 5; index++) penalties.forSocket('127.0.0.1', 40002, 'pop3').failed(`user${index}`, 'wrong');
    expect(penalties.forSocket('127.0.0.1', 40002, 'pop3').delayMs('someone-else')).toBe(0);
    expect(penalties.forSocket('127.0.0.1', 40002, 'pop3').delayMs('user3')).toBe(1000);
    expect(logged.every((line) => / 0 1$/.test(line))).toBe(true);
  });

  it('does not count the same wrong password for the same user again; a different one, or another user, counts', () => {
    const { penalties, logged } = classroomTable();
    const view = penalties.forSocket('192.0.2.7', 1234, 'pop3');
    for (let index = 0; index < 4; index++) view.failed('alice', 'wonderlnd');
    expect(view.delayMs('alice')).toBe(1000);
    view.failed('ALICE', 'wonderlnd');
    expect(view.delayMs('alice')).toBe(1000);
    view.failed('alice', 'wondreland');
    expect(view.delayMs('alice')).toBe(2000);
    view.failed('bob', 'wonderlnd');
    expect(view.delayMs(undefined)).toBe(3000);
    // A failure whose password the mechanism did not see (CRAM-MD5, APOP) always counts.
    view.failed('alice');
    view.failed('alice');
    expect(view.delayMs('alice')).toBe(5000);
    expect(logged.slice(0, 5)).toEqual(['192.0.2.7 alice 1 1', '192.0.2.7 alice 1 1', '192.0.2.7 alice 1 1', '192.0.2.7 alice 1 1', '192.0.2.7 ALICE 1 1']);
  });
});
