/**
 * The TCP/TLS adapter for the SMTP engine: frames bytes in the mode the engine
 * asks for (command, DATA, BDAT chunk), answers pipelined commands in order,
 * refuses early talkers, performs STARTTLS and enforces the timeout.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { WireEvent } from '../events.js';
import { SmtpInputFramer, type SmtpInputItem } from '../framing/smtp-input.js';
import type { SmtpBackend } from '../smtp/backend.js';
import { SmtpSession, type SmtpOutput, type SmtpSessionOptions } from '../smtp/session.js';
import { tlsInfo, upgradeToTls, writeAll } from './socket-io.js';

export interface SmtpConnectionDeps {
  backend: SmtpBackend;
  options: Omit<SmtpSessionOptions, 'secure' | 'plaintextAuthAllowed' | 'remoteAddress' | 'challenge' | 'now' | 'nextId'>;
  secureContext?: SecureContext;
  /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command. */
  idleTimeoutMs: number;
  /** Wait this long before the 220; a client that talks first is refused (0 turns the check off). */
  greetingDelayMs: number;
  plaintextAuthAllowed: (remoteAddress: string | undefined) => boolean;
  nextId: () => string;
  onEvent?: (event: WireEvent) => void;
  onClose?: () => void;
}

/** Unprocessed input above this pauses the socket, so a fast peer cannot fill memory. */
const MAX_BUFFERED = 256 * 1024;

let challenges = 0;

export class SmtpConnection {
  private readonly session: SmtpSession;
  private framer = new SmtpInputFramer();
  private socket: Socket;
  private greeted = false;
  private running = false;
  private finished = false;
  private upgrading = false;
  private inFlight: Promise<unknown> | undefined;
  private greetingTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, private readonly deps: SmtpConnectionDeps, implicitTls: boolean) {
    this.socket = socket;
    this.session = new SmtpSession(deps.backend, {
      ...deps.options,
      tlsAvailable: deps.options.tlsAvailable && deps.secureContext !== undefined,
      secure: implicitTls,
      plaintextAuthAllowed: deps.plaintextAuthAllowed(socket.remoteAddress),
      remoteAddress: socket.remoteAddress ?? 'unknown',
      challenge: () => `<${process.pid}.${Date.now()}.${++challenges}@${deps.options.persona.hostname}>`,
      now: () => new Date(),
      nextId: deps.nextId,
    });
    this.attach(socket);
    socket.setTimeout(deps.idleTimeoutMs);
    if (socket instanceof TLSSocket) this.emit({ kind: 'tls', ...tlsInfo(socket) });
    if (deps.greetingDelayMs > 0) this.greetingTimer = setTimeout(() => this.greet(), deps.greetingDelayMs);
    else this.greet();
  }

  private greet(): void {
    if (this.finished || this.greeted) return;
    this.greeted = true;
    void this.write(this.session.greet()).then(() => this.drain());
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('timeout', this.onTimeout);
    socket.off('error', this.onError);
    socket.off('close', this.onSocketClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.finished || this.upgrading) return;
    if (!this.greeted) {
      // RFC 5321 §4.3.1: the client waits for the greeting. One that does not is a spam engine or a smuggler.
      clearTimeout(this.greetingTimer);
      this.greeted = true;
      void this.write(this.session.earlyTalker()).then(() => this.finish('refused: talked before the greeting'));
      return;
    }
    this.framer.push(chunk);
    if (this.framer.buffered > MAX_BUFFERED) this.socket.pause();
    void this.drain();
  };

  private readonly onTimeout = (): void => {
    if (this.finished || !this.greeted) return;
    const output = this.session.timeout();
    void this.write(output).then(() => this.finish('idle timeout (RFC 5321 §4.5.3.2)'));
  };

  private readonly onError = (error: Error): void => {
    this.emit({ kind: 'error', code: 'CONNECTION', message: error.message });
  };

  private readonly onSocketClose = (): void => {
    void this.finish('the connection was dropped without QUIT');
  };

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.finished && !this.upgrading && this.greeted) {
        const item = this.framer.next(this.session.inputMode);
        if (!item) break;
        const handling = this.handle(item);
        this.inFlight = handling.catch(() => undefined);
        let output: SmtpOutput;
        try {
          output = await handling;
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
        if (this.framer.buffered <= MAX_BUFFERED / 2 && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.running = false;
    }
    if (this.socket.isPaused() && !this.finished && !this.upgrading) this.socket.resume();
  }

  private handle(item: SmtpInputItem): Promise<SmtpOutput> {
    switch (item.kind) {
      case 'line':
        return this.session.receiveLine(item);
      case 'overlong':
        return Promise.resolve(this.session.overlong(item.limit));
      case 'data':
        return this.session.receiveData(item);
      case 'chunk':
        return this.session.receiveChunk(item);
    }
  }

  private async write(output: SmtpOutput): Promise<void> {
    for (const event of output.events) this.emit(event);
    await writeAll(this.socket, output.bytes);
  }

  /** RFC 3207 §4.2: nothing the client pipelined after STARTTLS may survive into the TLS session. */
  private startTls(): void {
    this.upgrading = true;
    this.framer = new SmtpInputFramer();
    const plain = this.socket;
    this.detach(plain);
    const secure = upgradeToTls(plain, this.deps.secureContext!, (socket) => {
      this.upgrading = false;
      void this.write(this.session.tlsEstablished(tlsInfo(socket))).then(() => this.drain());
    });
    this.socket = secure;
    this.attach(secure);
    secure.setTimeout(this.deps.idleTimeoutMs);
  }

  private async finish(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.greetingTimer);
    try {
      if (this.inFlight) await this.inFlight;
      for (const event of this.session.end(reason).events) this.emit(event);
    } finally {
      if (!this.socket.destroyed) this.socket.destroySoon();
      this.deps.onClose?.();
    }
  }

  private emit(event: WireEvent): void {
    this.deps.onEvent?.(event);
  }
}
