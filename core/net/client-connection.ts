/**
 * The raw-client adapter: a TCP or TLS socket to any POP3 or SMTP server,
 * whose lines go through a client tracker so they arrive annotated. It frames
 * what the server sends with a hard line limit, upgrades to TLS on request,
 * and keeps each line's exact bytes for the --show-bytes view.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { ClientTracker } from '../client/tracker.js';
import type { CertSummary, RawLine, WireEvent } from '../events.js';
import { LineSplitter } from '../framing/line-splitter.js';
import { hostPort } from '../host-port.js';
import type { ClientEndpoint } from './server-url.js';
import { isSelfSigned, tlsConnectOptions, verificationName, verificationProblems } from './tls-verification.js';

export type { ClientEndpoint };

export interface ClientConnectionOptions {
  endpoint: ClientEndpoint;
  tracker: ClientTracker;
  onEvent: (event: WireEvent) => void;
  /** Every server line with its exact ending, for the --show-bytes view. */
  onRawLine?: (line: RawLine) => void;
  /** Every line on the wire for a saved transcript: server lines as received, client lines with secrets masked. */
  onTranscriptLine?: (from: 'client' | 'server', text: string) => void;
  /** Called once when the connection is closed, by either side. */
  onClose: (reason: string) => void;
  connectTimeoutMs?: number;
  /** Told of the socket as soon as it is created (the classroom bridge marks its own lab connections). */
  onSocket?: (socket: Socket) => void;
}

/** Longest server line kept; RFC 5321 allows 512 for replies, POP3 bodies 1000. Past this it is cut, never buffered. */
export const SERVER_LINE_LIMIT = 64 * 1024;

/** A one-line, user-facing reason why a connection could not be made. */
export class ConnectError extends Error {
  override name = 'ConnectError';
}

export class ClientConnection {
  private socket!: Socket;
  private splitter = new LineSplitter(SERVER_LINE_LIMIT);
  private closed = false;
  /** The plaintext-password warning is given once per session. */
  private warnedPlaintext = false;
  /** Why the TLS in use does not verify; empty when it does (or there is no TLS). */
  private problems: string[] = [];

  private constructor(private readonly options: ClientConnectionOptions) {}

  /** Connects (and, for implicit TLS, finishes the handshake) or rejects with a ConnectError. */
  static async open(options: ClientConnectionOptions): Promise<ClientConnection> {
    const connection = new ClientConnection(options);
    await connection.connect();
    return connection;
  }

  get tracker(): ClientTracker {
    return this.options.tracker;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get isTls(): boolean {
    return 'encrypted' in this.socket;
  }

  /** TLS is up and the certificate verified for the server's name. */
  get isVerified(): boolean {
    return this.isTls && this.problems.length === 0;
  }

  /** Why the certificate in use did not verify (accepted with --insecure); empty otherwise. */
  get tlsProblems(): readonly string[] {
    return this.problems;
  }

  private async connect(): Promise<void> {
    const { endpoint } = this.options;
    const where = hostPort(endpoint.host, endpoint.port);
    const socket: Socket = endpoint.implicitTls
      ? tlsConnect({ host: endpoint.host, port: endpoint.port, ...tlsOptions(endpoint) })
      : netConnect({ host: endpoint.host, port: endpoint.port });
    this.socket = socket;
    this.options.onSocket?.(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectError(`cannot connect to ${where}: no answer within ${Math.round((this.options.connectTimeoutMs ?? 15_000) / 1000)} s`));
      }, this.options.connectTimeoutMs ?? 15_000);
      socket.once(endpoint.implicitTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        const refused = endpoint.implicitTls ? this.refuseUnverified(socket as TLSSocket) : undefined;
        if (refused) {
          socket.destroy();
          reject(new ConnectError(refused));
        } else resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new ConnectError(describeSocketError(error, where, endpoint.protocol)));
      });
    });
    this.emitAll(this.tracker.connected());
    if (endpoint.implicitTls) this.emitTlsEstablished(socket as TLSSocket);
    this.listen(socket);
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private unlisten(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    for (const item of this.splitter.push(chunk)) {
      if (item.kind === 'line') {
        this.deliver({ text: item.bytes.toString('latin1'), ending: item.bareLf ? 'lf' : 'crlf' });
      } else {
        // A server that never ends its line costs at most the limit: the line is dropped and reported.
        this.options.onEvent({ kind: 'error', code: 'LINE_TOO_LONG', message: `the server sent a line longer than ${SERVER_LINE_LIMIT} octets; it was dropped` });
      }
    }
  };

  private deliver(line: RawLine): void {
    this.options.onRawLine?.(line);
    this.options.onTranscriptLine?.('server', line.text);
    if (line.ending === 'lf') {
      this.options.onEvent({ kind: 'annotation', about: 'warning', key: `${this.options.endpoint.protocol}.warning.bare-lf-reply`, rfc: 'RFC 5321 §2.3.8', detail: 'this server line ended with LF alone; lines must end with CRLF' });
    }
    this.emitAll(this.tracker.received(line.text));
  }

  private readonly onError = (error: Error): void => {
    this.options.onEvent({ kind: 'error', code: 'CONNECTION', message: describeSocketError(error, hostPort(this.options.endpoint.host, this.options.endpoint.port)) });
  };

  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose(this.tracker.closed ? 'the server closed the connection' : 'the connection was closed');
  };

  /** Sends one line (CRLF added). The tracker's events report it, secrets masked. */
  send(line: string): void {
    this.sendBatch([line]);
  }

  /** Sends several lines in one write (PIPELINING, RFC 2920 / RFC 2449 §6.6). */
  sendBatch(lines: readonly string[]): void {
    if (this.closed || lines.length === 0) return;
    for (const line of lines) {
      const events = this.tracker.sent(line);
      this.emitAll(events);
      // The tracker's own line event is the masked form; message content has none and is not secret.
      const shown = events.find((event) => event.kind === 'line' && event.from === 'client');
      if (shown?.kind === 'line' && shown.masked) this.warnPlaintextSecret(shown.text);
      this.options.onTranscriptLine?.('client', shown?.kind === 'line' ? shown.text : line);
    }
    this.socket.write(Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'));
  }

  /** Once per session: a password (or a SASL response carrying one) just crossed a connection without TLS (RFC 8314 §1). */
  private warnPlaintextSecret(shown: string): void {
    if (this.warnedPlaintext || this.isTls || /^APOP\b/i.test(shown)) return;
    this.warnedPlaintext = true;
    const fix = this.options.endpoint.protocol === 'pop3' ? 'use pop3:// with --starttls (STLS), or pop3s://' : 'use smtp:// with --starttls, or smtps://';
    this.options.onEvent({ kind: 'annotation', about: 'warning', key: 'client.warning.cleartext-password', rfc: 'RFC 8314 §1', detail: `this password went over the network unencrypted; anyone on the path can read it (${fix})` });
  }

  /**
   * Turns the plain connection into TLS after a positive STLS/STARTTLS reply
   * (RFC 2595 §4, RFC 3207 §4). A handshake that fails, stalls past
   * `handshakeTimeoutMs` or meets a certificate that does not verify (without
   * --insecure) rejects with a ConnectError, and the connection is gone: both
   * sockets are destroyed and nothing more can be sent (the caller reports the close).
   */
  async startTls(handshakeTimeoutMs = 15_000): Promise<void> {
    const plain = this.socket;
    this.unlisten(plain);
    const { endpoint } = this.options;
    const where = hostPort(endpoint.host, endpoint.port);
    let secure: TLSSocket | undefined;
    try {
      secure = tlsConnect({ socket: plain, ...tlsOptions(endpoint) });
      const socket = secure;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new ConnectError(`TLS with ${where} failed: no TLS handshake within ${Math.round(handshakeTimeoutMs / 1000)} s`)), handshakeTimeoutMs);
        socket.once('secureConnect', () => {
          clearTimeout(timer);
          const refused = this.refuseUnverified(socket);
          if (refused) reject(new ConnectError(refused));
          else resolve();
        });
        // The server agreed to upgrade, so this is no plaintext-port mistake: its TLS side failed.
        const closedEarly = `TLS with ${where} failed: the server closed the connection during the TLS handshake it had just agreed to; its TLS setup (certificate, key, protocols) is likely broken: check its log`;
        socket.once('error', (error) => {
          clearTimeout(timer);
          const code = (error as NodeJS.ErrnoException).code;
          reject(new ConnectError(code === 'ECONNRESET' || /socket disconnected/i.test(error.message) ? closedEarly : describeSocketError(error, where)));
        });
        socket.once('close', () => {
          clearTimeout(timer);
          reject(new ConnectError(closedEarly));
        });
      });
    } catch (error) {
      this.closed = true;
      secure?.destroy();
      plain.destroy();
      throw error instanceof ConnectError ? error : new ConnectError(`TLS with ${where} failed: ${(error as Error).message}`);
    }
    this.socket = secure;
    this.splitter = new LineSplitter(SERVER_LINE_LIMIT);
    this.listen(secure);
    this.emitTlsEstablished(secure);
  }

  /** The certificate's problems, kept; the reason to refuse the connection when there are some and --insecure was not given. */
  private refuseUnverified(socket: TLSSocket): string | undefined {
    const { endpoint } = this.options;
    this.problems = verificationProblems(socket, verificationName(endpoint.host, endpoint.tls));
    if (this.problems.length === 0 || endpoint.insecure) return undefined;
    const hint = isSelfSigned(socket) ? ' (--insecure accepts a self-signed certificate in a lab; --ca-file FILE trusts its CA)' : ' (--insecure accepts it anyway)';
    return `TLS with ${hostPort(endpoint.host, endpoint.port)} failed: the certificate does not verify: ${this.problems.join('; ')}${hint}`;
  }

  close(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Our own tls event carries the certificate; the tracker's plain one is left out. */
  private emitTlsEstablished(socket: TLSSocket): void {
    this.emitAll(this.tracker.tlsEstablished(this.tlsSummary(socket)).filter((event) => event.kind !== 'tls'));
  }

  private tlsSummary(socket: TLSSocket): { version: string; cipher: string } {
    const version = socket.getProtocol() ?? 'unknown';
    const cipher = socket.getCipher().name;
    this.options.onEvent({ kind: 'tls', version, cipher, peer: certSummary(socket.getPeerCertificate(), this.problems.length === 0) });
    if (this.problems.length > 0) {
      this.options.onEvent({
        kind: 'annotation',
        about: 'warning',
        key: 'client.warning.unverified-certificate',
        rfc: 'RFC 8314 §4.1',
        detail: `the certificate did not verify: ${this.problems.join('; ')}; accepted only because of --insecure (this connection is UNVERIFIED)`,
      });
    }
    return { version, cipher };
  }

  private emitAll(events: readonly WireEvent[]): void {
    for (const event of events) this.options.onEvent(event);
  }
}

function certSummary(certificate: PeerCertificate, verified: boolean): CertSummary {
  const name = (fields: Record<string, unknown> | undefined) =>
    fields ? Object.entries(fields).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`).join(', ') : '(none)';
  return {
    subject: name(certificate.subject as unknown as Record<string, unknown>),
    issuer: name(certificate.issuer as unknown as Record<string, unknown>),
    validFrom: certificate.valid_from ?? '',
    validTo: certificate.valid_to ?? '',
    verified,
  };
}

/** tls.connect options for this endpoint (a CA file that cannot be read is a one-line ConnectError). */
function tlsOptions(endpoint: ClientEndpoint): ReturnType<typeof tlsConnectOptions> {
  try {
    return tlsConnectOptions(endpoint.host, endpoint.tls);
  } catch (error) {
    throw new ConnectError((error as Error).message);
  }
}

function describeSocketError(error: Error, where: string, protocol?: 'pop3' | 'smtp'): string {
  const code = (error as NodeJS.ErrnoException).code;
  // OpenSSL's words for "the bytes that came back were not TLS": a plaintext port.
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|unknown protocol|http request/i.test(error.message)) {
    const plain = protocol === 'pop3' ? 'pop3://' : 'smtp://';
    return `TLS with ${where} failed: the server did not answer with TLS; is this a plaintext port? try ${plain}${where}${protocol === undefined ? '' : `, with --starttls to upgrade`}`;
  }
  if (code === 'ECONNRESET' && protocol !== undefined && /socket disconnected before secure TLS connection/i.test(error.message)) {
    return `TLS with ${where} failed: the server closed the connection during the TLS handshake; is this a plaintext port?`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${where}: connection refused (nothing listens on that port)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${where}: the host name does not resolve`;
    case 'ETIMEDOUT':
      return `cannot connect to ${where}: timed out`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot connect to ${where}: host unreachable`;
    case 'ECONNRESET':
      return `connection to ${where} reset by the server`;
    default:
      if (code?.startsWith('ERR_TLS') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'CERT_HAS_EXPIRED' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || /certificate|SSL|TLS/i.test(error.message)) {
        return `TLS with ${where} failed: ${error.message}${/self.signed|verify/i.test(error.message) ? ' (use --insecure to accept a self-signed certificate)' : ''}`;
      }
      return `connection to ${where} failed: ${error.message}`;
  }
}
