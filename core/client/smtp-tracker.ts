/**
 * The SMTP client tracker (docs/ARCHITECTURE.md, "Trackers"): it watches what a raw client sends
 * and what any SMTP server answers, and keeps the server's state with the
 * engine's own state names and transition table (core/protocols/smtp.ts).
 *
 * Replies are assembled by the shared SmtpReplyReader and paired with commands
 * through a FIFO, so a pipelined batch (RFC 2920) is followed like one command
 * at a time. Message content (DATA, BDAT) is counted, never kept. Received
 * lines are latin1 text (one character per octet); sent lines are written as
 * UTF-8, which is how their octets are counted.
 */
import { smtpKeywordAnnotations, smtpReplyAnnotations } from '../annotations/annotate.js';
import { transitionsLast, type WireEvent } from '../events.js';
import { EngineMisuse } from '../errors.js';
import { SmtpReplyReader, type AssembledReply } from '../framing/smtp-reply-reader.js';
import { transitionCause } from '../annotations/messages.js';
import { commandSpec, nextState, successTransition } from '../protocols/protocol-data.js';
import { SMTP, SMTP_TRANSITIONS, type SmtpState, type SmtpTransitionCause } from '../protocols/smtp.js';
import { challengeAnnotation, SaslWatch } from './sasl-watch.js';
import { BodyText } from '../framing/body-text.js';
import { clientLineEvent } from '../masking.js';
import { describeCommand, MAX_KEPT, sentOctets, type ChunkCount, type ContentCount, type SentCommand } from './smtp-sent-command.js';
import type { ClientInputMode, ClientTracker } from './tracker.js';

/** EHLO keywords kept; a longer list is cut. */
const MAX_KEYWORDS = 64;
/** A multi-line reply longer than this (in octets) is dropped rather than held. */
const MAX_REPLY_OCTETS = 64 * 1024;

/** The engine's wording for a refused early talker (SmtpSession.earlyTalker). */
const EARLY_TALKER = 'the client talked before the greeting; the connection is refused';

export class SmtpTracker implements ClientTracker {
  readonly protocol = 'smtp';
  private current: SmtpState = 'INIT';
  private opened = false;
  private greeted = false;
  private talkedEarly = false;
  private isClosed = false;
  private queue: SentCommand[] = [];
  private reader = new SmtpReplyReader();
  private replyOctets = 0;
  private data: ContentCount | undefined;
  private chunk: ChunkCount | undefined;
  /** STARTTLS was accepted; the adapter is doing the handshake. */
  private tlsPending = false;
  private keywords = new Map<string, string>();
  private out: WireEvent[] = [];

  get state(): SmtpState {
    return this.current;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The EHLO keywords the server advertised (keyword → parameters), forgotten on HELO and after STARTTLS. */
  get extensions(): ReadonlyMap<string, string> {
    return this.keywords;
  }

  /** 'data' during DATA content and while a BDAT chunk's octets are being sent. */
  get inputMode(): ClientInputMode {
    if (this.data || this.chunk) return 'data';
    return this.openExchange() ? 'sasl' : 'command';
  }

  get pending(): readonly string[] {
    return this.queue.map((command) => command.shown);
  }

  /** The server owes a reply; not while it waits for a SASL answer or for the rest of a BDAT chunk. */
  get awaitingReply(): boolean {
    if (this.isClosed) return false;
    if ((this.opened && !this.greeted) || this.reader.inProgress) return true;
    return this.queue.some((command) => !command.sasl?.unansweredChallenge && command !== this.chunk?.owner);
  }

  connected(): WireEvent[] {
    if (this.opened) throw new EngineMisuse('connected() called twice');
    this.opened = true;
    return [];
  }

  sent(line: string): WireEvent[] {
    const sasl = this.openExchange();
    if (this.chunk) this.chunkLine(this.chunk, line);
    else if (this.data) this.dataLine(this.data, line);
    else if (sasl) this.saslLine(sasl, line);
    else this.command(line);
    return this.take();
  }

  received(line: string): WireEvent[] {
    this.emit({ kind: 'line', from: 'server', text: line });
    this.replyOctets += line.length + 2;
    if (this.replyOctets > MAX_REPLY_OCTETS) {
      this.reader = new SmtpReplyReader();
      this.replyOctets = 0;
      this.emit({ kind: 'error', code: 'BAD_REPLY', message: `a multi-line reply longer than ${MAX_REPLY_OCTETS} octets; it was dropped` });
      return this.take();
    }
    const result = this.reader.line(line);
    if (result.kind === 'partial') return this.take();
    this.replyOctets = 0;
    if (result.kind === 'malformed') this.emit({ kind: 'error', code: 'BAD_REPLY', message: result.reason });
    else this.reply(result.reply);
    return this.take();
  }

  connectionLost(detail: string): WireEvent[] {
    if (!this.isClosed && this.current !== 'CLOSED') {
      this.transition('dropped', detail);
      this.close();
    }
    return this.take();
  }

  tlsEstablished(info: { version: string; cipher: string }): WireEvent[] {
    this.emit({ kind: 'tls', version: info.version, cipher: info.cipher });
    if (this.tlsPending) {
      // RFC 3207 §4.2: everything learned before the handshake is forgotten.
      this.tlsPending = false;
      this.keywords = new Map();
      this.transition('starttls');
    }
    return this.take();
  }

  private command(line: string): void {
    const shown = clientLineEvent('smtp', line, 'command');
    this.emit(shown);
    if (this.opened && !this.greeted && !this.isClosed) {
      this.talkedEarly = true;
      this.emit({ kind: 'annotation', about: 'warning', key: 'smtp.warning.early-talker', rfc: 'RFC 5321 §4.3.1', detail: 'sent before the server greeting; many servers drop such clients' });
    }
    const space = line.indexOf(' ');
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : line.slice(space + 1);
    const known = commandSpec(SMTP, verb);
    if (known) this.emit({ kind: 'annotation', about: 'command', key: `smtp.command.${verb}`, rfc: known.rfc });
    if (this.isClosed) return;
    const command = describeCommand(verb, args, shown.text, line);
    this.queue.push(command);
    if (command.bdat) {
      this.chunk = { size: command.bdat.size, owner: command, lines: 0, octets: 0, text: new BodyText() };
      if (command.bdat.size === 0) this.endChunk(this.chunk, 0);
    }
  }

  private saslLine(sasl: SaslWatch, line: string): void {
    sasl.respond(line);
    // The same mask as the engine (core/smtp/session.ts).
    this.emit(clientLineEvent('smtp', line, 'sasl'));
  }

  private dataLine(data: ContentCount, line: string): void {
    if (line === '.') {
      this.data = undefined;
      this.emit({ kind: 'body', from: 'client', lines: data.lines, octets: data.octets, ...data.text.result(), ending: 'dot' });
      this.emit({ kind: 'line', from: 'client', text: '.' });
      this.queue.push({ verb: '.', shown: '.', asContent: { octets: 1, line: '.' } });
      return;
    }
    this.countContent(data, line, sentOctets(line));
  }

  private countContent(data: ContentCount, line: string, octets: number): void {
    data.lines++;
    // RFC 5321 §4.5.2: the server removes the first "." of a line that starts with one.
    const stuffed = line.startsWith('.');
    data.octets += octets + 2 - (stuffed ? 1 : 0);
    data.text.add(stuffed ? line.slice(1) : line);
    if (stuffed && !line.startsWith('..')) {
      this.emit({
        kind: 'annotation',
        about: 'warning',
        key: 'smtp.warning.unstuffed-dot',
        rfc: 'RFC 5321 §4.5.2',
        detail: `"${line.slice(0, 40)}" starts with "." but was not dot-stuffed: the server removes that dot; send ".${line.slice(0, 40)}" to keep it`,
      });
    }
  }

  private chunkLine(chunk: ChunkCount, line: string): void {
    const octets = sentOctets(line) + 2;
    chunk.lines++;
    chunk.octets += octets;
    const overrun = Math.max(0, chunk.octets - chunk.size);
    // Only what fits the announced size is chunk content; the rest is read as a command.
    chunk.text.add(overrun > 0 ? line.slice(0, Math.max(0, line.length + 2 - overrun)) : line);
    if (chunk.octets < chunk.size) return;
    if (overrun > 0) {
      this.emit({
        kind: 'annotation',
        about: 'warning',
        key: 'smtp.warning.bdat-overrun',
        rfc: 'RFC 3030 §2',
        detail: `this line ends ${overrun} octets past the ${chunk.size} that BDAT announced: the server reads those octets as the next command`,
      });
    }
    this.endChunk(chunk, overrun);
  }

  private endChunk(chunk: ChunkCount, overrun: number): void {
    this.chunk = undefined;
    // An overrun cuts the last line before its LF, so that line is not complete inside the chunk.
    this.emit({ kind: 'body', from: 'client', lines: overrun > 0 ? chunk.lines - 1 : chunk.lines, octets: chunk.size, ...chunk.text.result(), ending: 'chunk' });
  }

  private reply(reply: AssembledReply): void {
    this.out.push(...smtpReplyAnnotations(reply.code, reply.enhanced));
    if (!this.greeted) {
      this.greeting(reply);
      return;
    }
    const command = this.queue[0];
    if (reply.code === 421 && !this.isClosed) {
      this.serviceClosing(reply, command);
      return;
    }
    if (!command || this.isClosed) {
      this.emit({ kind: 'annotation', about: 'warning', key: 'smtp.warning.unexpected-reply', rfc: 'RFC 5321 §4.2', detail: 'no command was waiting for this reply' });
      return;
    }
    if (reply.code === 334 && command.sasl) {
      command.sasl.challenge();
      this.emit(challengeAnnotation('smtp.sasl.challenge', 'RFC 4954 §4', reply.lines[0] ?? ''));
      return;
    }
    this.queue.shift();
    if (reply.code === 354 && command.verb === 'DATA') {
      this.transition('data');
      this.startData();
      return;
    }
    this.settle(command, reply);
  }

  private greeting(reply: AssembledReply): void {
    this.greeted = true;
    if (reply.code >= 200 && reply.code < 300) return;
    // 554 "no SMTP service here" (RFC 5321 §3.1), or 421 "busy": the server closes.
    if (this.talkedEarly && reply.code === 554) this.transition('too-many-errors', EARLY_TALKER);
    else this.transition('dropped', `the server refused the session with ${reply.code} in its greeting (RFC 5321 §3.1)`);
    this.close();
  }

  /** 421: the server is closing the connection (RFC 5321 §3.8, §4.2.2). */
  private serviceClosing(reply: AssembledReply, command: SentCommand | undefined): void {
    if (command?.verb === '.' && this.current === 'DATA') this.transition('data-rejected');
    this.transition(/time[ -]?out|timed out/i.test(reply.lines.join(' ')) ? 'timeout' : 'too-many-errors');
    this.close();
  }

  /** 354: content follows. Lines sent after DATA before the 354 arrived were content all along. */
  private startData(): void {
    const data: ContentCount = { lines: 0, octets: 0, text: new BodyText() };
    this.data = data;
    while (this.queue.length > 0 && this.data) {
      const early = this.queue.shift()!;
      if (early.asContent.line === '.') {
        this.data = undefined;
        this.emit({ kind: 'body', from: 'client', lines: data.lines, octets: data.octets, ...data.text.result(), ending: 'dot' });
        this.queue.unshift({ ...early, verb: '.', shown: '.' });
        return;
      }
      this.countContent(data, early.asContent.line, early.asContent.octets);
    }
  }

  /**
   * What a final reply to `command` changes; replies to failed commands
   * change nothing. The move a success makes is the protocol data's
   * (`onSuccess`, core/protocols/smtp.ts), as in the engine; what is left
   * here is what no table says: the end of DATA content, BDAT's chunks,
   * STARTTLS (the move waits for TLS), what EHLO advertised and AUTH's 235.
   */
  private settle(command: SentCommand, reply: AssembledReply): void {
    const ok = reply.code >= 200 && reply.code < 300;
    switch (command.verb) {
      case '.':
        if (this.current === 'DATA') this.transition(ok ? 'data-end' : 'data-rejected');
        return;
      case 'BDAT':
        if (command.bdat) this.bdatReplied(command.bdat.last, ok, reply.code);
        return;
      case 'STARTTLS':
        if (reply.code === 220) this.tlsPending = true;
        return;
      case 'AUTH':
        if (reply.code === 235) {
          const user = command.sasl?.user;
          this.emit({ kind: 'annotation', about: 'state', key: 'smtp.auth.authenticated', rfc: 'RFC 4954 §4', ...(user === undefined ? {} : { detail: `authenticated as ${user}` }) });
        }
        return;
    }
    if (!ok) return;
    // RFC 5321 §4.1.4, RFC 3207 §4.2: a new greeting replaces what the last one advertised.
    if (command.verb === 'EHLO') this.ehloAccepted(reply.lines.slice(1));
    if (command.verb === 'HELO') this.keywords = new Map();
    const spec = commandSpec(SMTP, command.verb);
    const cause = spec && successTransition(SMTP, spec, this.current);
    if (!cause) return;
    this.transition(cause);
    if (this.current === 'CLOSED') this.close();
  }

  private ehloAccepted(keywordLines: readonly string[]): void {
    const kept = keywordLines.slice(0, MAX_KEYWORDS);
    this.keywords = new Map(
      kept.map((line) => {
        const space = line.indexOf(' ');
        const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase().slice(0, MAX_KEPT);
        return [keyword, space === -1 ? '' : line.slice(space + 1).slice(0, MAX_KEPT)];
      }),
    );
    this.out.push(...smtpKeywordAnnotations(kept));
  }

  /** RFC 3030 §2: the first accepted chunk opens BDAT, LAST ends the message; a refused chunk ends the transaction. */
  private bdatReplied(last: boolean, ok: boolean, code: number): void {
    if (ok) {
      if (this.current === 'RCPT') this.transition('bdat');
      if (last && this.current === 'BDAT') this.transition('bdat-last');
    } else if (code !== 503 && (this.current === 'RCPT' || this.current === 'BDAT')) {
      // 503 is "out of sequence": the command was not taken, the transaction stands.
      this.transition('bdat-failed');
    }
  }

  /** The AUTH exchange the next client line answers, if any. */
  private openExchange(): SaslWatch | undefined {
    const last = this.queue[this.queue.length - 1];
    if (last?.sasl?.wantsResponse) return last.sasl;
    const head = this.queue[0];
    return head?.sasl?.unansweredChallenge ? head.sasl : undefined;
  }

  private transition(cause: SmtpTransitionCause, detail?: string): void {
    // The engine's own table and wording (core/protocols/smtp.ts), so both sides move and read alike.
    const from = this.current;
    this.current = nextState(SMTP, cause, from);
    const spec = SMTP_TRANSITIONS[cause];
    this.emit({ kind: 'transition', protocol: 'smtp', from, to: this.current, cause: detail ?? transitionCause('smtp', cause), rfc: spec.rfc, ...(spec.followsClientData ? { followsClientData: true as const } : {}) });
  }

  private close(): void {
    this.isClosed = true;
    this.queue = [];
    this.data = undefined;
    this.chunk = undefined;
    this.tlsPending = false;
  }

  private emit(event: WireEvent): void {
    this.out.push(event);
  }

  private take(): WireEvent[] {
    const events = transitionsLast(this.out);
    this.out = [];
    return events;
  }
}
