/**
 * What the bridge needs of a session it drives: the shared classroom session
 * (core/classroom) fits it, and so does a test double. The bridge turns a
 * page's `TargetChoice` into one of these targets, after checking it.
 */
import type { EventEnvelope, Protocol } from '../../core/browser.js';

export type BridgeTarget =
  | { kind: 'sandbox'; server: 'pop3' | 'smtp' | 'submission' }
  | { kind: 'remote'; url: string; insecure?: boolean; starttls?: boolean }
  | { kind: 'lesson'; id: string; mode: 'watch' | 'step' | 'practice' };

export interface TargetSession {
  readonly protocol: Protocol;
  readonly state: string;
  readonly inputMode: 'command' | 'data' | 'sasl';
  readonly closed: boolean;
  /** What a status bar shows (TLS, user, message count, SMTP envelope, lesson progress). */
  readonly status: SessionFacts;
  submit(lines: readonly string[]): Promise<void>;
  meta(line: string): Promise<void>;
  /** Lesson step mode: plays the next step; false when none is left. */
  next(): Promise<boolean>;
  close(): Promise<void>;
}

export interface SessionFacts {
  tls: boolean;
  user?: string;
  messages?: number;
  envelope?: { from?: string; to: string[] };
  lesson?: { id: string; title: string; step: number; of: number };
}

/** Opens a session; its events (greeting first) go to `onEnvelope`. Rejects when the target cannot be reached. */
export type OpenTarget = (target: BridgeTarget, onEnvelope: (envelope: EventEnvelope) => void) => Promise<TargetSession>;
