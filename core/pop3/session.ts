/**
 * The POP3 server engine (RFC 1939, 2449, 2595, 5034), sans-I/O: command lines
 * in, replies and events out. It owns no socket, file or clock; the maildrop and
 * the user directory come through an injected `Pop3Backend`.
 *
 * One dispatcher checks what every command shares (syntax of the line, the
 * state it needs, the bad-command counter); each command's handler lives in
 * `commands/` with its annotation data beside it.
 */
import { pop3ReplyAnnotations } from '../annotations/annotate.js';
import { OutputCollector, type EngineOutput } from '../engine/engine-output.js';
import type { FramedItem } from '../framing/line-splitter.js';
import type { FramedInput, InputMode } from '../framing/input-framer.js';
import type { WireEvent } from '../events.js';
import type { ServerEngine } from '../engine/server-engine.js';
import type { Pop3SessionOptions } from './options.js';
import { withLazyContent } from '../framing/body-content.js';
import { countLines } from '../framing/dot-stuffing.js';
import { ERROR_CODES, EngineMisuse, type ErrorCode } from '../errors.js';
import { clientLineEvent } from '../masking.js';
import type { SaslExchange } from '../sasl/mechanisms.js';
import type { Maildrop, Pop3Backend } from './backend.js';
import { continueSasl } from './commands/auth.js';
import { findCommand } from './commands/index.js';
import type { Pop3Context, TransactionState } from './context.js';
import { err, rawReply, serializeReply, statusLine, type Pop3Reply } from './reply.js';
import { POP3, POP3_COMMAND_SPECS, POP3_TRANSITIONS, type Pop3State, type Pop3TransitionCause, type Pop3Verb } from '../protocols/pop3.js';
import { nextState, successTransition } from '../protocols/protocol-data.js';
import { bareLfWarning, commandLineProblem, POP3_LINE_POLICY, saslLineUsable } from '../engine/line-policy.js';
import { transitionCause } from '../annotations/messages.js';
import { Dispatcher, type DispatchRules } from '../engine/dispatcher.js';

/** Everything one input produced. */
export type Pop3Output = EngineOutput<Pop3Reply>;

/** The longest command line, CRLF included (RFC 2449 §4). */
export const POP3_LINE_LIMIT = 255;
/** SASL continuation lines may be longer (RFC 5034 §4 only limits the initial response). */
export const POP3_SASL_LINE_LIMIT = 8192;

export class Pop3Session implements Pop3Context, ServerEngine {
  readonly protocol = 'pop3';
  state: Pop3State = 'AUTHORIZATION';
  secure: boolean;
  pendingUser: string | undefined;
  sasl: SaslExchange | undefined;
  transaction: TransactionState | undefined;
  readonly options: Pop3SessionOptions;
  private readonly dispatcher: Dispatcher<Pop3Context, Pop3Reply>;
  private greeted = false;
  private out = new OutputCollector<Pop3Reply>(serializeReply, describeReply);
  private releases: Promise<void>[] = [];

  constructor(
    readonly backend: Pop3Backend,
    options: Pop3SessionOptions,
  ) {
    this.options = options;
    this.secure = options.secure;
    this.dispatcher = new Dispatcher<Pop3Context, Pop3Reply>(POP3_RULES, this, options);
  }

  /** The greeting (RFC 1939 §4), with the APOP timestamp. */
  greet(): Pop3Output {
    if (this.greeted) throw new EngineMisuse('greet() called twice');
    this.greeted = true;
    // No timestamp, no APOP (RFC 1939 §7): some servers greet without one (RFC 5034's examples).
    const timestamp = this.options.timestamp === '' ? '' : ` ${this.options.timestamp}`;
    this.reply({ kind: 'status', ok: true, text: `${this.options.greetingText}${timestamp}` });
    return this.out.take();
  }

  /** No maildrop yet: the pre-login timeout applies. */
  get awaitingLogin(): boolean {
    return this.state === 'AUTHORIZATION';
  }

  /** The longest line the framer should accept next. */
  get lineLimit(): number {
    return this.sasl ? POP3_SASL_LINE_LIMIT : POP3_LINE_LIMIT;
  }

  get plaintextAllowed(): boolean {
    return this.secure || this.options.plaintextAuthAllowed;
  }

  /**
   * How the framer should read the next line: a command line, limited anew
   * for each one (a SASL response may be longer than a command).
   */
  get inputMode(): InputMode {
    return { kind: 'command', limit: this.lineLimit };
  }

  /** A framed item: a command line, or the news that the framer dropped an overlong one. */
  receive(item: FramedItem | FramedInput): Promise<Pop3Output> {
    if (item.kind === 'line') return this.receiveLine(item.bytes, { bareLf: item.bareLf, bareCr: 'bareCr' in item && item.bareCr });
    if (item.kind === 'overlong') return this.overlong(item.limit);
    throw new EngineMisuse(`POP3 has no ${item.kind} input`);
  }

  /** One command line, without its CRLF; `ending` says how the framer found it ended (core/engine/line-policy.ts judges it). */
  async receiveLine(line: Uint8Array, ending: { bareLf: boolean; bareCr: boolean } = { bareLf: false, bareCr: false }): Promise<Pop3Output> {
    this.assertOpen();
    const framed = { bytes: Buffer.from(line.buffer, line.byteOffset, line.byteLength), ...ending };
    const text = framed.bytes.toString('latin1');
    if (this.sasl) {
      this.out.event(clientLineEvent('pop3', text, 'sasl'));
      await continueSasl(this, saslLineUsable(framed) ? text : undefined);
      return this.settle();
    }
    this.out.event(clientLineEvent('pop3', text, 'command'));
    if (framed.bareLf) this.out.event(bareLfWarning(POP3_LINE_POLICY));
    const badByte = commandLineProblem(POP3_LINE_POLICY, framed);
    if (badByte) {
      this.fail(badByte.code, err(badByte.message));
      return this.settle();
    }
    await this.dispatcher.dispatch(text);
    return this.settle();
  }

  /** The framer dropped a line longer than the limit. */
  async overlong(limit: number): Promise<Pop3Output> {
    this.out.event({ kind: 'line', from: 'client', text: `(a line over ${limit} octets, dropped)` });
    if (this.sasl) {
      this.sasl = undefined;
      this.fail('LINE_TOO_LONG', err(`SASL response longer than ${limit} octets; authentication aborted`));
      return this.settle();
    }
    this.fail('LINE_TOO_LONG', err(`command line too long: the limit is ${limit} octets including CRLF (RFC 2449 section 4)`));
    return this.settle();
  }

  /** The adapter finished the TLS handshake asked for by STLS. */
  tlsEstablished(info: { version: string; cipher: string }): Pop3Output {
    this.secure = true;
    this.out.event({ kind: 'tls', version: info.version, cipher: info.cipher });
    this.out.event({ kind: 'annotation', about: 'state', key: 'pop3.tls.established', rfc: 'RFC 2595 §4' });
    return this.out.take();
  }

  /**
   * RFC 1939 §3: the autologout timer ends the session without UPDATE; the
   * maildrop is let go (by the time `end` returns), nothing is deleted.
   */
  timeout(reason: 'idle' | 'login-deadline' = 'idle'): Pop3Output {
    this.assertOpen();
    const deadline = reason === 'login-deadline';
    this.out.event({ kind: 'error', code: deadline ? 'LOGIN_DEADLINE' : 'IDLE_TIMEOUT', message: ERROR_CODES[deadline ? 'LOGIN_DEADLINE' : 'IDLE_TIMEOUT'] });
    this.reply(err(deadline ? 'no login within the time allowed, closing connection' : 'idle for too long, closing connection'));
    this.closeWithoutUpdate('timeout');
    return this.out.take();
  }

  /** A failure of ours: answered as a temporary one (RFC 2449 §8.1.2 SYS/TEMP), and the session ends without UPDATE. */
  internalError(error: unknown): Pop3Output {
    this.out.event({ kind: 'error', code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
    if (this.state === 'CLOSED') return this.out.take();
    this.reply(err('internal server error, closing connection', 'SYS/TEMP'));
    this.closeWithoutUpdate('dropped', 'closed after an internal error; nothing was deleted');
    return this.out.take();
  }

  /**
   * The connection is gone without a completed QUIT (dropped, timed out, killed,
   * server shutdown). Nothing is deleted: only UPDATE deletes (RFC 1939 §6).
   * Returns once the maildrop is let go, also when the session closed earlier.
   */
  async end(reason: string): Promise<Pop3Output> {
    if (this.state !== 'CLOSED') this.closeWithoutUpdate('dropped', reason);
    return this.settle();
  }

  private assertOpen(): void {
    if (!this.greeted) throw new EngineMisuse('input before greet()');
    if (this.state === 'CLOSED') throw new EngineMisuse('input after the session closed');
  }

  // ---- Pop3Context: what handlers may do ----

  reply(reply: Pop3Reply): void {
    this.out.reply(this.options.responseCodes === false ? withoutResponseCode(reply) : reply);
  }

  event(event: WireEvent): void {
    this.out.event(event);
  }

  /** A bad command: reply, count it, and end the session once there are too many (core/engine/dispatcher.ts). */
  fail(code: ErrorCode, reply: Pop3Reply): void {
    this.dispatcher.fail(code, reply);
  }

  /** A rejected credential: delayed, growing with each failure, and counted as a bad command so guessing ends. */
  authFailed(reply: Pop3Reply, user?: string, attempt?: string): void {
    this.dispatcher.authFailed(reply, user, attempt);
  }

  /** For the dispatcher: the reply, a delay before it, and how a session ends here. */
  send(reply: Pop3Reply): void {
    this.reply(reply);
  }

  delay(ms: number): void {
    this.out.delay(ms);
  }

  endSession(cause: 'too-many-errors' | 'dropped', detail?: string): void {
    this.closeWithoutUpdate(cause, detail);
  }

  async login(user: string, method: string): Promise<boolean> {
    // The password was right: the answer is delayed as a success is, whether the maildrop opens or is locked,
    // so a locked maildrop's quick answer does not tell a guesser that the password was right.
    this.dispatcher.authSucceeded(user);
    const opened = await this.backend.openMaildrop(user);
    if (!opened.ok) {
      const code = { 'in-use': 'IN-USE', 'login-delay': 'LOGIN-DELAY', temporary: 'SYS/TEMP', permanent: 'SYS/PERM' } as const;
      const errorCode = { 'in-use': 'MAILDROP_IN_USE', 'login-delay': 'LOGIN_DELAY', temporary: 'STORE_FAILED', permanent: 'STORE_FAILED' } as const;
      this.out.event({ kind: 'error', code: errorCode[opened.reason], message: opened.detail });
      const lockedText = opened.reason === 'in-use' ? this.options.texts?.locked : undefined;
      this.reply(err(lockedText || opened.detail, code[opened.reason]));
      return false;
    }
    this.pendingUser = undefined;
    this.transaction = newTransaction(user, opened.maildrop);
    this.succeeded(method.split(' ')[0] as Pop3Verb, `${method} accepted for ${user}; the maildrop is now locked`);
    return true;
  }

  succeeded(verb: Pop3Verb, detail?: string): void {
    const cause = successTransition(POP3, POP3_COMMAND_SPECS[verb], this.state);
    if (cause) this.transition(cause, detail);
  }

  /** Moves the session as the protocol table allows (core/protocols/pop3.ts); any other move is our bug and throws. */
  transition(cause: Pop3TransitionCause, detail?: string): void {
    const from = this.state;
    this.state = nextState(POP3, cause, from);
    this.out.event({ kind: 'transition', protocol: 'pop3', from, to: this.state, cause: detail ?? transitionCause('pop3', cause), rfc: POP3_TRANSITIONS[cause].rfc });
  }

  startTls(): void {
    this.out.startTls();
  }

  close(): void {
    this.out.close();
  }

  private closeWithoutUpdate(cause: Pop3TransitionCause, detail?: string): void {
    const maildrop = this.transaction?.maildrop;
    this.transaction = undefined;
    this.sasl = undefined;
    this.transition(cause, detail);
    this.out.close();
    if (maildrop) this.releases.push(maildrop.release());
  }

  /** Waits for lock releases started by this input, then hands over its output. */
  private async settle(): Promise<Pop3Output> {
    const releases = this.releases.splice(0);
    await Promise.all(releases);
    return this.out.take();
  }
}

/** What the shared dispatcher needs of POP3: its table and its reply shapes (RFC 1939 §3: "-ERR" and a text). */
const POP3_RULES: DispatchRules<Pop3Context, Pop3Reply> = {
  protocol: 'pop3',
  find: findCommand,
  emptyLine: (text) => ({
    code: 'BAD_ARGUMENT',
    reply: err(text === '' ? 'empty command line' : 'a command line must start with the command keyword, not a space (RFC 1939 section 3)'),
  }),
  unknownCommand: (typed, state) => err(`unknown command "${printable(typed)}" in ${state} state`),
  wrongState: (verb, state, command) => err(`${verb} is only valid in ${command.states.join(' or ')} state; this session is in ${state}`),
  tooManyErrors: (count) => err(`too many bad commands (${count}), closing connection`),
  tooManyBeforeLogin: (count) => err(`${count} commands without logging in, closing connection`),
  // A POP3 server never closes after -ERR alone (RFC 1939 §3), so no scripted reply does either.
  faultReply: (text) => ({ reply: rawReply(text) }),
};

/** The reply as a server without RFC 2449 response codes sends it. */
function withoutResponseCode(reply: Pop3Reply): Pop3Reply {
  if (reply.kind !== 'status' || reply.code === undefined) return reply;
  const { code: _code, ...rest } = reply;
  return rest;
}

function newTransaction(user: string, maildrop: Maildrop): TransactionState {
  let initialHighest = 0;
  maildrop.messages.forEach((message, index) => {
    if (message.seen) initialHighest = index + 1;
  });
  return { user, maildrop, deleted: new Set(), retrieved: new Set(), highestAccessed: initialHighest, initialHighest };
}

/** Shortens and cleans peer text echoed in a reply; replies go out as latin1, so ASCII only. */
function printable(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return shown.replace(/[\x00-\x1f\x7f]/g, '?');
}

/** The events that show a POP3 reply: its status line, a summary of its body, and what its status means. */
function describeReply(reply: Pop3Reply): WireEvent[] {
  const line = statusLine(reply);
  const events: WireEvent[] = [{ kind: 'line', from: 'server', text: line }];
  if (reply.kind === 'status' && reply.body !== undefined) {
    const body = reply.body;
    const lines = isLineList(body) ? body.length : countLines(body);
    const octets = isLineList(body) ? body.reduce((total, line) => total + line.length + 2, 0) : body.length;
    // A message's text is made only if something reads the event (core/framing/body-content.ts).
    events.push(isLineList(body) ? { kind: 'body', from: 'server', lines, octets, content: body.join('\r\n'), ending: 'dot' } : withLazyContent({ kind: 'body', from: 'server', lines, octets, ending: 'dot' }, body));
  }
  events.push(...pop3ReplyAnnotations(line));
  return events;
}

function isLineList(body: Uint8Array | readonly string[]): body is readonly string[] {
  return Array.isArray(body);
}
