/**
 * A raw-client session: what `maillab connect` drives, interactively or from a
 * script. It sends the user's lines, waits for replies the way a careful client
 * does (or pipelines them), performs STLS/STARTTLS when the server agrees, runs
 * the local meta-commands, and keeps the transcript.
 */
import type { RawLine, WireEvent } from '../events.js';
import { nextBatch } from '../models/console.js';
import { ClientConnection, type ClientConnectionOptions, type ClientEndpoint } from './client-connection.js';
import { probeSilentPort, type SilentPortKind } from './silent-port-probe.js';
import { isMetaCommand, runMetaCommand, type MetaResult } from '../client/meta-commands.js';
import { Pop3Tracker } from '../client/pop3-tracker.js';
import { SmtpTracker } from '../client/smtp-tracker.js';
import type { ClientTracker } from '../client/tracker.js';
import { hostPort } from '../host-port.js';

export interface RawSessionOptions {
  endpoint: ClientEndpoint;
  onEvent: (event: WireEvent) => void;
  onRawLine?: (line: RawLine) => void;
  /** Output of meta-commands (help, decoded text, notes). */
  onNotice: (text: string) => void;
  /** How long to wait for a reply before giving up. */
  replyTimeoutMs: number;
  /** The name to EHLO with before STARTTLS. */
  clientName?: string;
  /** The connection closed (either side). */
  onClose?: (reason: string) => void;
  /** Told of the TCP socket as soon as it is created. */
  onSocket?: ClientConnectionOptions['onSocket'];
  /**
   * Keep every line and event for `/save` (default true). A front end that keeps its own
   * bounded record (the classroom bridge) says false: every body line of every RETR would
   * otherwise stay in memory for as long as the session lives.
   */
  keepTranscript?: boolean;
}

export interface TranscriptLine {
  from: 'client' | 'server';
  text: string;
}

export class RawSession {
  readonly transcript: TranscriptLine[] = [];
  readonly events: WireEvent[] = [];
  private connection!: ClientConnection;
  private waiters: (() => boolean)[] = [];
  private tlsRequested = false;
  /** The TLS handshake after a positive STLS/STARTTLS reply, while it runs. */
  private tlsUpgrade: Promise<void> | undefined;
  /** Why the last TLS handshake failed, if it did. */
  private tlsFailure: string | undefined;
  private closedReason: string | undefined;
  private lastChallenge: string | undefined;
  private serverLines = 0;
  /** The last line the server sent (a refusal quotes it). */
  private lastServer: string | undefined;
  /** Why the greeting showed this is not the protocol asked for, if it did. */
  private wrongProtocolReason: string | undefined;
  /** We closed the connection (end of script, /quit, Ctrl-D): its closing is not a drop. */
  private closing = false;

  constructor(private readonly options: RawSessionOptions) {}

  get tracker(): ClientTracker {
    return this.connection.tracker;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Connects and waits for the greeting. Rejects with a ConnectError when the server cannot be reached. */
  async open(): Promise<void> {
    const tracker: ClientTracker = this.options.endpoint.protocol === 'pop3' ? new Pop3Tracker() : new SmtpTracker();
    this.connection = await ClientConnection.open({
      endpoint: this.options.endpoint,
      tracker,
      onEvent: (event) => this.onEvent(event),
      ...(this.options.onRawLine ? { onRawLine: this.options.onRawLine } : {}),
      ...(this.options.onSocket ? { onSocket: this.options.onSocket } : {}),
      onTranscriptLine: (from, text) => {
        if (from === 'server') this.lastServer = text;
        if (this.options.keepTranscript !== false) this.transcript.push({ from, text });
      },
      onClose: (reason) => {
        this.closedReason = reason;
        this.wake();
        this.options.onClose?.(reason);
      },
    });
    // A TLS or HTTP server says nothing until the client speaks: after a second of silence, find out on a second connection.
    const silence = setTimeout(() => {
      if (this.serverLines === 0 && !this.closed) void this.explainSilence();
    }, 1000);
    try {
      await this.settled();
    } finally {
      clearTimeout(silence);
    }
  }

  /**
   * No greeting after a second. On a plaintext URL, probe the port (silent-port-probe.ts):
   * an implicit-TLS port or a web server ends the session at once as the wrong protocol;
   * otherwise keep waiting up to the reply timeout, with the likely causes said.
   */
  private async explainSilence(): Promise<void> {
    const { endpoint } = this.options;
    const where = hostPort(endpoint.host, endpoint.port);
    if (endpoint.implicitTls) return this.options.onNotice(`no greeting after 1 s from ${where}; still waiting (a busy server may greet late)`);
    this.options.onNotice(`no greeting after 1 s from ${where}; a mail server greets at once, so this may be an implicit-TLS port (try ${endpoint.protocol}s://${where}) or a web server. Checking on a second connection`);
    const kind = await probeSilentPort(endpoint.host, endpoint.port);
    if (this.serverLines > 0 || this.closed) return;
    const wrong = silentPortReason(endpoint, kind);
    if (wrong === undefined) {
      this.options.onNotice(`the port answered neither TLS nor HTTP; still waiting for a greeting (--timeout ${Math.round(this.options.replyTimeoutMs / 1000)} s)`);
      return;
    }
    this.wrongProtocolReason = wrong;
    this.options.onEvent({ kind: 'error', code: 'BAD_REPLY', message: wrong });
    this.connection.destroy();
  }

  /** Set when the greeting was another protocol's (SMTP on a POP3 URL, POP3, HTTP or TLS bytes): what it was and the likely fix. */
  get wrongProtocol(): string | undefined {
    return this.wrongProtocolReason;
  }

  /** Why the last TLS handshake failed, if it did. */
  get tlsError(): string | undefined {
    return this.tlsFailure;
  }

  /** The server closed the connection before the session ended: not after QUIT, and not because we closed it. */
  get dropped(): boolean {
    return this.closed && !this.closing && !this.tracker.closed && this.wrongProtocolReason === undefined && this.tlsFailure === undefined;
  }

  /**
   * --starttls: upgrade before handing over (RFC 3207 needs an EHLO first;
   * RFC 2595 STLS does not). Rejects if the server refuses.
   */
  async upgrade(): Promise<void> {
    if (this.options.endpoint.protocol === 'smtp') {
      await this.send(`EHLO ${this.options.clientName ?? 'maillab.client'}`);
      await this.settled();
    }
    await this.send(this.options.endpoint.protocol === 'smtp' ? 'STARTTLS' : 'STLS');
    await this.settled();
    if (this.tlsFailure) throw new Error(this.tlsFailure);
    if (!this.connection.isTls) throw new Error(`the server refused ${this.options.endpoint.protocol === 'smtp' ? 'STARTTLS' : 'STLS'}: ${this.lastServerLine() ?? 'no reply'}`);
  }

  /** One line the user typed: a meta-command, or a protocol line sent as is. */
  async submit(line: string): Promise<MetaResult | undefined> {
    // In SASL mode too: that is when /cram and /b64 are needed. Only message content is taken literally.
    if (this.tracker.inputMode !== 'data' && isMetaCommand(line)) {
      const result = runMetaCommand(line, { tracker: this.tracker, ...this.metaContext() });
      if (result.kind === 'send') {
        this.options.onNotice(result.note);
        await this.send(result.line);
      } else if (result.kind === 'print') {
        this.options.onNotice(result.text);
      } else if (result.kind === 'error') {
        this.options.onNotice(`meta-command: ${result.message}`);
      } else if (result.kind === 'quit') {
        this.closing = true;
        this.connection.close();
      }
      return result;
    }
    await this.send(line);
    return undefined;
  }

  /**
   * Lines the console released together: one line goes through `submit`; a
   * pipelining batch goes out in one write (no meta-commands in it).
   */
  async submitBatch(lines: readonly string[]): Promise<MetaResult | undefined> {
    if (lines.length === 1) return this.submit(lines[0]!);
    this.noteTlsRequest(lines[lines.length - 1]!);
    this.connection.sendBatch(lines);
    return undefined;
  }

  /**
   * Runs a script: each command after the previous reply is complete, message
   * content straight through; with `pipeline`, commands are sent in batches
   * that end at a command a client must wait after (RFC 2920 §3.1).
   */
  async runScript(lines: readonly string[], pipeline: boolean): Promise<void> {
    let index = 0;
    while (index < lines.length && !this.closed) {
      if (this.tracker.inputMode === 'data' || !pipeline || isMetaCommand(lines[index]!)) {
        await this.submit(lines[index++]!);
        if (this.tracker.inputMode !== 'data') await this.settled();
        continue;
      }
      // The batch rule (which commands a client must wait after) lives in the console model.
      const end = nextBatch(this.options.endpoint.protocol, lines, index);
      const batch = lines.slice(index, end);
      index = end;
      this.noteTlsRequest(batch[batch.length - 1]!);
      this.connection.sendBatch(batch);
      await this.settled();
    }
  }

  /** Resolves when no reply is owed and no TLS handshake runs (or the connection closed); rejects after the reply timeout. */
  async settled(): Promise<void> {
    await this.replyComplete();
    if (this.tlsUpgrade) await this.tlsUpgrade;
  }

  private replyComplete(): Promise<void> {
    if (this.closed || !this.tracker.awaitingReply) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        reject(new Error(`no complete reply within ${Math.round(this.options.replyTimeoutMs / 1000)} s (waiting for: ${this.tracker.pending.join(', ') || 'the greeting'})`));
      }, this.options.replyTimeoutMs);
      const check = () => {
        if (!this.closed && this.tracker.awaitingReply) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  /** Closes without QUIT and waits for the socket to go. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.closed) return;
    const gone = new Promise<void>((resolve) => {
      this.waiters.push(() => {
        if (!this.closed) return false;
        resolve();
        return true;
      });
    });
    this.connection.close();
    const timer = setTimeout(() => this.connection.destroy(), 2000);
    await gone;
    clearTimeout(timer);
  }

  get closeReason(): string | undefined {
    return this.closedReason;
  }

  private async send(line: string): Promise<void> {
    this.noteTlsRequest(line);
    this.connection.send(line);
  }

  private noteTlsRequest(line: string): void {
    if (this.tracker.inputMode === 'command' && /^(STLS|STARTTLS)$/i.test(line.trim())) this.tlsRequested = true;
  }

  private onEvent(event: WireEvent): void {
    if (this.options.keepTranscript !== false) this.events.push(event);
    if (event.kind === 'annotation' && /\.sasl\.challenge$/.test(event.key) && event.detail !== undefined) this.lastChallenge = event.detail;
    this.options.onEvent(event);
    if (event.kind === 'line' && event.from === 'server') this.afterServerLine(event.text);
    this.wake();
  }

  /** A positive answer to STLS/STARTTLS means the next bytes are the TLS handshake. */
  private afterServerLine(text: string): void {
    if (this.serverLines++ === 0) {
      const wrong = wrongGreeting(this.options.endpoint, text);
      if (wrong) {
        this.wrongProtocolReason = wrong;
        this.options.onEvent({ kind: 'error', code: 'BAD_REPLY', message: wrong });
        this.connection.destroy();
        return;
      }
    }
    if (!this.tlsRequested || this.tracker.awaitingReply) return;
    this.tlsRequested = false;
    if (/^(\+OK|220)\b/.test(text)) {
      this.tlsUpgrade = this.connection.startTls().then(
        () => {
          this.tlsUpgrade = undefined;
          this.wake();
        },
        (error: Error) => {
          this.tlsUpgrade = undefined;
          this.tlsFailure = error.message;
          this.options.onEvent({ kind: 'error', code: 'TLS_FAILED', message: error.message });
          this.connection.destroy();
        },
      );
    }
  }

  private lastServerLine(): string | undefined {
    return this.lastServer;
  }

  private metaContext(): { apopTimestamp?: string; lastChallenge?: string } {
    const timestamp = (this.tracker as Partial<Pop3Tracker>).apopTimestamp;
    return { ...(timestamp ? { apopTimestamp: timestamp } : {}), ...(this.lastChallenge ? { lastChallenge: this.lastChallenge } : {}) };
  }

  private wake(): void {
    this.waiters = this.waiters.filter((waiter) => !waiter());
  }
}

/** What the first line says when it is not this protocol's greeting: another protocol, HTTP, or TLS bytes; with the likely fix. */
export function wrongGreeting(endpoint: ClientEndpoint, line: string): string | undefined {
  const where = hostPort(endpoint.host, endpoint.port);
  if (endpoint.protocol === 'pop3' && /^\d{3}[ -]/.test(line)) return `this is an SMTP greeting, not POP3: the port ${endpoint.port} speaks SMTP; try smtp://${where}, or the POP3 port (110, or 1110 in the lab)`;
  if (endpoint.protocol === 'smtp' && /^[+-](OK|ERR)\b/i.test(line)) return `this is a POP3 greeting, not SMTP: the port ${endpoint.port} speaks POP3; try pop3://${where}, or an SMTP port (25, 587, or 2525/2587 in the lab)`;
  if (/^HTTP\/\d/i.test(line) || /^<(!doctype|html)/i.test(line)) return `an HTTP server answered on ${where}, not ${endpoint.protocol.toUpperCase()}; check the port`;
  if (/^[\x14-\x17]\x03[\x00-\x04]/.test(line)) return `TLS bytes came back on ${where}: this port expects TLS from the first byte; try ${endpoint.protocol}s://${where}`;
  if (/^SSH-\d/.test(line)) return `an SSH server answered on ${where}, not ${endpoint.protocol.toUpperCase()}; check the port`;
  return undefined;
}

/** Why a port that sent no greeting is the wrong one, from what the probe found; undefined when it could not tell. */
export function silentPortReason(endpoint: ClientEndpoint, kind: SilentPortKind): string | undefined {
  const where = hostPort(endpoint.host, endpoint.port);
  const name = endpoint.protocol.toUpperCase();
  if (kind === 'tls') return `no greeting after 1 s from ${where}, and the port completed a TLS handshake: it expects TLS from the first byte (implicit TLS), not plaintext ${name}; try ${endpoint.protocol}s://${where}`;
  if (kind === 'http') return `no greeting after 1 s from ${where}, and the port answered as a web server (HTTP), not ${name}; check the port (${endpoint.protocol === 'pop3' ? '110, or 1110 in the lab' : '25 or 587, or 2525/2587 in the lab'})`;
  return undefined;
}
