/**
 * What one input to a protocol engine produced, and the collector both engines
 * (POP3, SMTP) gather it in: reply values, their wire bytes, the events a
 * learner sees, and what the adapter must do next.
 */
import type { EngineOutput as BaseOutput } from './server-engine.js';
import { transitionsLast, type WireEvent } from '../events.js';

/** An engine's output (core/engine/server-engine.ts) with the reply values it was serialised from, for tests. */
export interface EngineOutput<Reply> extends BaseOutput {
  readonly replies: readonly Reply[];
}

export class OutputCollector<Reply> {
  private replies: Reply[] = [];
  private events: WireEvent[] = [];
  private delayMs = 0;
  private tls = false;
  private closing = false;

  /**
   * @param serialize turns a reply into its wire bytes (the one place per protocol that does)
   * @param describe the events that show a reply to a learner (its lines, a body summary)
   */
  constructor(
    private readonly serialize: (reply: Reply) => Buffer,
    private readonly describe: (reply: Reply) => WireEvent[],
  ) {}

  reply(reply: Reply): void {
    this.replies.push(reply);
    this.events.push(...this.describe(reply));
  }

  event(event: WireEvent): void {
    this.events.push(event);
  }

  delay(ms: number): void {
    this.delayMs = Math.max(this.delayMs, ms);
  }

  startTls(): void {
    this.tls = true;
  }

  close(): void {
    this.closing = true;
  }

  /** Hands over everything gathered since the last call and starts afresh. */
  take(): EngineOutput<Reply> {
    const output: EngineOutput<Reply> = {
      replies: this.replies,
      // One reply (the usual case, a RETR among them) is sent as serialised, without a copy.
      bytes: this.replies.length === 1 ? this.serialize(this.replies[0]!) : Buffer.concat(this.replies.map(this.serialize)),
      events: transitionsLast(this.events),
      delayMs: this.delayMs,
      startTls: this.tls,
      close: this.closing,
    };
    this.replies = [];
    this.events = [];
    this.delayMs = 0;
    this.tls = false;
    this.closing = false;
    return output;
  }
}
