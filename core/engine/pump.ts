/**
 * The one pump between bytes and a server engine, sans-I/O. Every driver uses
 * it: the TCP/TLS adapter (core/net/server-connection.ts), the in-process
 * sandbox (core/sandbox), the lesson lab (core/lessons/in-process-lab.ts) and
 * tests. Bytes go in with `push`; `next()` frames one item in the mode the
 * engine wants now and hands it to the engine; each result comes back with
 * its events stamped into envelopes. One item at a time, so pipelined
 * commands are answered in order and a mode change (DATA, a BDAT chunk, a
 * longer SASL line) applies from the very next byte.
 *
 * The pump keeps two rules of the protocols so no driver can forget them:
 * - after a reply that starts TLS, input already received is discarded and
 *   nothing is framed until `tlsEstablished` (RFC 2595 §4, RFC 3207 §4.2:
 *   nothing sent before the handshake may be read after it);
 * - after a reply that closes, or after `end`, no more input is framed.
 */
import { EventStamper, type EventEnvelope } from '../events.js';
import type { InFlightBudget } from '../framing/in-flight-budget.js';
import { InputFramer } from '../framing/input-framer.js';
import type { EngineOutput, ServerEngine } from './server-engine.js';

/** What the driver does with one step of the pump. */
export interface PumpOutput {
  readonly bytes: Buffer;
  readonly envelopes: readonly EventEnvelope[];
  readonly delayMs: number;
  readonly startTls: boolean;
  readonly close: boolean;
}

export interface PumpOptions {
  /** The session id stamped on every event. */
  session: string;
  /** Milliseconds since the epoch, for the envelopes; a fixed clock keeps lessons and tests deterministic. */
  clock?: () => number;
  /** The budget for message bytes in flight, shared by the sessions of one server; none: unlimited. */
  budget?: InFlightBudget;
}

export class EnginePump {
  private framer: InputFramer;
  private readonly budget: InFlightBudget | undefined;
  private readonly stamper: EventStamper;
  private waitingForTls = false;
  private ended = false;

  constructor(
    readonly engine: ServerEngine,
    options: PumpOptions,
  ) {
    this.stamper = new EventStamper(options.session, options.clock);
    this.budget = options.budget;
    this.framer = new InputFramer(this.budget);
  }

  /** The session id of the envelopes. */
  get session(): string {
    return this.stamper.session;
  }

  /** The `seq` of the last event stamped. */
  get seq(): number {
    return this.stamper.seq;
  }

  /** True once the engine closed the session or `end` was called: nothing more is framed. */
  get closed(): boolean {
    return this.ended;
  }

  /** True between a reply that starts TLS and `tlsEstablished`. */
  get awaitingTls(): boolean {
    return this.waitingForTls;
  }

  /** Octets received and not yet handled: a driver pauses a peer that sends faster than it is served. */
  get buffered(): number {
    return this.framer.buffered;
  }

  greet(): PumpOutput {
    return this.wrap(this.engine.greet());
  }

  /** The client talked before the delayed greeting: the engine's refusal, which closes; undefined if the engine has no such rule. */
  earlyTalker(): PumpOutput | undefined {
    const refusal = this.engine.earlyTalker?.();
    return refusal && this.wrap(refusal);
  }

  /** Bytes from the client. Ignored while a TLS handshake is awaited or after the end. */
  push(bytes: Buffer): void {
    if (this.waitingForTls || this.ended) return;
    this.framer.push(bytes);
  }

  /**
   * Frames one item and hands it to the engine; undefined when more bytes are
   * needed (or nothing may be read now). The driver awaits one step before
   * asking for the next. An engine that throws is answered by its own
   * `internalError` reply, which closes.
   */
  next(): Promise<PumpOutput> | undefined {
    if (this.waitingForTls || this.ended) return undefined;
    const item = this.framer.next(this.engine.inputMode);
    if (!item) return undefined;
    const framer = this.framer;
    // Once the engine has handled a message (stored or refused it), its bytes leave the budget.
    return this.engine.receive(item).finally(() => framer.releaseHandedOut()).then(
      (output) => this.wrap(output),
      (error: unknown) => this.wrap(this.engine.internalError(error)),
    );
  }

  /** Every step the bytes received so far allow: for drivers with nothing to wait for between steps (in process). */
  async drain(): Promise<PumpOutput[]> {
    const outputs: PumpOutput[] = [];
    for (let step = this.next(); step; step = this.next()) outputs.push(await step);
    return outputs;
  }

  /** The handshake asked for is done (or, in process, simulated): input is framed again, afresh. */
  tlsEstablished(info: { version: string; cipher: string }): PumpOutput {
    this.waitingForTls = false;
    return this.wrap(this.engine.tlsEstablished(info));
  }

  /** The client was silent too long. */
  timeout(reason: 'idle' | 'login-deadline' = 'idle'): PumpOutput {
    return this.wrap(this.engine.timeout(reason));
  }

  /** A failure of the driver's own while serving this session. */
  internalError(error: unknown): PumpOutput {
    return this.wrap(this.engine.internalError(error));
  }

  /** The connection is gone; returns the engine's last words (its transition to CLOSED). */
  async end(reason: string): Promise<PumpOutput> {
    this.ended = true;
    this.discard();
    return this.wrap(await this.engine.end(reason));
  }

  /** Stamps events the driver itself produced (a TLS failure, a socket error) into this session's sequence. */
  stamp(events: Parameters<EventStamper['stampAll']>[0]): EventEnvelope[] {
    return this.stamper.stampAll(events);
  }

  private wrap(output: EngineOutput): PumpOutput {
    if (output.close) {
      this.ended = true;
      this.discard();
    } else if (output.startTls) {
      this.waitingForTls = true;
      this.discard();
    }
    return {
      bytes: output.bytes,
      envelopes: this.stamper.stampAll(output.events),
      delayMs: output.delayMs,
      startTls: output.startTls,
      close: output.close,
    };
  }

  private discard(): void {
    this.framer.releaseAll();
    this.framer = new InputFramer(this.budget);
  }
}
