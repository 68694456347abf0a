/**
 * What the POP3 and SMTP socket adapters share: feeding framed input to a
 * sans-I/O engine strictly one item at a time (so pipelined commands are
 * answered in order), writing with backpressure, pausing a peer that sends
 * faster than it is served, the idle timeout, half-closed sockets, the
 * STLS/STARTTLS upgrade, and ending the session exactly once.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { EngineOutput } from '../engine-output.js';
import type { WireEvent } from '../events.js';
import { tlsInfo, upgradeToTls, writeAll } from './socket-io.js';

/** The part of an engine's output the adapter acts on. */
type AdapterOutput = Pick<EngineOutput<unknown>, 'bytes' | 'events' | 'delayMs' | 'startTls' | 'close'>;

export interface ConnectionBase {
  secureContext?: SecureContext;
  idleTimeoutMs: number;
  onEvent?: (event: WireEvent) => void;
  /** Called once when the connection is over and the session ended. */
  onClose?: () => void;
}

/** Unprocessed input above this pauses the socket, so a fast peer cannot fill memory. */
const MAX_BACKLOG = 256 * 1024;

export abstract class LineConnection<Output extends AdapterOutput> {
  protected socket: Socket;
  protected finished = false;
  private running = false;
  private upgrading = false;
  private inputEnded = false;
  /** The input the engine is handling now; settles (never rejects) when done. */
  private inFlight: Promise<unknown> | undefined;

  constructor(socket: Socket, private readonly base: ConnectionBase) {
    this.socket = socket;
    // A client may pipeline its commands and half-close; the replies are still owed.
    socket.allowHalfOpen = true;
    this.attach(socket);
    socket.setTimeout(base.idleTimeoutMs);
    if (socket instanceof TLSSocket) this.emit({ kind: 'tls', ...tlsInfo(socket) });
  }

  /** Feeds received bytes to the framer. */
  protected abstract push(chunk: Buffer): void;
  /** The next framed input as a call into the engine, or undefined when more bytes are needed. */
  protected abstract nextInput(): (() => Promise<Output>) | undefined;
  /** Bytes or items received but not yet handled. */
  protected abstract get backlog(): number;
  /** What to send when the peer has been idle too long. */
  protected abstract timedOut(): Output;
  /** Ends the engine's session (no UPDATE, nothing half-received kept); returns its last events. */
  protected abstract endSession(reason: string): Promise<readonly WireEvent[]>;
  /** Forgets unhandled input: nothing sent before the TLS handshake may be read after it. */
  protected abstract discardInput(): void;
  protected abstract tlsEstablished(info: { version: string; cipher: string }): Output;
  /** The reply for a failure of our own (a bug or the store failing unexpectedly). */
  protected abstract internalErrorReply(): Buffer;

  /** False while input must not be handled yet (SMTP before its greeting). */
  protected ready(): boolean {
    return true;
  }

  /** Called for data before `ready()`; SMTP refuses early talkers here. */
  protected earlyData(_chunk: Buffer): void {}

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
    if (!this.ready()) {
      this.earlyData(chunk);
      return;
    }
    this.push(chunk);
    if (this.backlog > MAX_BACKLOG) this.socket.pause();
    void this.drain();
  };

  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.endIfInputDone();
  };

  private readonly onTimeout = (): void => {
    if (this.finished || !this.ready()) return;
    void this.write(this.timedOut()).then(() => this.finish('idle timeout'));
  };

  private readonly onError = (error: Error): void => {
    this.emit({ kind: 'error', code: 'CONNECTION', message: error.message });
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
  protected async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.finished && !this.upgrading && this.ready()) {
        const next = this.nextInput();
        if (!next) break;
        const handling = next();
        this.inFlight = handling.catch(() => undefined);
        let output: Output;
        try {
          output = await handling;
        } catch (error) {
          this.emit({ kind: 'error', code: 'INTERNAL', message: (error as Error).message });
          await writeAll(this.socket, this.internalErrorReply());
          this.socket.end();
          await this.finish('closed after an internal error');
          return;
        } finally {
          this.inFlight = undefined;
        }
        if (output.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, output.delayMs));
        await this.write(output);
        if (output.close) {
          this.socket.end();
          await this.finish('closed by the server');
        } else if (output.startTls) {
          this.startTls();
        }
        if (this.backlog <= MAX_BACKLOG / 2 && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.running = false;
    }
    if (this.socket.isPaused() && !this.finished && !this.upgrading) this.socket.resume();
    this.endIfInputDone();
  }

  protected async write(output: Output | { bytes: Buffer; events: readonly WireEvent[] }): Promise<void> {
    for (const event of output.events) this.emit(event);
    await writeAll(this.socket, output.bytes);
  }

  /** RFC 2595 §4, RFC 3207 §4.2: the next bytes are the TLS handshake; anything pipelined before it is dropped. */
  private startTls(): void {
    this.upgrading = true;
    this.discardInput();
    const plain = this.socket;
    this.detach(plain);
    const secure = upgradeToTls(plain, this.base.secureContext!, (socket) => {
      this.upgrading = false;
      void this.write(this.tlsEstablished(tlsInfo(socket))).then(() => this.drain());
    });
    secure.allowHalfOpen = true;
    this.socket = secure;
    this.attach(secure);
    secure.setTimeout(this.base.idleTimeoutMs);
  }

  protected async finish(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      // A command still running (a PASS opening the maildrop) must finish first:
      // ending the session under it would let it take the lock afterwards, for good.
      if (this.inFlight) await this.inFlight;
      for (const event of await this.endSession(reason)) this.emit(event);
    } finally {
      this.discardInput();
      if (!this.socket.destroyed) this.socket.destroySoon();
      this.base.onClose?.();
    }
  }

  protected emit(event: WireEvent): void {
    this.base.onEvent?.(event);
  }
}
