/**
 * The lesson's lab in process: the real engines behind the one pump
 * (core/engine/pump.ts), fed bytes the way the TCP adapter feeds them, with no
 * socket in between. Delays (failed logins, `delay` faults) are not waited
 * for: nothing here has a clock. When an engine asks for TLS (a positive
 * STLS/STARTTLS reply), the handshake is simulated: the pump has dropped input
 * pipelined after the command, as a real adapter does, and the engine is told
 * TLS is up.
 */
import { EnginePump, type PumpOutput } from '../engine/pump.js';
import type { ServerEngine } from '../engine/server-engine.js';
import type { WireEvent } from '../events.js';
import { Pop3Session } from '../pop3/session.js';
import { SmtpSession } from '../smtp/session.js';
import { serverOf } from './lesson.js';
import { ReceivedLines, type LessonConnection, type LessonLab, type ServerInputKind } from './lab-connection.js';
import type { LessonLabParts } from './lesson-lab.js';

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
      const engine =
        persona.protocol === 'pop3'
          ? new Pop3Session(parts.pop3Backend, parts.pop3Options(persona, session))
          : new SmtpSession(parts.smtpBackend(persona), parts.smtpOptions(persona, session));
      return new InProcessConnection(engine, `lesson-${session}`);
    },
    async close() {},
  };
}

/** How a server engine reads the next client line, for the lesson engine's hints. */
export function serverInputKind(engine: Pop3Session | SmtpSession): ServerInputKind {
  if (engine.inputMode.kind !== 'command') return 'data';
  return engine.sasl ? 'sasl' : 'command';
}

class InProcessConnection implements LessonConnection {
  private readonly received = new ReceivedLines();
  private readonly pump: EnginePump;
  private events: WireEvent[] = [];

  constructor(
    private readonly engine: Pop3Session | SmtpSession,
    session: string,
  ) {
    this.pump = new EnginePump(engine as ServerEngine, { session });
    this.accept(this.pump.greet());
  }

  get closed(): boolean {
    return this.pump.closed;
  }

  get state(): string {
    return this.engine.state;
  }

  get inputKind(): ServerInputKind {
    return serverInputKind(this.engine);
  }

  /** Feeds the bytes to the pump, step by step, until more bytes are needed or the server closed. */
  async send(bytes: Buffer): Promise<void> {
    this.pump.push(bytes);
    for (let step = this.pump.next(); step; step = this.pump.next()) this.accept(await step);
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
    const wasClosed = this.pump.closed;
    const last = await this.pump.end('the lesson closed the connection');
    if (!wasClosed) this.accept(last);
  }

  private accept(output: PumpOutput): void {
    for (const envelope of output.envelopes) this.events.push(envelope.event);
    this.received.push(output.bytes);
    // RFC 2595 §4, RFC 3207 §4.2: the pump dropped what came before the handshake; simulate it.
    if (output.startTls) this.accept(this.pump.tlsEstablished(SIMULATED_TLS));
  }
}
