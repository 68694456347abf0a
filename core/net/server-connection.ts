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
import type { ServerEngine } from '../engine/server-engine.js';
import type { EventEnvelope } from '../events.js';
import { tlsInfo, upgradeToTls, writeAll } from './socket-io.js';

export interface ServerConnectionOptions {
  /** The id stamped on this session's events. */
  session: string;
  secureContext?: SecureContext;
  idleTimeoutMs: number;
  /** Wait this long before the greeting; a client that talks first is refused (SMTP, RFC 5321 §4.3.1). 0: greet at once. */
  greetingDelayMs?: number;
  onEvent?: (envelope: EventEnvelope) => void;
  /** Called once when the connection is over and the session ended. */
  onClose?: () => void;
}

/** Unprocessed input above this pauses the socket, so a fast peer cannot fill memory. */
const MAX_BACKLOG = 256 * 1024;

export class ServerConnection {
  private socket: Socket;
  private readonly pump: EnginePump;
  private finished = false;
  private greeted = false;
  private greetingTimer: NodeJS.Timeout | undefined;
  private running = false;
  private upgrading = false;
  private inputEnded = false;
  /** The step the engine is handling now; settles (never rejects) when done. */
  private inFlight: Promise<unknown> | undefined;

  constructor(socket: Socket, engine: ServerEngine, private readonly options: ServerConnectionOptions) {
    this.socket = socket;
    this.pump = new EnginePump(engine, { session: options.session, clock: Date.now });
    // A client may pipeline its commands and half-close; the replies are still owed.
    socket.allowHalfOpen = true;
    this.attach(socket);
    socket.setTimeout(options.idleTimeoutMs);
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

  private readonly onTimeout = (): void => {
    if (this.finished || !this.greeted) return;
    void this.write(this.pump.timeout()).then(() => {
      this.socket.end();
      return this.finish('idle timeout');
    });
  };

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
      void this.write(this.pump.tlsEstablished(tlsInfo(socket))).then(() => this.drain());
    });
    secure.allowHalfOpen = true;
    this.socket = secure;
    this.attach(secure);
    secure.setTimeout(this.options.idleTimeoutMs);
  }

  private async finish(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.greetingTimer);
    try {
      // A command still running (a PASS opening the maildrop) must finish first:
      // ending the session under it would let it take the lock afterwards, for good.
      if (this.inFlight) await this.inFlight;
      this.emit((await this.pump.end(reason)).envelopes);
    } finally {
      if (!this.socket.destroyed) this.socket.destroySoon();
      this.options.onClose?.();
    }
  }

  private emit(envelopes: readonly EventEnvelope[]): void {
    const onEvent = this.options.onEvent;
    if (onEvent) for (const envelope of envelopes) onEvent(envelope);
  }
}
