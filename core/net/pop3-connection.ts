/**
 * The TCP/TLS adapter for the POP3 engine: frames bytes into lines, feeds the
 * session one line at a time (so pipelined commands are answered in order),
 * writes replies with backpressure, performs STLS, and enforces the idle timeout.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { WireEvent } from '../events.js';
import { LineSplitter, type FramedItem } from '../framing/line-splitter.js';
import type { Pop3Backend } from '../pop3/backend.js';
import { Pop3Session, type Pop3Output, type Pop3SessionOptions } from '../pop3/session.js';

export interface Pop3ConnectionDeps {
  backend: Pop3Backend;
  /** Session options without the per-connection ones, which this adapter fills in. */
  options: Omit<Pop3SessionOptions, 'timestamp' | 'challenge' | 'secure' | 'plaintextAuthAllowed'>;
  /** The host name in APOP timestamps and CRAM-MD5 challenges. */
  hostname: string;
  secureContext?: SecureContext;
  /** RFC 1939 §3: at least 10 minutes. */
  idleTimeoutMs: number;
  plaintextAuthAllowed: (remoteAddress: string | undefined) => boolean;
  onEvent?: (event: WireEvent) => void;
  /** Called once when the connection is over and the session ended. */
  onClose?: () => void;
}

/** Pipelined lines waiting for their turn; past this the socket is paused. */
const MAX_QUEUED_ITEMS = 64;

let clock = 0;

/** `<pid.clock@host>` (RFC 1939 §7): unique per greeting. */
function makeTimestamp(hostname: string): string {
  clock = Math.max(clock + 1, Math.floor(Date.now() / 1000));
  return `<${process.pid}.${clock}@${hostname}>`;
}

export class Pop3Connection {
  private readonly session: Pop3Session;
  private readonly splitter: LineSplitter;
  private readonly queue: FramedItem[] = [];
  private socket: Socket;
  private running = false;
  private finished = false;
  private upgrading = false;

  constructor(socket: Socket, private readonly deps: Pop3ConnectionDeps, implicitTls: boolean) {
    this.socket = socket;
    const secure = implicitTls;
    this.session = new Pop3Session(deps.backend, {
      ...deps.options,
      tlsAvailable: deps.options.tlsAvailable && deps.secureContext !== undefined,
      timestamp: makeTimestamp(deps.hostname),
      challenge: () => makeTimestamp(deps.hostname),
      secure,
      plaintextAuthAllowed: deps.plaintextAuthAllowed(socket.remoteAddress),
    });
    this.splitter = new LineSplitter(this.session.lineLimit);
    this.attach(socket);
    socket.setTimeout(deps.idleTimeoutMs);
    if (socket instanceof TLSSocket) {
      this.emit({ kind: 'tls', version: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher().name });
    }
    void this.write(this.session.greet());
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
    this.splitter.setLimit(this.session.lineLimit);
    this.queue.push(...this.splitter.push(chunk));
    if (this.queue.length > MAX_QUEUED_ITEMS) this.socket.pause();
    void this.drain();
  };

  private readonly onTimeout = (): void => {
    if (this.finished) return;
    this.emit({ kind: 'error', code: 'IDLE_TIMEOUT', message: `no command for ${Math.round(this.deps.idleTimeoutMs / 1000)} s` });
    this.socket.write('-ERR idle for too long, closing connection\r\n');
    void this.finish('idle timeout (RFC 1939 §3 autologout timer)');
  };

  private readonly onError = (error: Error): void => {
    this.emit({ kind: 'error', code: 'CONNECTION', message: error.message });
  };

  private readonly onSocketClose = (): void => {
    void this.finish('the connection was dropped without QUIT');
  };

  /** Handles queued lines strictly one after another. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.finished && !this.upgrading) {
        const item = this.queue.shift()!;
        const output = item.kind === 'line' ? await this.session.receive(item.bytes) : await this.session.overlong(item.limit);
        this.splitter.setLimit(this.session.lineLimit);
        if (output.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, output.delayMs));
        await this.write(output);
        if (output.close) {
          this.socket.end();
          await this.finish('closed by the server');
        } else if (output.startTls) {
          this.startTls();
        }
        if (this.queue.length <= MAX_QUEUED_ITEMS / 2 && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.running = false;
    }
  }

  private async write(output: Pop3Output): Promise<void> {
    for (const event of output.events) this.emit(event);
    if (output.bytes.length === 0 || this.socket.destroyed) return;
    if (!this.socket.write(output.bytes)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  /**
   * RFC 2595 §4: after "+OK Begin TLS negotiation" the next bytes are the TLS
   * handshake. Anything the client pipelined after STLS is thrown away, so
   * plaintext commands cannot be injected into the TLS session.
   */
  private startTls(): void {
    this.upgrading = true;
    this.queue.length = 0;
    this.splitter.setLimit(this.session.lineLimit);
    this.splitter.push(Buffer.from('\n')); // drop any partial plaintext line
    const plain = this.socket;
    this.detach(plain);
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.deps.secureContext! });
    this.socket = secure;
    this.attach(secure);
    secure.setTimeout(this.deps.idleTimeoutMs);
    secure.once('secure', () => {
      this.upgrading = false;
      const cipher = secure.getCipher();
      void this.write(this.session.tlsEstablished({ version: secure.getProtocol() ?? 'unknown', cipher: cipher.name }));
    });
  }

  private async finish(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.queue.length = 0;
    try {
      const output = await this.session.end(reason);
      for (const event of output.events) this.emit(event);
    } finally {
      if (!this.socket.destroyed) this.socket.destroySoon();
      this.deps.onClose?.();
    }
  }

  private emit(event: WireEvent): void {
    this.deps.onEvent?.(event);
  }
}
