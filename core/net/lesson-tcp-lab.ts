/**
 * The lesson's lab over real TCP, for `lesson check`: one listener on
 * 127.0.0.1 (a free port) per server of the lesson, served by the lab's own
 * socket adapters over the lesson's memory store, and a raw socket as the
 * client. What the socket receives is compared byte for byte, so anything the
 * adapters add or lose (framing, pipelining, closing) shows up. A server with
 * `tls: on` has the run's certificate (lesson-tls.ts): STLS and STARTTLS are
 * real handshakes, the client's side done where the lesson says `== tls ==`.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { EventEnvelope, WireEvent } from '../events.js';
import { ConnectionLimiter, DEFAULT_CONNECTION_LIMITS } from './connection-limiter.js';
import { startListener, type RunningListener } from './listener.js';
import { servePop3 } from './pop3-connection.js';
import { serveSmtp } from './smtp-connection.js';
import { serverOf, type ServerPersona } from '../lessons/lesson.js';
import { ReceivedLines, type LessonConnection, type LessonLab } from '../lessons/lab-connection.js';
import { DEFAULT_LESSON_HOST, type LessonLabParts } from '../lessons/lesson-lab.js';
import { clientHandshake, lessonSecureContext } from './lesson-tls.js';

export interface TcpLabOptions {
  /** How long to wait for lines the lesson expects before calling them missing. */
  replyTimeoutMs?: number;
  /** How long to wait, at the end of a session, for lines the lesson does not expect. */
  settleMs?: number;
}

/** The server side of one connection, filled in when the listener accepts it. */
interface ServerSide {
  events: WireEvent[];
  done: Promise<void>;
  finished: () => void;
  session: number;
}

const IDLE_TIMEOUT_MS = 60_000;

/** Starts one listener per persona of the lesson. */
export async function startTcpLab(parts: LessonLabParts, options: TcpLabOptions = {}): Promise<LessonLab> {
  const limiter = new ConnectionLimiter(DEFAULT_CONNECTION_LIMITS);
  const listeners = new Map<string, RunningListener>();
  let expected: ServerSide | undefined;
  const secureContext = parts.lesson.servers.some((persona) => persona.tls === true) ? await lessonSecureContext() : undefined;
  try {
    for (const persona of parts.lesson.servers) {
      const listener = await startListener({
        host: '127.0.0.1',
        port: 0,
        implicitTls: false,
        limiter,
        refusal: (reason) => (persona.protocol === 'pop3' ? `-ERR [SYS/TEMP] ${reason}` : `421 4.7.0 ${reason}`),
        serve: (socket, _id, done) => {
          const side = expected ?? newServerSide(-1);
          expected = undefined;
          serve(parts, persona, persona.tls === true ? secureContext : undefined, socket, side, () => {
            done();
            side.finished();
          });
        },
      });
      listeners.set(persona.name, listener);
    }
  } catch (error) {
    await Promise.all([...listeners.values()].map((listener) => listener.close()));
    throw error;
  }
  return {
    kind: 'tcp',
    async connect(session) {
      const sessionInfo = parts.lesson.sessions[session];
      if (!sessionInfo) throw new RangeError(`the lesson has no session ${session}`);
      const listener = listeners.get(serverOf(parts.lesson, sessionInfo).name)!;
      const side = newServerSide(session);
      expected = side;
      const socket = netConnect({ host: '127.0.0.1', port: listener.port });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
      return new TcpConnection(socket, side, options.replyTimeoutMs ?? 3000, options.settleMs ?? 100);
    },
    async close() {
      await Promise.all([...listeners.values()].map((listener) => listener.close()));
    },
  };
}

function newServerSide(session: number): ServerSide {
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  return { events: [], done, finished, session };
}

/** Runs the lab's own adapter for the persona's protocol on an accepted socket. */
function serve(parts: LessonLabParts, persona: ServerPersona, secureContext: SecureContext | undefined, socket: Socket, side: ServerSide, onClose: () => void): void {
  const session = Math.max(side.session, 0);
  const onEvent = (envelope: EventEnvelope) => side.events.push(envelope.event);
  const base = { session: `lesson-${session}`, idleTimeoutMs: IDLE_TIMEOUT_MS, plaintextAuthAllowed: () => persona.plaintextAuth !== false, onEvent, onClose, ...(secureContext ? { secureContext } : {}) };
  if (persona.protocol === 'pop3') {
    const { timestamp, challenge, secure: _secure, plaintextAuthAllowed: _plaintext, ...rest } = parts.pop3Options(persona, session);
    servePop3(socket, { ...base, backend: parts.pop3Backend, options: rest, hostname: persona.host ?? DEFAULT_LESSON_HOST, timestamp: () => timestamp, challenge }, false);
    return;
  }
  const { challenge, now, nextId, secure: _secure, plaintextAuthAllowed: _plaintext, remoteAddress: _remote, ...rest } = parts.smtpOptions(persona, session);
  serveSmtp(socket, { ...base, backend: parts.smtpBackend(persona), options: rest, greetingDelayMs: 0, nextId, now, challenge }, false);
}

/** The raw client side: bytes out, lines in, waiting as long as a patient client would. */
class TcpConnection implements LessonConnection {
  private readonly received = new ReceivedLines();
  private isClosed = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private socket: Socket,
    private readonly side: ServerSide,
    private readonly replyTimeoutMs: number,
    private readonly settleMs: number,
  ) {
    this.listen(socket);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received.push(chunk);
    this.wake();
  };

  private readonly onClose = (): void => {
    this.isClosed = true;
    this.wake();
  };

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', () => {});
    socket.on('close', this.onClose);
  }

  /** The handshake on this socket; a failed one closes the connection, so the next line the lesson expects shows as missing. */
  async startTls(): Promise<void> {
    if (this.isClosed) return;
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    try {
      this.socket = await clientHandshake(plain, this.replyTimeoutMs);
      this.listen(this.socket);
    } catch (error) {
      this.side.events.push({ kind: 'error', code: 'CONNECTION', message: `TLS handshake failed: ${(error as Error).message}` });
      plain.destroy();
      this.onClose();
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async send(bytes: Buffer): Promise<void> {
    if (this.isClosed) return;
    await new Promise<void>((resolve) => this.socket.write(bytes, () => resolve()));
  }

  async readLines(count: number): Promise<Buffer[]> {
    await this.waitUntil(() => this.received.count >= count, this.replyTimeoutMs);
    return this.received.take(count);
  }

  async leftover(): Promise<Buffer[]> {
    await this.waitUntil(() => false, this.settleMs);
    const lines = this.received.take(this.received.count);
    return this.received.partial.length > 0 ? [...lines, this.received.partial] : lines;
  }

  takeEvents(): WireEvent[] {
    return this.side.events.splice(0);
  }

  async close(): Promise<void> {
    if (!this.socket.destroyed) this.socket.destroy();
    // The next session may log in to the same maildrop: wait until the server has let go of its lock.
    await Promise.race([this.side.done, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves when `ready()` holds, the server closed, or `ms` passed. */
  private waitUntil(ready: () => boolean, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!ready() && !this.isClosed) return;
        finish();
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.waiters.add(check);
      check();
    });
  }
}
