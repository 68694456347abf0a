/**
 * The TCP/TLS adapter for the SMTP engine: frames bytes in the mode the engine
 * asks for (command, DATA, BDAT chunk) and refuses early talkers; the shared
 * socket chores are in LineConnection.
 */
import type { Socket } from 'node:net';
import type { WireEvent } from '../events.js';
import { SmtpInputFramer } from '../framing/smtp-input.js';
import type { SmtpBackend } from '../smtp/backend.js';
import { SmtpSession, type SmtpOutput, type SmtpSessionOptions } from '../smtp/session.js';
import { LineConnection, type ConnectionBase } from './line-connection.js';

export interface SmtpConnectionDeps extends ConnectionBase {
  backend: SmtpBackend;
  options: Omit<SmtpSessionOptions, 'secure' | 'plaintextAuthAllowed' | 'remoteAddress' | 'challenge' | 'now' | 'nextId'>;
  /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command. */
  idleTimeoutMs: number;
  /** Wait this long before the 220; a client that talks first is refused (0 turns the check off). */
  greetingDelayMs: number;
  plaintextAuthAllowed: (remoteAddress: string | undefined) => boolean;
  nextId: () => string;
  /** The clock for Received lines and the CRAM-MD5 challenges; real ones when absent. A lesson fixes them to replay an example. */
  now?: () => Date;
  challenge?: () => string;
}

let challenges = 0;

export class SmtpConnection extends LineConnection<SmtpOutput> {
  private readonly session: SmtpSession;
  private framer = new SmtpInputFramer();
  private greeted = false;
  private greetingTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, deps: SmtpConnectionDeps, implicitTls: boolean) {
    super(socket, deps);
    this.session = new SmtpSession(deps.backend, {
      ...deps.options,
      tlsAvailable: deps.options.tlsAvailable && deps.secureContext !== undefined,
      secure: implicitTls,
      plaintextAuthAllowed: deps.plaintextAuthAllowed(socket.remoteAddress),
      remoteAddress: socket.remoteAddress ?? '0.0.0.0',
      challenge: deps.challenge ?? (() => `<${process.pid}.${Date.now()}.${++challenges}@${deps.options.persona.hostname}>`),
      now: deps.now ?? (() => new Date()),
      nextId: deps.nextId,
    });
    if (deps.greetingDelayMs > 0) this.greetingTimer = setTimeout(() => this.greet(), deps.greetingDelayMs);
    else this.greet();
  }

  private greet(): void {
    if (this.finished || this.greeted) return;
    this.greeted = true;
    void this.write(this.session.greet()).then(() => this.drain());
  }

  protected override ready(): boolean {
    return this.greeted;
  }

  /** RFC 5321 §4.3.1: the client waits for the greeting. One that does not is a spam engine or a smuggler. */
  protected override earlyData(): void {
    clearTimeout(this.greetingTimer);
    this.greeted = true;
    void this.write(this.session.earlyTalker()).then(() => {
      this.socket.end();
      return this.finish('refused: talked before the greeting');
    });
  }

  protected push(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  protected nextInput(): (() => Promise<SmtpOutput>) | undefined {
    const item = this.framer.next(this.session.inputMode);
    return item && (() => this.session.receive(item));
  }

  protected get backlog(): number {
    return this.framer.buffered;
  }

  protected timedOut(): SmtpOutput {
    return this.session.timeout();
  }

  protected async endSession(reason: string): Promise<readonly WireEvent[]> {
    clearTimeout(this.greetingTimer);
    return this.session.end(reason).events;
  }

  protected discardInput(): void {
    this.framer = new SmtpInputFramer();
  }

  protected tlsEstablished(info: { version: string; cipher: string }): SmtpOutput {
    return this.session.tlsEstablished(info);
  }

  protected internalErrorReply(): Buffer {
    return Buffer.from('421 4.3.0 internal server error, closing connection\r\n');
  }
}
