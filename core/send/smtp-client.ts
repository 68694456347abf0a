/**
 * Drives an `SmtpDialogue` over a real TCP or TLS connection: connects (with a
 * timeout), frames the server's lines with a hard limit, performs the TLS
 * upgrade after STARTTLS, times out a silent server, and reports every line
 * to an observer for the transcript. The protocol decisions are the dialogue's.
 */
import { isIP } from 'node:net';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { LineSplitter } from '../framing/line-splitter.js';
import { SmtpDialogue, type DialogueStep, type RecipientResult, type StartTlsPolicy } from './smtp-dialogue.js';
import { hostLabel } from '../host-port.js';

/** Watches one connection: what was sent and received, for transcripts. */
export interface SmtpObserver {
  /** A connection attempt starts. */
  connecting?(target: { host: string; address: string; port: number; implicitTls: boolean }): void;
  /** TCP (and, for implicit TLS, the handshake) is up; the greeting is next. */
  connected?(): void;
  /** One command line we sent; `secret` lines hold credentials. */
  sent?(line: string, secret: boolean): void;
  /** The message content we sent after 354 (dot-stuffed, with the final "."). */
  sentMessage?(payload: Buffer): void;
  /** One line the server sent, without CRLF. */
  received?(line: string): void;
  tlsEstablished?(info: { version: string; cipher: string; authorized: boolean }): void;
  /** The connection ended; `reason` says why when it was not the normal end. */
  closed?(reason?: string): void;
}

export interface SmtpClientOptions {
  /** The host name: for TLS (SNI and certificate check) and for results. */
  host: string;
  /** The address to connect to; defaults to `host`. */
  address?: string;
  port: number;
  /** TLS from the first byte (smtps, RFC 8314). */
  implicitTls: boolean;
  startTls: StartTlsPolicy;
  /** Accept a certificate that does not verify (self-signed labs). Opportunistic STARTTLS never verifies (RFC 7435). */
  insecure: boolean;
  heloName: string;
  from: string;
  recipients: readonly string[];
  message: Uint8Array;
  auth?: { user: string; password: string };
  /** Default 30 s. */
  connectTimeoutMs?: number;
  /** How long to wait for each reply; default 5 minutes (RFC 5321 §4.5.3.2). */
  replyTimeoutMs?: number;
  observer?: SmtpObserver;
  /** Aborting ends the connection at once; undecided recipients fail temporarily. */
  signal?: AbortSignal;
}

/** Longest reply line kept (RFC 5321 §4.5.3.1.5 allows 512); past it the server is cut off. */
const REPLY_LINE_LIMIT = 4096;


/**
 * Runs one SMTP transaction to one server and returns a result per recipient.
 * Never rejects: a connection that fails gives every recipient a temporary
 * result with code 0 and the reason.
 */
export function sendOverSmtp(options: SmtpClientOptions): Promise<RecipientResult[]> {
  const address = options.address ?? options.host;
  const label = hostLabel(options.host, address, options.port);
  const dialogue = new SmtpDialogue({
    heloName: options.heloName,
    from: options.from,
    recipients: options.recipients,
    message: options.message,
    startTls: options.startTls,
    tlsActive: options.implicitTls,
    host: label,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const observer = options.observer ?? {};
  const servername = isIP(options.host) ? undefined : options.host;
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const replyTimeoutMs = options.replyTimeoutMs ?? 5 * 60_000;

  return new Promise((resolve) => {
    let socket: Socket;
    let splitter = new LineSplitter(REPLY_LINE_LIMIT);
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    let upgrading = false;

    const finish = (reason?: string) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (reason !== undefined) dialogue.connectionLost(reason);
      socket.destroy();
      observer.closed?.(reason);
      resolve(dialogue.recipientResults());
    };
    const arm = (ms: number, reason: string) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(reason), ms);
    };
    const perform = (steps: DialogueStep[]) => {
      for (const step of steps) {
        switch (step.kind) {
          case 'send':
            observer.sent?.(step.line, step.secret ?? false);
            socket.write(`${step.line}\r\n`);
            break;
          case 'send-message':
            observer.sentMessage?.(step.payload);
            socket.write(step.payload);
            break;
          case 'start-tls':
            upgrade();
            return;
          case 'close':
            finish();
            return;
        }
      }
      arm(replyTimeoutMs, `no reply from ${label} within ${Math.round(replyTimeoutMs / 1000)} s`);
    };
    const onData = (chunk: Buffer) => {
      if (upgrading || finished) return;
      for (const item of splitter.push(chunk)) {
        if (item.kind === 'overlong') {
          finish(`${label} sent a line longer than ${REPLY_LINE_LIMIT} octets`);
          return;
        }
        const line = item.bytes.toString('latin1');
        observer.received?.(line);
        perform(dialogue.receive(line));
        // After 220 to STARTTLS, whatever else arrived in plaintext is dropped (RFC 3207 §4.2; no reply injection).
        if (finished || upgrading) return;
      }
    };
    const attach = (target: Socket) => {
      target.on('data', onData);
      target.on('error', (error: Error) => finish(describeSocketError(error, label)));
      target.on('close', () => finish(dialogue.finished ? undefined : `${label} closed the connection`));
    };
    const upgrade = () => {
      upgrading = true;
      if (timer) clearTimeout(timer);
      const plain = socket;
      plain.removeAllListeners('data');
      plain.removeAllListeners('close');
      plain.removeAllListeners('error');
      plain.on('error', () => {});
      const verify = options.startTls === 'required' && !options.insecure;
      const secure = tlsConnect({ socket: plain, ...(servername ? { servername } : {}), rejectUnauthorized: verify });
      socket = secure;
      arm(connectTimeoutMs, `TLS handshake with ${label} timed out`);
      secure.once('secureConnect', () => {
        upgrading = false;
        splitter = new LineSplitter(REPLY_LINE_LIMIT);
        observer.tlsEstablished?.(tlsDetails(secure));
        perform(dialogue.tlsStarted());
      });
      secure.on('data', onData);
      secure.on('error', (error: Error) => finish(describeSocketError(error, label, true)));
      secure.on('close', () => finish(dialogue.finished ? undefined : `${label} closed the connection`));
    };

    observer.connecting?.({ host: options.host, address, port: options.port, implicitTls: options.implicitTls });
    if (options.implicitTls) {
      const secure = tlsConnect({ host: address, port: options.port, ...(servername ? { servername } : {}), rejectUnauthorized: !options.insecure });
      socket = secure;
      secure.once('secureConnect', () => {
        observer.connected?.();
        observer.tlsEstablished?.(tlsDetails(secure));
        arm(replyTimeoutMs, `no greeting from ${label} within ${Math.round(replyTimeoutMs / 1000)} s`);
      });
    } else {
      socket = netConnect({ host: address, port: options.port });
      socket.once('connect', () => {
        observer.connected?.();
        arm(replyTimeoutMs, `no greeting from ${label} within ${Math.round(replyTimeoutMs / 1000)} s`);
      });
    }
    arm(connectTimeoutMs, `cannot connect to ${label}: timed out after ${Math.round(connectTimeoutMs / 1000)} s`);
    attach(socket);
    if (options.signal) {
      const signal = options.signal;
      const onAbort = () => finish(`delivery to ${label} was stopped`);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      socket.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  });
}

function tlsDetails(socket: TLSSocket): { version: string; cipher: string; authorized: boolean } {
  return { version: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher().name, authorized: socket.authorized };
}

/** A socket error as one readable line. */
function describeSocketError(error: Error, label: string, duringTls = false): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${label}: connection refused`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot connect to ${label}: no route to host`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to ${label}: host name not found`;
    case 'ECONNRESET':
      return `${label} reset the connection`;
    default:
      if (/certificate|self[- ]signed|unable to verify/i.test(error.message)) return `TLS with ${label} failed: ${error.message} (use --insecure to accept it)`;
      if (duringTls) return `TLS with ${label} failed: ${error.message}`;
      return `connection to ${label} failed: ${error.message}`;
  }
}
