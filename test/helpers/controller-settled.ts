/**
 * Waiting for the TUI's ClassroomController without a clock: after keys are
 * typed, the test waits until the controller has handled every chunk it was
 * fed and has told its subscribers (Ink redraws synchronously when told, the
 * ink-testing-library frame with it). Re-checked on each notification of the
 * controller's subscription, so a busy machine only makes it later.
 */
import type { ClassroomController } from '../../tui/classroom-controller.js';
import { scaled } from './time.js';

/** What the controller keeps to itself, read here only to know it is idle. */
interface ControllerInternals {
  input: string[];
  scheduled: boolean;
}

export interface ControllerProbe {
  /** Resolves once every chunk fed so far is handled and announced (the frame redrawn); fails after `ms`, scaled by MAILLAB_TEST_TIME_FACTOR. */
  settled(ms?: number): Promise<void>;
  /** Resolves once `check` holds, re-checked on every notification of the controller; fails after `ms` (scaled), naming `what`. */
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
}

/** Watches `controller` (before it is rendered, so every chunk Ink feeds it is seen). */
export function probeController(controller: ClassroomController): ControllerProbe {
  const internals = controller as unknown as ControllerInternals;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const check of [...waiters]) check();
  };
  controller.subscribe(wake);
  // A chunk Ink hands over is handled at once, or later in the controller's pump; look again after it starts.
  const feed = controller.feed.bind(controller);
  controller.feed = (chunk: string) => {
    feed(chunk);
    queueMicrotask(wake);
  };
  const until = (check: () => boolean, what: string, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const test = () => {
        if (!check()) return;
        waiters.delete(test);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`gave up after ${scaled(ms)} ms waiting for ${what}`));
      }, scaled(ms));
      waiters.add(test);
      test();
    });
  return {
    async settled(ms) {
      await until(() => !controller.busy && internals.input.length === 0 && !internals.scheduled, 'the controller to handle its input', ms);
      // Let anything the last notification started (a React effect) run before the frame is read.
      await new Promise((resolve) => setImmediate(resolve));
    },
    until,
  };
}
