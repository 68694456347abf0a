/**
 * Time in the tests. Tests wait on conditions (a reply, a closed socket, a
 * controller's snapshot), never on the clock; the clock only bounds how long
 * a wait may take before the test gives up. Those bounds are written for a
 * quiet developer machine and multiplied by MAILLAB_TEST_TIME_FACTOR (default
 * 1): CI and slow or busy machines raise it (`npm run test:load` uses 2, as a
 * busy loop on every core halves the CPU each test gets). Raising it makes a
 * failing test slower to give up, never a passing one slower.
 */

/** The multiplier of every time bound in the tests (MAILLAB_TEST_TIME_FACTOR, a number ≥ 1; default 1). */
export const TIME_FACTOR = timeFactor(process.env.MAILLAB_TEST_TIME_FACTOR);

/** A time bound in milliseconds, as written for a quiet machine, scaled by MAILLAB_TEST_TIME_FACTOR. */
export function scaled(ms: number): number {
  return Math.round(ms * TIME_FACTOR);
}

function timeFactor(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor < 1) throw new Error(`MAILLAB_TEST_TIME_FACTOR "${text}" is not a number ≥ 1`);
  return factor;
}

/**
 * Resolves once `check` holds, re-checked every `pollMs` (and at once); fails,
 * naming `what` (and `detail()` when given), once `ms` (scaled) have passed
 * without it. For conditions no event announces (a file on disk, a process's
 * output folder, a count kept by the code under test).
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000, options: { pollMs?: number; detail?: () => string } = {}): Promise<void> {
  const deadline = Date.now() + scaled(ms);
  const pollMs = options.pollMs ?? 10;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`gave up after ${scaled(ms)} ms waiting for ${what}${options.detail ? `:\n${options.detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Resolves with true once `promise` settles, or with false after `ms`
 * (scaled). For an outcome that must come within a protocol timeout the test
 * configured (a close at the idle timeout): the bound is that timeout plus
 * headroom, scaled for a busy machine.
 */
export function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), scaled(ms)))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Lets `ms` pass to show that something does NOT happen in that time (a paused
 * lesson stays on its step, a socket stays open). Never to wait for the code
 * to do something: a busy machine makes such a wait fail, while here it only
 * makes the check weaker, never wrong.
 */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
