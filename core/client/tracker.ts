/**
 * Client-side trackers mirror the server engines (docs/ARCHITECTURE.md, "Trackers"): fed the lines
 * a client sends and the lines the server answers, they keep the server's
 * state, pair each reply with its command (also when pipelining), know when a
 * reply is multi-line, and emit the same transition and annotation events as
 * the server engines — so a session against Dovecot or Postfix is annotated
 * like one against maillab.
 */
import type { WireEvent } from '../events.js';

/** What the client's next line is, as the tracker sees it. */
export type ClientInputMode =
  /** A command line. */
  | 'command'
  /** SMTP message content after 354, until a line holding only ".". */
  | 'data'
  /** A SASL response after a "+ " (POP3) or "334" (SMTP) challenge. */
  | 'sasl';

export interface ClientTracker {
  readonly protocol: 'pop3' | 'smtp';
  /** The server's state as far as the wire shows it (same names as the server engines). */
  readonly state: string;
  readonly inputMode: ClientInputMode;
  /** Commands sent whose reply has not fully arrived, oldest first. */
  readonly pending: readonly string[];
  /** True while the server owes a reply (a command is pending or a multi-line reply is incomplete). */
  readonly awaitingReply: boolean;
  /** True once the server closed the session (QUIT answered, 421, …). */
  readonly closed: boolean;
  /** The connection is open: the greeting is expected next. */
  connected(): WireEvent[];
  /** The client sent one line (without CRLF). Secrets are masked in the returned events. */
  sent(line: string): WireEvent[];
  /** The server sent one line (without CRLF). */
  received(line: string): WireEvent[];
  /** TLS is up (implicit, or after STLS/STARTTLS answered positively). */
  tlsEstablished(info: { version: string; cipher: string }): WireEvent[];
  /** The connection ended while the session was open (a reset, a failed TLS handshake): the state becomes CLOSED. */
  connectionLost(detail: string): WireEvent[];
}
