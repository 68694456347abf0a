/**
 * One browser tab's session: what it talks to now (a lab listener, the
 * sandbox, a remote server, a lesson), and every event it has seen, re-stamped
 * into one sequence (`seq` 1, 2, 3 … across targets) and kept in a bounded
 * backlog so a page that reconnects resumes after the last `seq` it saw.
 * Operations run one at a time, in the order the page sent them.
 */
import type { EventEnvelope, WireEvent } from '../../core/browser.js';
import type { LessonSummary, RefusalCode, SessionStatus, TargetChoice } from '../protocol/messages.js';
import { Backlog } from './backlog.js';
import type { BridgeTarget, OpenTarget, TargetSession } from './target-session.js';

export type ResolvedTarget = { ok: true; target: BridgeTarget; label: string; lesson?: LessonSummary } | { ok: false; code: RefusalCode; message: string };

export interface TabSessionOptions {
  /** The secret a page resumes with. */
  token: string;
  /** A public number for envelope `session` names ("7.2": tab 7, its second target). */
  number: number;
  address: string;
  openTarget: OpenTarget;
  resolve: (choice: TargetChoice) => ResolvedTarget;
  backlogLimit: number;
  /** Bytes the resume backlog keeps at most. */
  backlogBytes: number;
  /** Bytes of page messages waiting their turn at most; more is refused (`accepts`). */
  queueBytes: number;
  clock: () => number;
  /** New envelopes and status changes, for the attached page (if any). */
  onEnvelopes: (envelopes: EventEnvelope[]) => void;
  onStatus: (status: SessionStatus) => void;
  onRefusal: (code: RefusalCode, message: string) => void;
}

/** About what one waiting operation costs besides the text it carries (closure, promise, message object). */
export const OPERATION_OVERHEAD = 256;

/** The bytes an input message carries: its lines with their CRLF. */
export function inputBytes(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + line.length + 2, 0);
}

export class TabSession {
  readonly token: string;
  readonly address: string;
  private readonly backlog: Backlog;
  /** Bytes of page messages waiting their turn, and the most there ever were. */
  private queued = 0;
  private queuedPeak = 0;
  private seq = 0;
  private generation = 0;
  private current: TargetSession | undefined;
  private choice: TargetChoice | undefined;
  private label = '';
  private lesson: SessionStatus['lesson'];
  private queue: Promise<void> = Promise.resolve();
  private outgoing: EventEnvelope[] = [];
  private flushing = false;
  private lastStatus = '';
  private ended = false;
  /** Last message from the page (for the idle timeout). */
  lastActivity: number;
  /** When the page went away (for the resume grace), or undefined while attached. */
  detachedAt: number | undefined;
  /** The page said goodbye (it is being closed or reloaded): end soon after it goes, unless it resumes. */
  saidGoodbye = false;

  constructor(private readonly options: TabSessionOptions) {
    this.token = options.token;
    this.address = options.address;
    this.backlog = new Backlog({ count: options.backlogLimit, bytes: options.backlogBytes });
    this.lastActivity = options.clock();
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Events after `after` that the backlog still holds, the oldest seq held, and how many bodies among them lost their content. */
  since(after: number): { envelopes: EventEnvelope[]; oldest: number; emptied: number } {
    return this.backlog.since(after, this.seq + 1);
  }

  /** What this tab holds in memory: its backlog and the page messages waiting (now and at most). */
  held(): { backlogBytes: number; queuedBytes: number; queuedPeak: number } {
    return { backlogBytes: this.backlog.bytes, queuedBytes: this.queued, queuedPeak: this.queuedPeak };
  }

  /** False when a message of `bytes` would pass the bound on what waits: the page must wait for the work before it. */
  accepts(bytes: number): boolean {
    return this.queued === 0 || this.queued + bytes + OPERATION_OVERHEAD <= this.options.queueBytes;
  }

  status(): SessionStatus | undefined {
    const session = this.current;
    if (!session || !this.choice) return undefined;
    return {
      generation: this.generation,
      source: this.source(),
      target: this.choice,
      label: this.label,
      protocol: session.protocol,
      state: session.state,
      inputMode: session.inputMode,
      closed: session.closed,
      facts: facts(session),
      ...(this.lesson ? { lesson: this.lesson } : {}),
    };
  }

  /** Opens a target (closing the one before); a refusal leaves the old one in place. */
  open(choice: TargetChoice): Promise<void> {
    return this.run(async () => {
      const resolved = this.options.resolve(choice);
      if (!resolved.ok) {
        this.options.onRefusal(resolved.code, resolved.message);
        this.notice(`not opened: ${resolved.message}`, 'warning');
        return;
      }
      const previous = this.current;
      if (previous) {
        this.current = undefined;
        await previous.close().catch(() => undefined);
      }
      this.generation++;
      const generation = this.generation;
      this.choice = choice;
      this.label = resolved.label;
      this.lesson = resolved.lesson ? { id: resolved.lesson.id, title: resolved.lesson.title, mode: (choice as { mode: 'watch' }).mode, stepsLeft: true } : undefined;
      this.notice(`— ${resolved.label} —`);
      try {
        this.current = await this.options.openTarget(resolved.target, (envelope) => {
          if (generation === this.generation) this.stamp(envelope.event, envelope.at);
        });
      } catch (error) {
        this.options.onRefusal('TARGET_FAILED', (error as Error).message);
        this.notice(`could not open ${resolved.label}: ${(error as Error).message}`, 'warning');
      }
      this.changed();
    });
  }

  submit(lines: readonly string[]): Promise<void> {
    return this.run(async () => {
      const session = this.live();
      if (session) await session.submit(lines);
    }, inputBytes(lines));
  }

  meta(line: string): Promise<void> {
    return this.run(async () => {
      const session = this.live();
      if (session) await session.meta(line);
    }, line.length);
  }

  next(): Promise<void> {
    return this.run(async () => {
      const session = this.live();
      if (!session) return;
      const more = await session.next();
      if (this.lesson) this.lesson = { ...this.lesson, stepsLeft: more };
    });
  }

  /** Ends the session for good (idle, gone too long, server stopping). */
  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.notice(reason, 'warning');
    this.ended = true;
    const session = this.current;
    this.current = undefined;
    // Closed first: an operation waiting on the server (a reply that will not come) ends with it, instead of holding the end up.
    await session?.close().catch(() => undefined);
    await this.queue;
    // A target an operation was opening meanwhile is closed too.
    const late = this.current as TargetSession | undefined;
    this.current = undefined;
    await late?.close().catch(() => undefined);
  }

  /** Something the bridge says in the transcript (a notice event, never on the wire). */
  notice(text: string, level: 'info' | 'warning' = 'info'): void {
    this.stamp({ kind: 'notice', text, level }, this.options.clock());
  }

  /** The current status, sent again (after a page attaches). */
  resendStatus(): void {
    this.lastStatus = '';
    this.changed();
  }

  private live(): TargetSession | undefined {
    if (this.current && !this.current.closed) return this.current;
    this.options.onRefusal('SESSION_CLOSED', 'the session is closed; pick a connection or a lesson to start another');
    return undefined;
  }

  private source(): string {
    return `${this.options.number}.${this.generation}`;
  }

  private stamp(event: WireEvent, at: number): void {
    const envelope: EventEnvelope = { session: this.source(), seq: ++this.seq, at, event };
    this.backlog.push(envelope);
    this.outgoing.push(envelope);
    this.scheduleFlush();
  }

  /** Envelopes go out in batches, at most one per turn of the event loop, each followed by the status if it changed. */
  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      this.flushing = false;
      this.changed();
    });
  }

  /** Sends what is waiting, then the status if it changed: a page always has the events before the status they led to. */
  private changed(): void {
    const batch = this.outgoing;
    this.outgoing = [];
    if (batch.length > 0) this.options.onEnvelopes(batch);
    const status = this.status();
    if (!status) return;
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.options.onStatus(status);
  }

  /** Queues an operation; `bytes` (what it carries) count toward the bound on what waits until it has run. */
  private run(operation: () => Promise<void>, carried = 0): Promise<void> {
    // Each waiting operation costs its closure and promise besides what it carries.
    const bytes = carried + OPERATION_OVERHEAD;
    this.queued += bytes;
    this.queuedPeak = Math.max(this.queuedPeak, this.queued);
    const next = this.queue.then(async () => {
      try {
        if (this.ended) return;
        await operation();
      } catch (error) {
        this.notice(`error: ${(error as Error).message}`, 'warning');
      } finally {
        this.queued -= bytes;
      }
      this.changed();
    });
    this.queue = next;
    return next;
  }
}

function facts(session: TargetSession): SessionStatus['facts'] {
  const status = session.status;
  return {
    tls: status.tls,
    ...(status.user !== undefined ? { user: status.user } : {}),
    ...(status.messages !== undefined ? { messages: status.messages } : {}),
    ...(status.envelope ? { envelope: status.envelope } : {}),
    ...(status.lesson ? { step: status.lesson.step, steps: status.lesson.of } : {}),
  };
}
