/**
 * The one event vocabulary every front end renders. Events are data; wording
 * lives in the annotation catalogue (core/annotations). This file is part of
 * the browser entry (core/browser.ts): it imports nothing from Node.
 *
 * The contract with front ends:
 * - an engine, tracker or driver produces `WireEvent`s, with no clock;
 * - the pump or adapter that drives it stamps each one into an `EventEnvelope`
 *   (`{session, seq, at, event}`): `seq` counts from 1 per session, without
 *   gaps, so a page that reconnects can ask for everything after the last
 *   `seq` it saw;
 * - the transcript model (core/models/transcript.ts) folds envelopes into rows.
 */
import type { ErrorCode } from './errors.js';

export type Protocol = 'pop3' | 'smtp';
export type Party = 'client' | 'server';

/** A summary of a peer certificate, for TLS events. */
export interface CertSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  verified: boolean;
}

export type WireEvent =
  /**
   * One line on the wire, without its CRLF. Text is latin1 (one character per
   * octet) so no byte is lost; `masked` lines had a secret replaced by `*`
   * before they got here (core/masking.ts).
   */
  | { kind: 'line'; from: Party; text: string; masked?: boolean }
  /**
   * The body of a multi-line reply (POP3 RETR/LIST/…) or of a message (SMTP
   * DATA, BDAT chunks): counted, and with its content as latin1 text, lines
   * joined by CRLF, dot-unstuffed and without the final "." line. `content`
   * is cut at a bound (`truncated` then says so) and absent where the
   * producer kept none. `ending` says how the body ended on the wire: a lone
   * "." line (RFC 1939 §3, RFC 5321 §4.1.1.4), or a BDAT chunk's size (RFC 3030 §2).
   */
  | { kind: 'body'; from: Party; lines: number; octets: number; content?: string; truncated?: boolean; ending?: 'dot' | 'chunk' }
  /** `followsClientData`: caused by the client's data (a BDAT chunk) rather than a reply, so it is shown right after that data. */
  | { kind: 'transition'; protocol: Protocol; from: string; to: string; cause: string; rfc: string; followsClientData?: true }
  | { kind: 'annotation'; about: 'command' | 'reply' | 'keyword' | 'state' | 'warning'; key: string; rfc: string; detail?: string }
  | { kind: 'tls'; version: string; cipher: string; peer?: CertSummary }
  | { kind: 'error'; code: ErrorCode; message: string }
  /** Something maillab itself says, never on the wire: meta-command output, a driver's note ("connected to …"). */
  | { kind: 'notice'; text: string; level?: 'info' | 'warning' }
  /**
   * One line exactly as it crossed the wire, terminator included (latin1), for
   * the show-bytes view. Only drivers that were asked for raw bytes emit it.
   */
  | { kind: 'raw'; from: Party; bytes: string };

/** One line from a server, as a client received it, for the show-bytes view (core/render/show-bytes.ts). */
export interface RawLine {
  /** The text without its terminator (latin1, so every byte survives). */
  text: string;
  /** 'crlf', or 'lf' (a bare LF: a broken server). */
  ending: 'crlf' | 'lf';
}

export type AnnotationEvent = Extract<WireEvent, { kind: 'annotation' }>;
export type TransitionEvent = Extract<WireEvent, { kind: 'transition' }>;
export type BodyEvent = Extract<WireEvent, { kind: 'body' }>;

/** An event as it travels to a front end: stamped by the pump or adapter that drove the engine. */
export interface EventEnvelope {
  /** Which session (connection, sandbox tab, lesson run) the event belongs to. */
  readonly session: string;
  /** 1, 2, 3 … per session, without gaps. */
  readonly seq: number;
  /** Milliseconds since the epoch, from the driver's clock. */
  readonly at: number;
  readonly event: WireEvent;
}

/** Stamps events of one session with `seq` and time; the clock is injected so tests and lessons stay deterministic. */
export class EventStamper {
  private last = 0;

  constructor(
    readonly session: string,
    private readonly clock: () => number = () => 0,
  ) {}

  /** The `seq` of the last envelope made (0 before the first). */
  get seq(): number {
    return this.last;
  }

  stamp(event: WireEvent): EventEnvelope {
    return { session: this.session, seq: ++this.last, at: this.clock(), event };
  }

  stampAll(events: readonly WireEvent[]): EventEnvelope[] {
    return events.map((event) => this.stamp(event));
  }
}

/**
 * Orders one input's events the way a learner reads them: what was said on the
 * wire first, then the state changes it caused (stable otherwise). A transition
 * the client's data caused (`followsClientData`: the first BDAT chunk) stays
 * where it was emitted, right after that data and before the reply.
 */
export function transitionsLast(events: readonly WireEvent[]): WireEvent[] {
  const last = (event: WireEvent) => event.kind === 'transition' && event.followsClientData !== true;
  return [...events.filter((event) => !last(event)), ...events.filter(last)];
}

/** The most a body event's `content` holds; past it `truncated` is set. */
export const BODY_CONTENT_LIMIT = 1024 * 1024;
