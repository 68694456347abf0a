/**
 * What every server engine is to the code that drives it. POP3 and SMTP
 * sessions both implement it, so one pump (./pump.ts) serves the TCP
 * adapters, the in-process sandbox, the lesson lab and the tests.
 *
 * Sans-I/O: an engine never reads a clock, a socket or a file by itself; it
 * answers each call with the bytes to write and the events to show, and says
 * what the driver must do next (wait, upgrade to TLS, close).
 */
import type { Protocol, WireEvent } from '../events.js';
import type { FramedInput, InputMode } from '../framing/input-framer.js';

/** How the framer must read the next item (a command line with its limit, DATA content, a BDAT chunk), and one framed item of client input. */
export type { FramedInput, InputMode };

/** What one call to an engine produced. */
export interface EngineOutput {
  /** The replies as wire bytes, ready to write. */
  readonly bytes: Buffer;
  readonly events: readonly WireEvent[];
  /** Wait this long before writing (a failed login; a `delay` fault). */
  readonly delayMs: number;
  /** Upgrade to TLS after writing, then call `tlsEstablished` (RFC 2595 §4, RFC 3207 §4). */
  readonly startTls: boolean;
  /** Close the connection after writing. */
  readonly close: boolean;
}

export interface ServerEngine {
  readonly protocol: Protocol;
  /** The protocol state now (the names of core/protocols). */
  readonly state: string;
  /** How the framer must read the next item. */
  readonly inputMode: InputMode;
  /**
   * True while the session has no login yet and needs one (POP3 AUTHORIZATION,
   * SMTP submission before AUTH, any SMTP session before EHLO/HELO): the
   * driver's shorter pre-login timeout applies.
   */
  readonly awaitingLogin?: boolean;
  /** The greeting; called once, first. */
  greet(): EngineOutput;
  /** One framed item, in the mode `inputMode` asked for. */
  receive(item: FramedInput): Promise<EngineOutput>;
  /** The TLS handshake asked for by `startTls` (or implicit TLS) is complete. */
  tlsEstablished(info: { version: string; cipher: string }): EngineOutput;
  /**
   * The client was silent too long, or (`login-deadline`) did not log in within the fixed time a session
   * has for it: the engine's own reply, and close (RFC 1939 §3, RFC 5321 §4.5.3.2).
   */
  timeout(reason?: 'idle' | 'login-deadline'): EngineOutput;
  /** A failure of ours while handling input: the engine's reply for it, and close. */
  internalError(error: unknown): EngineOutput;
  /** The connection is gone (dropped, closed, shut down): no UPDATE, nothing half-received kept. */
  end(reason: string): Promise<EngineOutput>;
  /**
   * The client sent bytes before the greeting, which the driver delayed:
   * refuse and close (SMTP, RFC 5321 §4.3.1). Engines without the rule leave it out.
   */
  earlyTalker?(): EngineOutput;
}
