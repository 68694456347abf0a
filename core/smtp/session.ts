/**
 * The SMTP server engine (RFC 5321 with SIZE, 8BITMIME, PIPELINING,
 * ENHANCEDSTATUSCODES, STARTTLS, AUTH, SMTPUTF8, CHUNKING), sans-I/O: framed
 * input in, replies and events out. The adapter frames bytes in the mode
 * `inputMode` asks for (command line, DATA, or a BDAT chunk).
 *
 * Cross-cutting rules live in the dispatcher, once (after nodemailer's
 * smtp-connection `_onCommand`): 8-bit and bare CR checks, command sequence
 * (503), authentication required on submission (530), the bad-command limit (421).
 */
import { smtpReplyAnnotations } from '../annotations/annotate.js';
import { OutputCollector, type EngineOutput } from '../engine/engine-output.js';
import type { WireEvent } from '../events.js';
import type { ServerEngine } from '../engine/server-engine.js';
import type { SmtpSessionOptions } from './options.js';
import { withLazyContent } from '../framing/body-content.js';
import type { DataProblem, FramedInput, InputMode } from '../framing/input-framer.js';
import { ERROR_CODES, EngineMisuse, type ErrorCode } from '../errors.js';
import type { SaslExchange } from '../sasl/mechanisms.js';
import type { SmtpBackend } from './backend.js';
import { continueAuth } from './commands/auth.js';
import { finishChunk } from './commands/bdat.js';
import { finishData } from './commands/data.js';
import { computeExtensions } from './commands/ehlo.js';
import { findSmtpCommand } from './commands/index.js';
import type { MailTransaction, PendingChunk, SmtpContext } from './context.js';
import { fillText, type SmtpPersona } from './persona.js';
import { rawReply, reply, replyLines, serializeSmtpReply, shownEnhancedCode, type SmtpReply } from './reply.js';
import { countCrlf, printable, sequenceError } from './command-line.js';
import { clientLineEvent } from '../masking.js';
import { SMTP, SMTP_COMMAND_SPECS, SMTP_TRANSITIONS, type SmtpState, type SmtpTransitionCause, type SmtpVerb } from '../protocols/smtp.js';
import { nextState, successTransition } from '../protocols/protocol-data.js';
import { bareLfWarning, commandLineProblem, saslLineUsable, SMTP_LINE_POLICY } from '../engine/line-policy.js';
import { transitionCause } from '../annotations/messages.js';
import { Dispatcher, type DispatchRules } from '../engine/dispatcher.js';

export type { DataProblem } from '../framing/input-framer.js';

/** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
export const SMTP_COMMAND_LIMIT = 512;
/** RFC 4954 §4: AUTH continuation lines may be longer (12288 recommended minimum). */
export const SMTP_SASL_LIMIT = 12288;
/** RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with its CRLF. */
export const SMTP_TEXT_LINE_LIMIT = 1000;

export type SmtpOutput = EngineOutput<SmtpReply>;

export class SmtpSession implements SmtpContext, ServerEngine {
  readonly protocol = 'smtp';
  state: SmtpState = 'INIT';
  secure: boolean;
  extended: boolean | undefined;
  clientName: string | undefined;
  authenticatedAs: string | undefined;
  sasl: SaslExchange | undefined;
  transaction: MailTransaction | undefined;
  pendingChunk: PendingChunk | undefined;
  readonly options: SmtpSessionOptions;
  private readonly dispatcher: Dispatcher<SmtpContext, SmtpReply>;
  private greetedOnce = false;
  private readonly out: OutputCollector<SmtpReply>;

  constructor(readonly backend: SmtpBackend, options: SmtpSessionOptions) {
    this.options = options;
    this.secure = options.secure;
    this.dispatcher = new Dispatcher<SmtpContext, SmtpReply>(smtpRules(this), this, options);
    const enhanced = options.persona.enhancedStatusCodes;
    this.out = new OutputCollector<SmtpReply>(
      (value) => serializeSmtpReply(value, enhanced),
      (value) => [
        ...replyLines(value, enhanced).map((line): WireEvent => ({ kind: 'line', from: 'server', text: line })),
        ...smtpReplyAnnotations(value.code, shownEnhancedCode(value, enhanced)),
      ],
    );
  }

  get plaintextAllowed(): boolean {
    return this.secure || this.options.plaintextAuthAllowed;
  }

  /** Not yet greeted, or on submission not yet authenticated: the pre-login timeout applies. */
  get awaitingLogin(): boolean {
    if (this.state === 'CLOSED') return false;
    return this.state === 'INIT' || (this.options.listener === 'submission' && this.authenticatedAs === undefined);
  }

  /** What the framer should read next. */
  get inputMode(): InputMode {
    if (this.state === 'DATA') return { kind: 'data', lineLimit: SMTP_TEXT_LINE_LIMIT, sizeLimit: this.options.maxMessageSize };
    if (this.pendingChunk) return { kind: 'chunk', size: this.pendingChunk.size, sizeLimit: this.options.maxMessageSize };
    return { kind: 'command', limit: this.sasl ? SMTP_SASL_LIMIT : SMTP_COMMAND_LIMIT };
  }

  /** The 220 greeting (RFC 5321 §4.3.1). */
  greet(): SmtpOutput {
    if (this.greetedOnce) throw new EngineMisuse('greet() called twice');
    this.greetedOnce = true;
    this.send(reply(220, undefined, this.text('greeting')));
    return this.take();
  }

  /** The client talked before the greeting: refuse it (RFC 5321 §4.3.1, the "pregreet" test). */
  earlyTalker(): SmtpOutput {
    this.greetedOnce = true;
    this.event({ kind: 'error', code: 'EARLY_TALKER', message: ERROR_CODES.EARLY_TALKER });
    this.send(reply(554, '5.5.0', 'SMTP protocol violation: you sent data before the greeting'));
    this.transition('too-many-errors', 'the client talked before the greeting; the connection is refused');
    this.out.close();
    return this.take();
  }

  /** Any framed input, in the mode `inputMode` asked for: the one entry point adapters need. */
  receive(item: FramedInput): Promise<SmtpOutput> {
    switch (item.kind) {
      case 'line':
        return this.receiveLine(item);
      case 'overlong':
        return Promise.resolve(this.overlong(item.limit));
      case 'data':
        return this.receiveData(item);
      case 'chunk':
        return this.receiveChunk(item);
    }
  }

  /** One command line without its terminator. */
  async receiveLine(line: { bytes: Buffer; bareLf: boolean; bareCr: boolean }): Promise<SmtpOutput> {
    this.assertOpen();
    if (this.inputMode.kind !== 'command') throw new EngineMisuse(`receiveLine() while the engine expects ${this.inputMode.kind}`);
    if (this.sasl) {
      this.event(clientLineEvent('smtp', line.bytes.toString('latin1'), 'sasl'));
      await continueAuth(this, saslLineUsable(line) ? line.bytes.toString('latin1') : undefined);
      return this.take();
    }
    const text = line.bytes.toString('utf8');
    this.event(clientLineEvent('smtp', text, 'command'));
    if (line.bareLf) this.event(bareLfWarning(SMTP_LINE_POLICY));
    const problem = commandLineProblem(SMTP_LINE_POLICY, line);
    if (problem) {
      this.fail(problem.code, reply(500, '5.5.2', problem.message));
      return this.take();
    }
    await this.dispatcher.dispatch(text);
    return this.take();
  }

  /** The framer dropped a command line over the limit. */
  overlong(limit: number): SmtpOutput {
    this.assertOpen();
    this.event({ kind: 'line', from: 'client', text: `(a line over ${limit} octets, dropped)` });
    if (this.sasl) {
      this.sasl = undefined;
      this.fail('LINE_TOO_LONG', reply(500, '5.5.6', 'Authentication Exchange line is too long'));
    } else {
      this.fail('LINE_TOO_LONG', reply(500, '5.5.2', `Line too long: the limit is ${limit} octets including CRLF (RFC 5321 §4.5.3.1.4)`));
    }
    return this.take();
  }

  /** The message after DATA, up to and without <CRLF>.<CRLF>, already dot-unstuffed. */
  async receiveData(data: { message: Buffer | undefined; octets: number; problems: readonly DataProblem[] }): Promise<SmtpOutput> {
    if (this.state !== 'DATA') throw new EngineMisuse('receiveData() outside the DATA state');
    const body = { kind: 'body', from: 'client', lines: data.message ? countCrlf(data.message) : 0, octets: data.octets, ending: 'dot' } as const;
    // The message's text is made only if something reads the event: unwatched, the framer's buffer stays its one copy.
    this.event(data.message ? withLazyContent(body, data.message) : body);
    this.event({ kind: 'line', from: 'client', text: '.' });
    await finishData(this, data);
    return this.take();
  }

  /** One BDAT chunk of the announced size. */
  async receiveChunk(chunk: { bytes: Buffer | undefined; octets: number }): Promise<SmtpOutput> {
    if (!this.pendingChunk) throw new EngineMisuse('receiveChunk() without a BDAT command');
    const body = { kind: 'body', from: 'client', lines: chunk.bytes ? countCrlf(chunk.bytes) : 0, octets: chunk.octets, ending: 'chunk' } as const;
    this.event(chunk.bytes ? withLazyContent(body, chunk.bytes) : body);
    await finishChunk(this, chunk);
    return this.take();
  }

  /** TLS is up after STARTTLS: forget everything (RFC 3207 §4.2). */
  tlsEstablished(info: { version: string; cipher: string }): SmtpOutput {
    this.secure = true;
    this.event({ kind: 'tls', version: info.version, cipher: info.cipher });
    this.extended = undefined;
    this.clientName = undefined;
    this.authenticatedAs = undefined;
    this.transaction = undefined;
    this.transition('starttls');
    return this.take();
  }

  /** The client was silent too long (RFC 5321 §4.5.3.2). */
  timeout(reason: 'idle' | 'login-deadline' = 'idle'): SmtpOutput {
    this.assertOpen();
    const deadline = reason === 'login-deadline';
    this.event({ kind: 'error', code: deadline ? 'LOGIN_DEADLINE' : 'IDLE_TIMEOUT', message: ERROR_CODES[deadline ? 'LOGIN_DEADLINE' : 'IDLE_TIMEOUT'] });
    // RFC 5321 §4.5.3.2: a server may close a session that takes too long; 421 4.4.2 says "timed out".
    this.send(reply(421, '4.4.2', `${this.options.persona.hostname} ${deadline ? 'no login within the time allowed' : 'timeout exceeded'}, closing connection`));
    this.transaction = undefined;
    this.transition('timeout');
    this.out.close();
    return this.take();
  }

  /** A failure of ours: 421 as RFC 5321 §3.8 allows for a server that must stop, then close. */
  internalError(error: unknown): SmtpOutput {
    this.event({ kind: 'error', code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
    if (this.state === 'CLOSED') return this.take();
    this.send(reply(421, '4.3.0', `${this.options.persona.hostname} internal server error, closing connection`));
    this.transaction = undefined;
    this.sasl = undefined;
    this.transition('dropped', 'closed after an internal error; a message in progress is discarded');
    this.out.close();
    return this.take();
  }

  /** The connection is gone; anything half-received is discarded. */
  async end(reason: string): Promise<SmtpOutput> {
    if (this.state !== 'CLOSED') {
      this.transaction = undefined;
      this.transition('dropped', reason);
    }
    return this.take();
  }

  // ---- SmtpContext ----

  send(value: SmtpReply): void {
    this.out.reply(value);
  }

  event(event: WireEvent): void {
    this.out.event(event);
  }

  /** A bad command: reply, count it, and end the session once there are too many (core/engine/dispatcher.ts). */
  fail(code: ErrorCode, value: SmtpReply): void {
    this.dispatcher.fail(code, value);
  }

  /** A rejected credential: delayed, growing with each failure, and counted as a bad command so guessing ends. */
  authFailed(value: SmtpReply, user?: string, attempt?: string): void {
    this.dispatcher.authFailed(value, user, attempt);
  }

  /** A login succeeded: the next failure starts the delays afresh. */
  authenticated(user: string): void {
    this.authenticatedAs = user;
    this.dispatcher.authSucceeded(user);
  }

  delay(ms: number): void {
    this.out.delay(ms);
  }

  /** Ends the session: anything half-received is discarded, and the connection closes after this reply. */
  endSession(cause: 'too-many-errors' | 'dropped', detail?: string): void {
    this.transaction = undefined;
    this.sasl = undefined;
    this.transition(cause, detail);
    this.out.close();
  }

  /** Moves the session as the protocol table allows (core/protocols/smtp.ts); any other move is our bug and throws. */
  transition(cause: SmtpTransitionCause, detail?: string): void {
    const from = this.state;
    this.state = nextState(SMTP, cause, from);
    const spec = SMTP_TRANSITIONS[cause];
    this.out.event({ kind: 'transition', protocol: 'smtp', from, to: this.state, cause: detail ?? transitionCause('smtp', cause), rfc: spec.rfc, ...(spec.followsClientData ? { followsClientData: true as const } : {}) });
  }

  greeted(clientName: string, extended: boolean): void {
    this.clientName = clientName;
    this.extended = extended;
    this.transaction = undefined;
    this.succeeded(extended ? 'EHLO' : 'HELO');
  }

  succeeded(verb: SmtpVerb, detail?: string): void {
    const cause = successTransition(SMTP, SMTP_COMMAND_SPECS[verb], this.state);
    if (cause) this.transition(cause, detail);
  }

  extensions(): string[] {
    const { ehloKeywords, tlsEhloKeywords } = this.options.persona;
    if (this.secure && tlsEhloKeywords) return [...tlsEhloKeywords];
    if (!ehloKeywords) return computeExtensions(this);
    // A fixed list is what the server says in its current security: STARTTLS is no longer offered under TLS (RFC 3207 §4.2).
    return ehloKeywords.filter((keyword) => !this.secure || keyword.split(' ')[0]!.toUpperCase() !== 'STARTTLS');
  }

  startTls(): void {
    this.out.startTls();
  }

  close(): void {
    this.out.close();
  }

  /** Fills a persona text template. */
  text(key: keyof SmtpPersona['texts'], values: { client?: string; address?: string; domain?: string; id?: string } = {}): string {
    const { texts, tlsTexts } = this.options.persona;
    const template = (this.secure ? tlsTexts?.[key] : undefined) ?? texts[key];
    return fillText(template, { host: this.options.persona.hostname, ...values });
  }

  private assertOpen(): void {
    if (!this.greetedOnce) throw new EngineMisuse('input before greet()');
    if (this.state === 'CLOSED') throw new EngineMisuse('input after the session closed');
  }

  private take(): SmtpOutput {
    return this.out.take();
  }
}

/** What the shared dispatcher needs of SMTP: its table, its reply shapes (RFC 5321 §4.2), and submission's rule. */
function smtpRules(session: SmtpSession): DispatchRules<SmtpContext, SmtpReply> {
  return {
    protocol: 'smtp',
    find: findSmtpCommand,
    emptyLine: () => ({ code: 'UNKNOWN_COMMAND', reply: reply(500, '5.5.2', 'Empty command line') }),
    unknownCommand: (typed) => reply(500, '5.5.2', `Command "${printable(typed)}" unrecognized`),
    wrongState: (verb, state) => reply(503, '5.5.1', sequenceError(verb, state as SmtpState)),
    tooManyErrors: (count) => reply(421, '4.7.0', `${session.options.persona.hostname} Too many errors (${count}), closing connection`),
    tooManyBeforeLogin: (count) => reply(421, '4.7.0', `${session.options.persona.hostname} ${count} commands without logging in, closing connection`),
    // RFC 5321 §3.8: after 421 the server closes the connection.
    faultReply: (text) => {
      const value = rawReply(text);
      return value.code === 421 ? { reply: value, closesWith: '421: the server closes the connection; a message in progress is discarded' } : { reply: value };
    },
    // RFC 6409 §4.3: a submission server may require authentication before MAIL.
    guard: (verb) =>
      verb === 'MAIL' && session.options.listener === 'submission' && !session.authenticatedAs
        ? { code: 'AUTH_REQUIRED', reply: reply(530, '5.7.0', 'Authentication required: this is a submission port (RFC 6409 §4.3); use AUTH first') }
        : undefined,
  };
}
