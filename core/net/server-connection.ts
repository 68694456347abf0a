/**
 * The TCP/TLS adapter for any server engine: socket bytes into the pump
 * (core/engine/pump.ts), the pump's output onto the socket. What is left here
 * is what only a socket has: writing with backpressure, pausing a peer that
 * sends faster than it is served, the idle timer, the greeting delay (SMTP's
 * early-talker check), half-closed sockets, the STLS/STARTTLS handshake, and
 * ending the session exactly once. Protocol rules live in the engines and the
 * pump; this file knows neither POP3 nor SMTP.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { EnginePump, type PumpOutput } from '../engine/pump.js';
import type { InFlightBudget } from '../framing/in-flight-budget.js';
import type { ServerEngine } from '../engine/server-engine.js';
import type { EventEnvelope } from '../events.js';
import { tlsInfo, upgradeToTls, writeAll } from './socket-io.js';

export interface ServerConnectionOptions {
  /** The id stamped on this session's events. */
  session: string;
  secureContext?: SecureContext;
  idleTimeoutMs: number;
  /**
   * Idle limit while the engine waits for a login (Dovecot's login timeout):
   * much shorter than the autologout, so unauthenticated sockets cannot hold
   * the connection slots. The smaller of the two applies. Absent: the idle one.
   */
  preAuthTimeoutMs?: number;
  /**
   * A fixed time from connecting to logging in, however busy the client keeps
   * the session meanwhile (Dovecot: 3 minutes). Absent or 0: none.
   */
  loginDeadlineMs?: number;
  /** How long an STLS/STARTTLS handshake may take, as for implicit TLS (core/net/listener.ts). */
  handshakeTimeoutMs?: number;
  /** Wait this long before the greeting; a client that talks first is refused (SMTP, RFC 5321 §4.3.1). 0: greet at once. */
  greetingDelayMs?: number;
  /** The budget for message bytes in flight, shared by every session of the server. */
  budget?: InFlightBudget;
  onEvent?: (envelope: EventEnvelope) => void;
  /** Called once when the connection is over and the session ended. */
  onClose?: () => void;
}

/** Unprocessed input above this pauses the socket, so a fast peer cannot fill memory. */
const MAX_BACKLOG = 256 * 1024;
/** The default time for a TLS handshake (STLS, STARTTLS, implicit TLS). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;
/** After the server's FIN, how long the peer has to close before the socket is destroyed. */
const LINGER_MS = 2_000;

export class ServerConnection {
  private socket: Socket;
  private readonly pump: EnginePump;
  private finished = false;
  private greeted = false;
  private greetingTimer: NodeJS.Timeout | undefined;
  private loginDeadline: NodeJS.Timeout | undefined;
  private running = false;
  private upgrading = false;
  private inputEnded = false;
  /** The idle limit last set, and on which socket. */
  private idleTimer: { socket: Socket; ms: number } | undefined;
  /** The step the engine is handling now; settles (never rejects) when done. */
  private inFlight: Promise<unknown> | undefined;

  constructor(socket: Socket, engine: ServerEngine, private readonly options: ServerConnectionOptions) {
    this.socket = socket;
    this.pump = new EnginePump(engine, { session: options.session, clock: Date.now, ...(options.budget ? { budget: options.budget } : {}) });
    // A client may pipeline its commands and half-close; the replies are still owed.
    socket.allowHalfOpen = true;
    this.attach(socket);
    if ((options.loginDeadlineMs ?? 0) > 0 && engine.awaitingLogin === true) this.loginDeadline = setTimeout(() => this.expire('login-deadline'), options.loginDeadlineMs);
    this.armIdleTimer();
    if (socket instanceof TLSSocket) this.emit(this.pump.stamp([{ kind: 'tls', ...tlsInfo(socket) }]));
    const delay = options.greetingDelayMs ?? 0;
    if (delay > 0) this.greetingTimer = setTimeout(() => this.greet(), delay);
    else this.greet();
  }

  private greet(): void {
    if (this.finished || this.greeted) return;
    this.greeted = true;
    void this.write(this.pump.greet()).then(() => this.drain());
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('timeout', this.onTimeout);
    socket.off('error', this.onError);
    socket.off('close', this.onSocketClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.finished || this.upgrading) return;
    if (!this.greeted && this.refuseEarlyTalker()) return;
    this.pump.push(chunk);
    if (this.pump.buffered > MAX_BACKLOG) this.socket.pause();
    void this.drain();
  };

  /** RFC 5321 §4.3.1: the client waits for the greeting. One that does not is a spam engine or a smuggler. */
  private refuseEarlyTalker(): boolean {
    clearTimeout(this.greetingTimer);
    const refusal = this.pump.earlyTalker();
    if (!refusal) {
      // An engine without the rule: greet now, and what came is read after the greeting.
      this.greet();
      return false;
    }
    this.greeted = true;
    void this.write(refusal).then(() => {
      this.socket.end();
      return this.finish('refused: talked before the greeting');
    });
    return true;
  }

  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.endIfInputDone();
  };

  /**
   * The idle, pre-login or handshake timer fired. The session ends whatever
   * the output buffer holds: the timeout reply is queued, never awaited (a
   * client that stopped reading would hold the session, its maildrop lock and
   * its slot for ever), and the socket is destroyed if that reply cannot leave.
   */
  private readonly onTimeout = (): void => this.expire('idle');

  private expire(reason: 'idle' | 'login-deadline'): void {
    if (this.finished || (reason === 'login-deadline' && this.pump.engine.awaitingLogin !== true)) return;
    if (this.upgrading || !this.greeted || this.inFlight) {
      // No reply can be read during a handshake; a step still running is awaited by finish().
      this.socket.destroy();
      void this.finish(this.upgrading ? 'the TLS handshake did not finish in time' : reason === 'idle' ? 'idle timeout' : 'no login before the deadline');
      return;
    }
    const output = this.pump.timeout(reason);
    this.emit(output.envelopes);
    if (!this.socket.destroyed) this.socket.end(output.bytes);
    void this.finish(reason === 'idle' ? 'idle timeout' : 'no login before the deadline');
  }

  private readonly onError = (error: Error): void => {
    this.emit(this.pump.stamp([{ kind: 'error', code: 'CONNECTION', message: error.message }]));
  };

  private readonly onSocketClose = (): void => {
    void this.finish('the connection was dropped without QUIT');
  };

  /**
   * After the client's FIN, once every command it sent has been answered,
   * close. A TLS handshake cannot complete after FIN, so an upgrade ends too.
   */
  private endIfInputDone(): void {
    // `running` covers everything still to answer: data always starts a drain, which runs until it needs more bytes.
    if (!this.inputEnded || this.running || this.finished) return;
    this.socket.end();
    void this.finish('the connection was dropped without QUIT');
  }

  /** Handles framed input strictly one item after another. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.finished && !this.upgrading && this.greeted) {
        const step = this.pump.next();
        if (!step) break;
        this.inFlight = step.catch(() => undefined);
        const output = await step.finally(() => (this.inFlight = undefined));
        if (output.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, output.delayMs));
        await this.write(output);
        if (output.close) {
          this.socket.end();
          await this.finish('closed by the server');
        } else if (output.startTls) {
          this.startTls();
        }
        if (this.pump.buffered <= MAX_BACKLOG / 2 && this.socket.isPaused()) this.socket.resume();
        this.armIdleTimer();
      }
    } finally {
      this.running = false;
    }
    if (this.socket.isPaused() && !this.finished && !this.upgrading) this.socket.resume();
    this.endIfInputDone();
  }

  private async write(output: PumpOutput): Promise<void> {
    this.emit(output.envelopes);
    await writeAll(this.socket, output.bytes);
  }

  /** RFC 2595 §4, RFC 3207 §4.2: the next bytes are the TLS handshake; the pump dropped anything pipelined before it. */
  private startTls(): void {
    this.upgrading = true;
    const plain = this.socket;
    this.detach(plain);
    const secure = upgradeToTls(plain, this.options.secureContext!, (socket) => {
      this.upgrading = false;
      this.armIdleTimer();
      void this.write(this.pump.tlsEstablished(tlsInfo(socket))).then(() => this.drain());
    });
    secure.allowHalfOpen = true;
    this.socket = secure;
    this.attach(secure);
    // The same limit as an implicit-TLS handshake: a client that asked and went silent is dropped.
    secure.setTimeout(this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  }

  /**
   * The idle limit that fits the session now: the short pre-login one until
   * the engine has a login. Set only when it changes (or the socket did, at
   * STARTTLS): the socket itself restarts its timer at every read and write, so
   * setting it again after each reply only made a timer object per command.
   */
  private armIdleTimer(): void {
    if (this.finished || this.upgrading) return;
    const preAuth = this.options.preAuthTimeoutMs;
    const awaitingLogin = this.pump.engine.awaitingLogin === true;
    if (!awaitingLogin) clearTimeout(this.loginDeadline);
    const idle = this.options.idleTimeoutMs;
    // An idle limit of 0 turns the autologout off, never the pre-login limit: the smaller of the two that are set.
    const ms = preAuth !== undefined && preAuth > 0 && awaitingLogin ? (idle > 0 ? Math.min(preAuth, idle) : preAuth) : idle;
    if (this.idleTimer?.socket === this.socket && this.idleTimer.ms === ms) return;
    this.socket.setTimeout(ms);
    this.idleTimer = { socket: this.socket, ms };
  }

  private async finish(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.greetingTimer);
    clearTimeout(this.loginDeadline);
    try {
      // A command still running (a PASS opening the maildrop) must finish first:
      // ending the session under it would let it take the lock afterwards, for good.
      if (this.inFlight) await this.inFlight;
      this.emit((await this.pump.end(reason)).envelopes);
    } finally {
      // The slot is given back when the socket is really gone, so the caps count every open descriptor.
      this.closeSocket().then(() => this.options.onClose?.(), () => this.options.onClose?.());
    }
  }

  /**
   * Ends the socket for good. During a handshake nothing can be said: it is
   * destroyed. Otherwise the FIN follows the last reply, and a socket still
   * open after a short linger (a peer that stopped reading, so the reply
   * cannot leave, or one that never closes its side) is destroyed, so no
   * socket stays half-open (CLOSE-WAIT) and no output waits without end.
   */
  private closeSocket(): Promise<void> {
    const socket = this.socket;
    socket.setTimeout(0);
    if (socket.destroyed) return Promise.resolve();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (this.upgrading) {
      socket.destroy();
      return closed;
    }
    if (!socket.writableEnded) socket.end();
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    return closed.finally(() => clearTimeout(linger));
  }

  private emit(envelopes: readonly EventEnvelope[]): void {
    const onEvent = this.options.onEvent;
    if (onEvent) for (const envelope of envelopes) onEvent(envelope);
  }
}
