/**
 * The TCP/TLS adapter for the POP3 engine: frames bytes into command lines and
 * feeds them to the session; the shared socket chores are in LineConnection.
 */
import type { Socket } from 'node:net';
import type { WireEvent } from '../events.js';
import { SmtpInputFramer } from '../framing/smtp-input.js';
import type { Pop3Backend } from '../pop3/backend.js';
import { Pop3Session, type Pop3Output, type Pop3SessionOptions } from '../pop3/session.js';
import { LineConnection, type ConnectionBase } from './line-connection.js';

export interface Pop3ConnectionDeps extends ConnectionBase {
  backend: Pop3Backend;
  /** Session options without the per-connection ones, which this adapter fills in. */
  options: Omit<Pop3SessionOptions, 'timestamp' | 'challenge' | 'secure' | 'plaintextAuthAllowed'>;
  /** The host name in APOP timestamps and CRAM-MD5 challenges. */
  hostname: string;
  /** RFC 1939 §3: at least 10 minutes. */
  idleTimeoutMs: number;
  plaintextAuthAllowed: (remoteAddress: string | undefined) => boolean;
  /** The APOP timestamp and CRAM-MD5 challenges; `<pid.clock@hostname>` when absent. A lesson fixes them to replay an RFC example. */
  timestamp?: () => string;
  challenge?: () => string;
}

let clock = 0;

/** `<pid.clock@host>` (RFC 1939 §7): unique per greeting and per challenge. */
function makeTimestamp(hostname: string): string {
  clock = Math.max(clock + 1, Math.floor(Date.now() / 1000));
  return `<${process.pid}.${clock}@${hostname}>`;
}

export class Pop3Connection extends LineConnection<Pop3Output> {
  private readonly session: Pop3Session;
  /** Frames lazily, one line at a time, with the limit the session wants for that line. */
  private framer = new SmtpInputFramer();

  private readonly idleTimeoutMs: number;

  constructor(socket: Socket, deps: Pop3ConnectionDeps, implicitTls: boolean) {
    super(socket, deps);
    this.idleTimeoutMs = deps.idleTimeoutMs;
    this.session = new Pop3Session(deps.backend, {
      ...deps.options,
      tlsAvailable: deps.options.tlsAvailable && deps.secureContext !== undefined,
      timestamp: deps.timestamp?.() ?? makeTimestamp(deps.hostname),
      challenge: deps.challenge ?? (() => makeTimestamp(deps.hostname)),
      secure: implicitTls,
      plaintextAuthAllowed: deps.plaintextAuthAllowed(socket.remoteAddress),
    });
    void this.write(this.session.greet());
  }

  protected push(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  protected nextInput(): (() => Promise<Pop3Output>) | undefined {
    const item = this.framer.next(this.session.inputMode);
    return item && (() => this.session.receiveItem(item));
  }

  protected get backlog(): number {
    return this.framer.buffered;
  }

  /** RFC 1939 §3: the autologout timer ends the session without UPDATE. */
  protected timedOut(): Pop3Output {
    const reply = '-ERR idle for too long, closing connection';
    return {
      replies: [],
      bytes: Buffer.from(`${reply}\r\n`),
      events: [
        { kind: 'error', code: 'IDLE_TIMEOUT', message: `no command for ${Math.round(this.idleTimeoutMs / 1000)} s` },
        { kind: 'line', from: 'server', text: reply },
      ],
      delayMs: 0,
      startTls: false,
      close: true,
    };
  }

  protected async endSession(reason: string): Promise<readonly WireEvent[]> {
    return (await this.session.end(reason)).events;
  }

  protected discardInput(): void {
    this.framer = new SmtpInputFramer();
  }

  protected tlsEstablished(info: { version: string; cipher: string }): Pop3Output {
    return this.session.tlsEstablished(info);
  }

  protected internalErrorReply(): Buffer {
    return Buffer.from('-ERR [SYS/TEMP] internal server error, closing connection\r\n');
  }
}
