/**
 * A raw-client session: what `maillab connect` drives, interactively or from a
 * script. It sends the user's lines, waits for replies the way a careful client
 * does (or pipelines them), performs STLS/STARTTLS when the server agrees, runs
 * the local meta-commands, and keeps the transcript.
 */
import type { RawLine, WireEvent } from '../events.js';
import { nextBatch } from '../models/console.js';
import { ClientConnection, type ClientConnectionOptions, type ClientEndpoint } from './client-connection.js';
import { diagnoseSilentPort } from './silent-port-probe.js';
import { transcriptNote, wrongGreeting } from './raw-session-text.js';
import { isMetaCommand, runMetaCommand, type MetaResult } from '../client/meta-commands.js';
import { credentialRefusal } from '../client/client-guards.js';
import { SendGuard } from '../client/send-guard.js';
import { OfferContext } from '../client/offer-context.js';
import { Pop3Tracker } from '../client/pop3-tracker.js';
import { SmtpTracker } from '../client/smtp-tracker.js';
import type { ClientTracker } from '../client/tracker.js';

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
  /** --force-auth: send credentials even for an AUTH the server did not offer. */
  forceAuth?: boolean;
}

/** How a line is being sent: `insist` sends credentials the guards would hold back (/plain!, --force-auth). */
export interface SendOptions {
  insist?: boolean;
}

export interface TranscriptLine {
  /** 'note': maillab's own line in a saved transcript (TLS up, an unverified certificate, credentials held back), never on the wire. */
  from: 'client' | 'server' | 'note';
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
  /** The server ended the session itself (221/+OK to QUIT, 421, a 221 unasked), as against a reset. */
  private serverEnded = false;
  private cutShort = false;
  /** The server said 221 or 421 (to whatever command): it is closing, whatever the tracker's state. */
  private goodbye = false;
  /** The oldest command still unanswered when the connection went. */
  private unansweredAtClose: string | undefined;
  /** Credentials only for an offered AUTH, pipelining only when offered (core/client/send-guard.ts). */
  private guard!: SendGuard;
  /** What replies mean in their context: an AUTH never offered, the capabilities TLS changed, SIZE= (core/client/offer-context.ts). */
  private context!: OfferContext;

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
    this.context = new OfferContext(tracker);
    this.guard = new SendGuard(tracker, (event) => (event.kind === 'notice' && event.level !== 'warning' ? this.options.onNotice(event.text) : this.options.onEvent(event)), this.options.forceAuth);
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
      onClose: (reason) => this.markClosed(reason),
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

  /** No greeting after a second: probe the port (silent-port-probe.ts); the wrong protocol ends the session at once. */
  private async explainSilence(): Promise<void> {
    const stillSilent = () => this.serverLines === 0 && !this.closed;
    const wrong = await diagnoseSilentPort(this.options.endpoint, this.options.replyTimeoutMs, this.options.onNotice, stillSilent);
    if (wrong === undefined || !stillSilent()) return;
    this.wrongProtocolReason = wrong;
    this.options.onEvent({ kind: 'error', code: 'BAD_REPLY', message: wrong });
    this.connection.destroy();
  }

  /** The connection is gone: the tracker's state becomes CLOSED (unless the session had ended), waiters wake, the front end is told once. */
  private markClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.unansweredAtClose = this.tracker.pending[0];
    if (!this.closing) for (const event of this.tracker.connectionLost(reason)) this.onEvent(event);
    this.closedReason = reason;
    this.wake();
    this.options.onClose?.(reason);
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
    return this.closed && !this.closing && !this.serverEnded && this.wrongProtocolReason === undefined && this.tlsFailure === undefined;
  }

  /** Nothing more may be sent: the connection is gone, or the server ended the session or said goodbye. */
  private get ended(): boolean {
    return this.closed || this.tracker.closed || this.goodbye;
  }
  /** The command the server never answered because the connection went, if any. */
  get unanswered(): string | undefined {
    return this.unansweredAtClose;
  }

  /** The server ended the session before the script did: lines were left unsent. */
  get scriptCutShort(): boolean {
    return this.cutShort;
  }

  /** Why credentials were held back, if they were (exit status 28). */
  get credentialsHeldBack(): string | undefined {
    return this.guard.heldBack;
  }

  /** TLS is up and the certificate verified; false without TLS. */
  get verified(): boolean {
    return this.connection.isVerified;
  }

  /** TLS is up (verified or not). */
  get tls(): boolean {
    return this.connection.isTls;
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
    if (!this.connection.isTls) throw new Error(`the server refused ${this.options.endpoint.protocol === 'smtp' ? 'STARTTLS' : 'STLS'}: ${this.lastServer ?? 'no reply'}`);
  }

  /** One line the user typed: a meta-command, or a protocol line sent as is (credentials only where the guards allow, or insisted on). */
  async submit(line: string, how: SendOptions = {}): Promise<MetaResult | undefined> {
    // In SASL mode too: that is when /cram and /b64 are needed. Only message content is taken literally.
    if (this.tracker.inputMode !== 'data' && isMetaCommand(line)) {
      const result = runMetaCommand(line, { tracker: this.tracker, ...this.metaContext() });
      if (result.kind === 'send') {
        if (!this.mayCarryCredentials(result.line, how.insist === true || result.insist === true)) return result;
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
    if (!this.mayCarryCredentials(line, how.insist === true)) return undefined;
    await this.send(line);
    return undefined;
  }

  private mayCarryCredentials(line: string, insist: boolean): boolean {
    if (this.tracker.inputMode !== 'command' || this.ended) return !this.refuseAfterEnd();
    return this.guard.credentials(line, insist, this.connection.isTls);
  }

  /** After the server ended the session nothing more is sent; says so once per line refused. */
  private refuseAfterEnd(): boolean {
    if (!this.ended) return false;
    this.options.onEvent({ kind: 'notice', text: 'not sent: the server has ended the session (the connection is closed); /connect or run maillab connect again', level: 'warning' });
    return true;
  }

  /**
   * Lines the console released together: one line goes through `submit`; a
   * pipelining batch goes out in one write (no meta-commands in it).
   */
  async submitBatch(lines: readonly string[], how: SendOptions = {}): Promise<MetaResult | undefined> {
    if (lines.length === 1) return this.submit(lines[0]!, how);
    if (!this.guard.pipelining()) {
      // Lock-step: each line after the previous reply (a line in DATA goes straight on).
      for (const line of lines) {
        if (this.ended) break;
        await this.submit(line, how);
        if (this.tracker.inputMode !== 'data') await this.settled();
      }
      return undefined;
    }
    for (const line of lines) if (!this.mayCarryCredentials(line, how.insist === true)) return undefined;
    this.sendBatch(lines);
    return undefined;
  }

  /**
   * Runs a script: each command after the previous reply is complete, message
   * content straight through; with `pipeline`, commands are sent in batches
   * that end at a command a client must wait after (RFC 2920 §3.1).
   */
  async runScript(lines: readonly string[], pipeline: boolean): Promise<void> {
    let index = 0;
    while (index < lines.length && !this.ended) {
      if (this.tracker.inputMode === 'data' || !pipeline || isMetaCommand(lines[index]!) || !this.guard.pipelining()) {
        await this.submit(lines[index++]!);
        if (this.tracker.inputMode !== 'data') await this.settled();
        continue;
      }
      // The batch rule (which commands a client must wait after) lives in the console model.
      const end = nextBatch(this.options.endpoint.protocol, lines, index);
      const batch = lines.slice(index, end);
      index = end;
      if (batch.some((line) => credentialRefusal(this.tracker, line, this.connection.isTls) !== undefined)) {
        index -= batch.length;
        await this.submit(lines[index++]!);
        await this.settled();
        continue;
      }
      this.sendBatch(batch);
      await this.settled();
    }
    const left = lines.length - index;
    this.cutShort = left > 0;
    if (left > 0 && this.ended) this.options.onNotice(`the session is over (${this.closedReason ?? 'the server ended it'}); the script's last ${left} line${left === 1 ? ' was' : 's were'} not sent`);
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
        reject(new ReplyTimeout(`no complete reply within ${Math.round(this.options.replyTimeoutMs / 1000)} s (waiting for: ${this.tracker.pending.join(', ') || 'the greeting'})`));
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
    if (this.refuseAfterEnd()) return;
    this.context.sending(line, this.connection.isTls);
    this.noteTlsRequest(line);
    this.connection.send(line);
    // After the line, so the notes sit under it.
    for (const event of this.context.sent(line)) this.onEvent(event);
  }

  /** A pipelining batch in one write (RFC 2920, RFC 2449 §6.6). */
  private sendBatch(lines: readonly string[]): void {
    for (const line of lines) this.context.sending(line, this.connection.isTls);
    this.noteTlsRequest(lines[lines.length - 1]!);
    this.connection.sendBatch(lines);
  }

  private noteTlsRequest(line: string): void {
    if (this.tracker.inputMode === 'command' && /^(STLS|STARTTLS)$/i.test(line.trim())) this.tlsRequested = true;
  }

  private onEvent(event: WireEvent): void {
    if (this.options.keepTranscript !== false) {
      this.events.push(event);
      const note = transcriptNote(event);
      if (note !== undefined) this.transcript.push({ from: 'note', text: note });
    }
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
    this.explainReply(text);
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
          // The connection is gone (ClientConnection destroyed both sockets): one line, the state CLOSED, nothing waits.
          this.markClosed('the TLS handshake failed, so the connection is closed');
        },
      );
    }
  }

  /** Context a reply needs that the catalogue cannot know: a session the server ended, or a reply's meaning in context. */
  private explainReply(text: string): void {
    if (this.tracker.closed && !this.closing) this.serverEnded = true;
    // RFC 5321 §3.8, §4.2.2: a 221 or 421 to any command means the server is closing; nothing more will be read.
    if (this.options.endpoint.protocol === 'smtp' && /^(221|421)( |$)/.test(text)) this.goodbye = true;
    for (const event of this.context.received(text, this.connection.isTls)) this.onEvent(event);
  }

  private metaContext(): { apopTimestamp?: string; lastChallenge?: string } {
    const timestamp = (this.tracker as Partial<Pop3Tracker>).apopTimestamp;
    return { ...(timestamp ? { apopTimestamp: timestamp } : {}), ...(this.lastChallenge ? { lastChallenge: this.lastChallenge } : {}) };
  }

  private wake(): void {
    this.waiters = this.waiters.filter((waiter) => !waiter());
  }
}

/** No complete reply within the reply timeout (exit status 40). */
export class ReplyTimeout extends Error {
  override name = 'ReplyTimeout';
}
