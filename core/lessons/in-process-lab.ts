/**
 * The lesson's lab in process: the real engines behind the real framers, fed
 * bytes the way the TCP adapters feed them, with no socket in between. Delays
 * (failed logins, `delay` faults) are not waited for: nothing here has a clock.
 * When an engine asks for TLS (a positive STLS/STARTTLS reply), the handshake
 * is simulated: input pipelined after the command is dropped, as a real
 * adapter drops it, and the engine is told TLS is up.
 */
import type { WireEvent } from '../events.js';
import { SmtpInputFramer } from '../framing/smtp-input.js';
import { Pop3Session, type Pop3Output } from '../pop3/session.js';
import { SmtpSession, type SmtpOutput } from '../smtp/session.js';
import { serverOf } from './lesson.js';
import { ReceivedLines, type LessonConnection, type LessonLab, type ServerInputKind } from './lab-connection.js';
import type { LessonLabParts } from './lesson-lab.js';

type Output = Pop3Output | SmtpOutput;

/** What the engines are told about the handshake that did not happen. */
export const SIMULATED_TLS = { version: 'TLSv1.3', cipher: '(simulated in process)' } as const;

/** A lab whose connections are engines in this process. */
export function inProcessLab(parts: LessonLabParts): LessonLab {
  return {
    kind: 'in-process',
    async connect(session) {
      const sessionInfo = parts.lesson.sessions[session];
      if (!sessionInfo) throw new RangeError(`the lesson has no session ${session}`);
      const persona = serverOf(parts.lesson, sessionInfo);
      return persona.protocol === 'pop3'
        ? new Pop3InProcess(new Pop3Session(parts.pop3Backend, parts.pop3Options(persona, session)))
        : new SmtpInProcess(new SmtpSession(parts.smtpBackend(persona), parts.smtpOptions(persona, session)));
    },
    async close() {},
  };
}

/** What both protocols share: the received lines, the events, closing. */
abstract class InProcessConnection implements LessonConnection {
  protected readonly received = new ReceivedLines();
  private events: WireEvent[] = [];
  private isClosed = false;

  get closed(): boolean {
    return this.isClosed;
  }

  abstract readonly state: string;
  abstract readonly inputKind: ServerInputKind;

  /** Feeds the bytes to the framer and the engine, item by item, until more bytes are needed or the server closed. */
  async send(bytes: Buffer): Promise<void> {
    if (this.isClosed) return;
    this.push(bytes);
    for (let next = this.next(); next && !this.isClosed; next = this.next()) this.accept(await next());
  }

  async readLines(count: number): Promise<Buffer[]> {
    return this.received.take(count);
  }

  /** The server's side was simulated when the engine asked for it (accept()). */
  async startTls(): Promise<void> {}

  async leftover(): Promise<Buffer[]> {
    const lines = this.received.take(this.received.count);
    return this.received.partial.length > 0 ? [...lines, this.received.partial] : lines;
  }

  takeEvents(): WireEvent[] {
    return this.events.splice(0);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.events.push(...(await this.end()));
  }

  protected accept(output: Output): void {
    this.events.push(...output.events);
    this.received.push(output.bytes);
    if (output.close) this.isClosed = true;
    else if (output.startTls) {
      // RFC 2595 §4, RFC 3207 §4.2: nothing sent before the handshake is read after it.
      this.discardInput();
      this.accept(this.tlsEstablished(SIMULATED_TLS));
    }
  }

  protected abstract push(bytes: Buffer): void;
  protected abstract discardInput(): void;
  protected abstract tlsEstablished(info: { version: string; cipher: string }): Output;
  protected abstract next(): (() => Promise<Output>) | undefined;
  protected abstract end(): Promise<readonly WireEvent[]>;
}

class Pop3InProcess extends InProcessConnection {
  private framer = new SmtpInputFramer();

  constructor(private readonly session: Pop3Session) {
    super();
    this.accept(session.greet());
  }

  get state(): string {
    return this.session.state;
  }

  get inputKind(): ServerInputKind {
    return this.session.sasl ? 'sasl' : 'command';
  }

  protected push(bytes: Buffer): void {
    this.framer.push(bytes);
  }

  protected next(): (() => Promise<Output>) | undefined {
    const item = this.framer.next(this.session.inputMode);
    return item && (() => this.session.receiveItem(item));
  }

  protected discardInput(): void {
    this.framer = new SmtpInputFramer();
  }

  protected tlsEstablished(info: { version: string; cipher: string }): Output {
    return this.session.tlsEstablished(info);
  }

  protected async end(): Promise<readonly WireEvent[]> {
    return (await this.session.end('the lesson closed the connection')).events;
  }
}

class SmtpInProcess extends InProcessConnection {
  private framer = new SmtpInputFramer();

  constructor(private readonly session: SmtpSession) {
    super();
    this.accept(session.greet());
  }

  get state(): string {
    return this.session.state;
  }

  get inputKind(): ServerInputKind {
    const mode = this.session.inputMode.kind;
    if (mode !== 'command') return 'data';
    return this.session.sasl ? 'sasl' : 'command';
  }

  protected push(bytes: Buffer): void {
    this.framer.push(bytes);
  }

  protected next(): (() => Promise<Output>) | undefined {
    const item = this.framer.next(this.session.inputMode);
    return item && (() => this.session.receive(item));
  }

  protected discardInput(): void {
    this.framer = new SmtpInputFramer();
  }

  protected tlsEstablished(info: { version: string; cipher: string }): Output {
    return this.session.tlsEstablished(info);
  }

  protected async end(): Promise<readonly WireEvent[]> {
    return this.session.end('the lesson closed the connection').events;
  }
}
