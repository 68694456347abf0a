/**
 * Drives an `SmtpDialogue` over a real TCP or TLS connection: connects (with a
 * timeout), frames the server's lines with a hard limit, performs the TLS
 * upgrade after STARTTLS, times out a silent server, and reports every line
 * to an observer for the transcript. The protocol decisions are the dialogue's.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { LineSplitter } from '../framing/line-splitter.js';
import { probeSilentPort, probeSilentTlsPort, silentPortReason } from '../net/silent-port-probe.js';
import { tlsConnectOptions, verificationName, verificationProblems, type TlsClientSettings } from '../net/tls-verification.js';
import { SmtpDialogue, type ConnectionLoss, type DialogueStep, type RecipientResult, type StartTlsPolicy } from './smtp-dialogue.js';
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
  tlsEstablished?(info: { version: string; cipher: string; authorized: boolean; problems?: readonly string[] }): void;
  /** Something the user must read before the next line goes out (credentials over an unverified connection). */
  warning?(text: string): void;
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
  /** Accept a certificate that does not verify (self-signed labs), and send credentials without verified TLS (after a warning). Opportunistic STARTTLS never requires verification (RFC 7435). */
  insecure: boolean;
  /** --ca-file, --servername, --tls-min. */
  tls?: TlsClientSettings;
  /**
   * No greeting within a second: probe the port on a second connection for a
   * TLS or web server, as `maillab connect` does (`send --server`). Off for MX
   * hosts: a slow-greeting MTA may hold a second connection against us.
   */
  probeSilence?: boolean;
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
    unverifiedAuth: options.insecure,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const observer = options.observer ?? {};
  const name = verificationName(options.host, options.tls);
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const replyTimeoutMs = options.replyTimeoutMs ?? 5 * 60_000;

  return new Promise((resolve) => {
    let socket: Socket;
    let splitter = new LineSplitter(REPLY_LINE_LIMIT);
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    let upgrading = false;

    let greeted = false;
    const finish = (reason?: string, lost?: ConnectionLoss) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (silence) clearTimeout(silence);
      if (reason !== undefined) dialogue.connectionLost(reason, lost);
      socket.destroy();
      observer.closed?.(reason);
      resolve(dialogue.recipientResults());
    };
    const arm = (ms: number, reason: string, lost: ConnectionLoss = 'timeout') => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(reason, lost), ms);
    };
    let silence: NodeJS.Timeout | undefined;
    // A mail server greets at once: after a second of silence, find out on a second connection what the port is (as maillab connect does).
    const watchSilence = () => {
      if (!options.probeSilence) return;
      silence = setTimeout(() => {
        if (greeted || finished) return;
        void (options.implicitTls ? probeSilentTlsPort : probeSilentPort)(address, options.port).then((kind) => {
          const wrong = silentPortReason({ protocol: 'smtp', host: address, port: options.port, implicitTls: options.implicitTls, insecure: false }, kind);
          if (wrong && !greeted) finish(wrong, 'protocol');
        });
      }, 1000);
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
          case 'warn':
            observer.warning?.(step.text);
            break;
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
        greeted = true;
        const line = item.bytes.toString('latin1');
        observer.received?.(line);
        perform(dialogue.receive(line));
        // After 220 to STARTTLS, whatever else arrived in plaintext is dropped (RFC 3207 §4.2; no reply injection).
        if (finished || upgrading) return;
      }
    };
    const attach = (target: Socket) => {
      target.on('data', onData);
      target.on('error', (error: Error) => finish(describeSocketError(error, label), greeted ? 'closed' : 'connect'));
      target.on('close', () => finish(dialogue.finished ? undefined : `${label} closed the connection`, 'closed'));
    };
    /** The certificate's problems; a reason to stop when verification is required and they are not accepted. */
    const checkCertificate = (secure: TLSSocket, required: boolean): { verified: boolean; refused?: string; problems: string[] } => {
      const problems = verificationProblems(secure, name);
      if (problems.length > 0 && required && !options.insecure) return { verified: false, problems, refused: `TLS with ${label} failed: the certificate does not verify: ${problems.join('; ')} (--insecure accepts it; --ca-file FILE trusts its CA)` };
      return { verified: problems.length === 0, problems };
    };
    const tlsSettings = () => {
      try {
        return tlsConnectOptions(options.host, options.tls);
      } catch (error) {
        finish((error as Error).message, 'tls');
        return undefined;
      }
    };
    const upgrade = () => {
      upgrading = true;
      if (timer) clearTimeout(timer);
      const plain = socket;
      plain.removeAllListeners('data');
      plain.removeAllListeners('close');
      plain.removeAllListeners('error');
      plain.on('error', () => {});
      const settings = tlsSettings();
      if (!settings) return;
      const secure = tlsConnect({ socket: plain, ...settings });
      socket = secure;
      arm(connectTimeoutMs, `TLS handshake with ${label} timed out`, 'tls');
      secure.once('secureConnect', () => {
        upgrading = false;
        splitter = new LineSplitter(REPLY_LINE_LIMIT);
        const check = checkCertificate(secure, options.startTls === 'required');
        if (check.refused) return finish(check.refused, 'tls');
        observer.tlsEstablished?.(tlsDetails(secure, check.problems));
        perform(dialogue.tlsStarted(check.verified));
      });
      secure.on('data', onData);
      secure.on('error', (error: Error) => finish(describeSocketError(error, label, true), 'tls'));
      secure.on('close', () => finish(dialogue.finished ? undefined : `${label} closed the connection during the TLS handshake`, 'tls'));
    };

    observer.connecting?.({ host: options.host, address, port: options.port, implicitTls: options.implicitTls });
    if (options.implicitTls) {
      const settings = tlsSettings();
      if (!settings) return;
      const secure = tlsConnect({ host: address, port: options.port, ...settings });
      socket = secure;
      secure.once('secureConnect', () => {
        const check = checkCertificate(secure, true);
        if (check.refused) return finish(check.refused, 'tls');
        dialogue.implicitTlsVerified(check.verified);
        observer.connected?.();
        observer.tlsEstablished?.(tlsDetails(secure, check.problems));
        arm(replyTimeoutMs, `no greeting from ${label} within ${Math.round(replyTimeoutMs / 1000)} s`);
        watchSilence();
      });
    } else {
      socket = netConnect({ host: address, port: options.port });
      socket.once('connect', () => {
        observer.connected?.();
        arm(replyTimeoutMs, `no greeting from ${label} within ${Math.round(replyTimeoutMs / 1000)} s`);
        watchSilence();
      });
    }
    arm(connectTimeoutMs, `cannot connect to ${label}: timed out after ${Math.round(connectTimeoutMs / 1000)} s`, 'connect');
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

function tlsDetails(socket: TLSSocket, problems: readonly string[]): { version: string; cipher: string; authorized: boolean; problems: readonly string[] } {
  return { version: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher().name, authorized: problems.length === 0, problems };
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
