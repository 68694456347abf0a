/**
 * How much of the long runs a test run does. `npm test` runs a bounded,
 * seeded share of the property/fuzz inputs and the crash-and-restart rounds
 * (the same seeds, fewer of them), so it stays fast; `npm run test:long`
 * sets MAILLAB_TEST_LONG=1 and runs them whole.
 */

/** True under `npm run test:long` (MAILLAB_TEST_LONG=1): the long runs at their full counts. */
export const LONG_RUNS = process.env.MAILLAB_TEST_LONG === '1';

/** `full` under test:long, else npm test's share of it (at least one). */
export function share(full: number, fraction: number): number {
  return LONG_RUNS ? full : Math.max(1, Math.round(full * fraction));
}
