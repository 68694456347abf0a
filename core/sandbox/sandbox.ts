/**
 * The in-process sandbox: the lab's POP3 and SMTP engines over one store in
 * memory, with the demo users and alice's demo messages, and no ports. It is
 * what the TUI and the web page type into by default. Mail sent with SMTP (to
 * a local user, on either listener kind) arrives in that user's POP3 maildrop.
 *
 * Every session runs through the one pump (core/engine/pump.ts). TLS is
 * simulated as in the lesson lab: STLS/STARTTLS succeed and the engines
 * behave as under TLS, with no handshake. Nothing here reads a clock unless
 * the caller passes one.
 */
import type { EngineSettings } from '../engine/engine-settings.js';
import { EnginePump, type PumpOutput } from '../engine/pump.js';
import type { EventEnvelope, Protocol } from '../events.js';
import type { InputMode } from '../engine/server-engine.js';
import { demoMessages, DEMO_USERS } from './demo-messages.js';
import { createMemorySmtpBackend } from '../store/memory-smtp-backend.js';
import { createPop3Backend } from '../store/pop3-backend.js';
import { serverInputKind, SIMULATED_TLS } from '../lessons/in-process-lab.js';
import type { ServerInputKind } from '../lessons/lab-connection.js';
import { pop3BaseOptions } from '../pop3/options.js';
import { Pop3Session } from '../pop3/session.js';
import { SmtpSession } from '../smtp/session.js';
import { smtpBaseOptions, type SmtpListenerKind } from '../smtp/options.js';
import { MemoryStore } from '../store/memory-store.js';
import { StaticUsers } from '../store/user-directory.js';

/** Which of the lab's servers a sandbox session talks to. */
export type SandboxTarget = 'pop3' | 'smtp' | 'submission';

export interface SandboxOptions {
  /** The host name in greetings, APOP timestamps and Received lines. */
  hostname?: string;
  /** Local mail domains. */
  domains?: readonly string[];
  /** Milliseconds since the epoch, for envelopes and Received dates; a fixed 0 when absent. */
  clock?: () => number;
}

export interface SandboxSessionOptions {
  /** Receives every event of the session, stamped. */
  onEvent?: (envelope: EventEnvelope) => void;
}

export class Sandbox {
  /** The one store every session of the sandbox shares. */
  readonly store = new MemoryStore();
  readonly users = new StaticUsers({ ...DEMO_USERS });
  readonly hostname: string;
  private readonly domains: readonly string[];
  private readonly clock: () => number;
  /** TLS is simulated, so always on offer; failures are answered at once (no guesser to slow down in process). */
  private readonly settings: EngineSettings;
  private sessions = 0;
  private stamps = 0;

  constructor(options: SandboxOptions = {}) {
    this.hostname = options.hostname ?? 'maillab.test';
    this.domains = options.domains ?? [this.hostname, 'localhost'];
    this.clock = options.clock ?? (() => 0);
    this.settings = { hostname: this.hostname, tlsAvailable: true, authFailureDelay: () => 0 };
    for (const message of demoMessages()) this.store.add('alice', message);
  }

  /** The demo logins, for a welcome screen. */
  get logins(): readonly { user: string; password: string }[] {
    return Object.entries(DEMO_USERS).map(([user, password]) => ({ user, password }));
  }

  /** Opens a session to one of the sandbox's servers; its greeting is among the first events. */
  open(target: SandboxTarget, options: SandboxSessionOptions = {}): SandboxSession {
    const id = `sandbox-${target}-${++this.sessions}`;
    return new SandboxSession(target, new EnginePump(this.engine(target), { session: id, clock: this.clock }), options);
  }

  private engine(target: SandboxTarget): Pop3Session | SmtpSession {
    const stamp = () => `<${++this.stamps}.${Math.floor(this.clock() / 1000)}@${this.hostname}>`;
    if (target === 'pop3') {
      return new Pop3Session(createPop3Backend(this.users, this.store), {
        ...pop3BaseOptions(this.settings),
        timestamp: stamp(),
        challenge: stamp,
        secure: false,
        // In process, like a loopback client: plaintext logins are allowed (README's security rule).
        plaintextAuthAllowed: true,
      });
    }
    const listener: SmtpListenerKind = target === 'smtp' ? 'mta' : 'submission';
    return new SmtpSession(createMemorySmtpBackend({ users: this.users, store: this.store, domains: this.domains }), {
      ...smtpBaseOptions(this.settings, listener),
      secure: false,
      plaintextAuthAllowed: true,
      remoteAddress: '127.0.0.1',
      challenge: stamp,
      now: () => new Date(this.clock()),
      nextId: () => `SANDBOX${++this.stamps}`,
    });
  }
}

/** The most events a session keeps in `history`; older ones are dropped (a page resumes from the newest). */
export const SANDBOX_HISTORY_LIMIT = 10_000;

/** One conversation with a sandbox server: bytes or lines in, stamped events out. */
export class SandboxSession {
  readonly protocol: Protocol;
  /** The session's latest events, in order, at most SANDBOX_HISTORY_LIMIT (a front end that attaches late replays them). */
  readonly history: EventEnvelope[] = [];
  private written: Buffer[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly target: SandboxTarget,
    private readonly pump: EnginePump,
    private readonly options: SandboxSessionOptions,
  ) {
    this.protocol = target === 'pop3' ? 'pop3' : 'smtp';
    this.accept(pump.greet());
  }

  get id(): string {
    return this.pump.session;
  }

  /** The server's state (core/protocols names). */
  get state(): string {
    return this.pump.engine.state;
  }

  /** How the server reads the next input: a command line, DATA content, or a BDAT chunk. */
  get inputMode(): InputMode {
    return this.pump.engine.inputMode;
  }

  /** What the client's next line is: a command, message content (DATA or a BDAT chunk), or a SASL response. */
  get inputKind(): ServerInputKind {
    return serverInputKind(this.pump.engine as Pop3Session | SmtpSession);
  }

  get closed(): boolean {
    return this.pump.closed;
  }

  /** Bytes from the client, handled in order; resolves once the server has answered everything it can. */
  send(bytes: Buffer): Promise<void> {
    const run = this.queue.then(async () => {
      this.pump.push(bytes);
      for (let step = this.pump.next(); step; step = this.pump.next()) this.accept(await step);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One line as typed, with CRLF added (UTF-8, as a terminal sends it). */
  sendLine(line: string): Promise<void> {
    return this.send(Buffer.from(`${line}\r\n`, 'utf8'));
  }

  /** The bytes the server wrote since the last call. */
  takeOutput(): Buffer {
    const bytes = Buffer.concat(this.written);
    this.written = [];
    return bytes;
  }

  /** Ends the session without QUIT (nothing deleted); a session the server closed ends quietly. */
  async close(): Promise<void> {
    await this.queue;
    const wasClosed = this.pump.closed;
    const last = await this.pump.end('the sandbox session was closed');
    if (!wasClosed) this.accept(last);
  }

  private accept(output: PumpOutput): void {
    if (output.bytes.length > 0) this.written.push(output.bytes);
    for (const envelope of output.envelopes) {
      this.history.push(envelope);
      if (this.history.length > SANDBOX_HISTORY_LIMIT) this.history.splice(0, this.history.length - SANDBOX_HISTORY_LIMIT);
      this.options.onEvent?.(envelope);
    }
    if (output.startTls) this.accept(this.pump.tlsEstablished(SIMULATED_TLS));
  }
}
