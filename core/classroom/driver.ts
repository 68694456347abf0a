/**
 * What a classroom session drives: the sandbox, a real server, or a lesson.
 * Each driver gives plain events to `emit`; the session stamps them.
 */
import type { ClientInputMode } from '../client/tracker.js';
import type { Protocol, WireEvent } from '../events.js';

export type Emit = (event: WireEvent) => void;

export interface LessonProgress {
  readonly id: string;
  readonly title: string;
  /** Steps shown so far. */
  readonly step: number;
  /** Steps the lesson shows in all. */
  readonly of: number;
}

export interface ClassroomDriver {
  readonly protocol: Protocol;
  readonly state: string;
  readonly inputMode: ClientInputMode;
  readonly closed: boolean;
  readonly lesson?: LessonProgress;
  /** One batch of lines from the console (a pipelining batch goes out at once); `insist` sends credentials a real server did not offer AUTH for (/plain!). */
  submit(lines: readonly string[], how?: { insist?: boolean }): Promise<void>;
  /** Lessons in watch or step mode: the next step; false at the end. */
  next(): Promise<boolean>;
  /** A meta-command only this driver knows (practice's /hint, /reveal); false when it is not one. */
  meta(line: string): Promise<boolean>;
  close(): Promise<void>;
}
