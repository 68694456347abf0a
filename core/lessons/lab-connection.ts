/**
 * What a lesson replay needs from a lab, whichever way it is reached: an
 * in-process engine (watch, step, practice, the first half of `lesson check`)
 * or a real TCP listener with a raw socket (the second half). The replay
 * speaks bytes and reads lines, so both are held to the same bytes.
 */
import type { WireEvent } from '../events.js';

/** How the server will read the client's next line. */
export type ServerInputKind = 'command' | 'data' | 'sasl';

export interface LessonConnection {
  /** Sends bytes as the client. */
  send(bytes: Buffer): Promise<void>;
  /**
   * Up to `count` complete lines from the server, without their CRLF. Fewer
   * only when the server closed, or (over TCP) sent nothing more in time.
   */
  readLines(count: number): Promise<Buffer[]>;
  /** Waits briefly for anything more the server sends; returns the complete lines not yet read. */
  leftover(): Promise<Buffer[]>;
  /**
   * The client's side of the TLS handshake, after the server's positive reply
   * to STLS/STARTTLS (a lesson's `== tls ==`): over TCP a real one, with a
   * certificate that is not verified; in process nothing is left to do, as the
   * lab simulated the server's side when the engine asked for it.
   */
  startTls(): Promise<void>;
  /** The server's events since the last call (annotated lines, transitions, errors). */
  takeEvents(): WireEvent[];
  /** The server closed the connection. */
  readonly closed: boolean;
  /** The server's state, when the lab can see it (in-process only). */
  readonly state?: string;
  /** How the server reads the next client line, when the lab can see it (in-process only). */
  readonly inputKind?: ServerInputKind;
  /** Ends the connection (without QUIT if none was sent) and waits for the server to let go of it. */
  close(): Promise<void>;
}

export interface LessonLab {
  readonly kind: 'in-process' | 'tcp';
  /** Opens the connection for the lesson's session number `session` (0-based), to that session's server. */
  connect(session: number): Promise<LessonConnection>;
  close(): Promise<void>;
}

const CRLF = Buffer.from('\r\n');

/** Bytes from the server, cut at CRLF into lines; a bare LF stays inside its line, so it shows as a difference. */
export class ReceivedLines {
  private pending: Buffer = Buffer.alloc(0);
  private readonly lines: Buffer[] = [];

  push(bytes: Buffer): void {
    this.pending = this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    for (let end = this.pending.indexOf(CRLF); end !== -1; end = this.pending.indexOf(CRLF)) {
      this.lines.push(this.pending.subarray(0, end));
      this.pending = this.pending.subarray(end + 2);
    }
  }

  get count(): number {
    return this.lines.length;
  }

  /** Bytes after the last CRLF: a line still arriving, or one the server never ended. */
  get partial(): Buffer {
    return this.pending;
  }

  take(count: number): Buffer[] {
    return this.lines.splice(0, count);
  }
}
