/**
 * The one command dispatcher of both server engines (after nodemailer's
 * smtp-connection `_onCommand` and Dovecot's command tables): it splits the
 * verb from its arguments, looks the verb up in the protocol's table, explains
 * the command, checks the state, applies the protocol's own cross-cutting rule
 * (SMTP submission's 530), applies a lab fault rule, and runs the handler. It
 * also keeps the bad-command budget: every refused command, failed
 * authentication and over-long SASL line counts, the same way in both
 * protocols, and the session ends when the budget is spent.
 *
 * The protocols supply only their reply shapes (`DispatchRules`) and what
 * ending a session means for them (`endSession`): same rule, same name, one place.
 */
import type { ErrorCode } from '../errors.js';
import { ERROR_CODES } from '../errors.js';
import type { Protocol, WireEvent } from '../events.js';
import { faultAppliedEvent, type FaultPlan } from '../faults/fault-plan.js';
import { looksLikeCredential, MASK } from '../masking.js';
import type { AuthPenalty } from './auth-penalty.js';
import type { CommandSpec } from '../protocols/protocol-data.js';

/** A command of a protocol table with its handler. */
export interface DispatchedCommand<Context> extends CommandSpec<string> {
  handle(context: Context, args: string): void | Promise<void>;
}

/** A refusal: the error code its event carries and the reply the client gets. */
export interface Refusal<Reply> {
  readonly code: ErrorCode;
  readonly reply: Reply;
}

/** What each protocol tells the dispatcher: its table, its reply shapes, and how its sessions end. */
export interface DispatchRules<Context, Reply> {
  readonly protocol: Protocol;
  find(verb: string): DispatchedCommand<Context> | undefined;
  /** A line with no verb (empty, or starting with a space). */
  emptyLine(text: string): Refusal<Reply>;
  /** `typed` is the verb as the client wrote it (echoed as typed, never upper-cased). */
  unknownCommand(typed: string, state: string): Reply;
  wrongState(verb: string, state: string, command: DispatchedCommand<Context>): Reply;
  /** The last reply when the budget is spent; the session then ends with 'too-many-errors'. */
  tooManyErrors(count: number): Reply;
  /** The last reply when `count` commands came without a login (`maxCommandsBeforeLogin`). */
  tooManyBeforeLogin(count: number): Reply;
  /** A lab fault's scripted reply; `closesWith` (the transition's wording) when a real server closes after it (SMTP's 421). */
  faultReply(text: string): { reply: Reply; closesWith?: string };
  /** A rule of the protocol's own, checked after the state (SMTP submission: 530 before AUTH). */
  guard?(verb: string): Refusal<Reply> | undefined;
}

/** What the dispatcher does to the session: the engine carries it out. */
export interface DispatchEffects<Reply> {
  readonly state: string;
  /** The session has no login yet and needs one (core/engine/server-engine.ts). */
  readonly awaitingLogin?: boolean;
  send(reply: Reply): void;
  event(event: WireEvent): void;
  delay(ms: number): void;
  /** Ends the session without UPDATE: for a spent budget, or a fault that drops or closes. */
  endSession(cause: 'too-many-errors' | 'dropped', detail?: string): void;
}

export interface DispatcherOptions {
  maxBadCommands: number;
  /** Delay before answering the Nth consecutive authentication failure, in ms. */
  authFailureDelay: (failures: number) => number;
  faults?: FaultPlan;
  /** Failures remembered across connections (per address and per user); absent in lessons and the sandbox. */
  authPenalty?: AuthPenalty;
  /**
   * Commands accepted before a login, good or bad (a NOOP every minute would
   * otherwise hold a slot for ever); the next one ends the session. Absent: no cap.
   */
  maxCommandsBeforeLogin?: number;
}

export class Dispatcher<Context, Reply> {
  private badCommands = 0;
  private authFailures = 0;
  private commandsBeforeLogin = 0;

  constructor(
    private readonly rules: DispatchRules<Context, Reply>,
    private readonly session: DispatchEffects<Reply> & Context,
    private readonly options: DispatcherOptions,
  ) {}

  /** One command line (already checked for bad bytes and shown as a client line). */
  async dispatch(text: string): Promise<void> {
    const space = text.indexOf(' ');
    const typed = space === -1 ? text : text.slice(0, space);
    const verb = typed.toUpperCase();
    const args = space === -1 ? '' : text.slice(space + 1);
    if (this.overLoginCap()) return;
    if (verb === '') {
      const refusal = this.rules.emptyLine(text);
      this.fail(refusal.code, refusal.reply);
      return;
    }
    const command = this.rules.find(verb);
    if (!command) {
      // A credential sent after a refused AUTH is no command: never echo it back.
      const echoed = looksLikeCredential(this.rules.protocol, text) ? MASK : typed;
      this.fail('UNKNOWN_COMMAND', this.rules.unknownCommand(echoed, this.session.state));
      return;
    }
    // Explained even when refused: the learner typed a real command, in the wrong place.
    this.session.event({ kind: 'annotation', about: 'command', key: `${this.rules.protocol}.command.${verb}`, rfc: command.rfc });
    if (!command.states.includes(this.session.state)) {
      this.fail('WRONG_STATE', this.rules.wrongState(verb, this.session.state, command));
      return;
    }
    const refusal = this.rules.guard?.(verb);
    if (refusal) {
      this.fail(refusal.code, refusal.reply);
      return;
    }
    if (this.applyFault(verb, args)) return;
    await command.handle(this.session, args);
  }

  /** Counts a command before the login; past the cap, the session ends with its own reply (true). */
  private overLoginCap(): boolean {
    const cap = this.options.maxCommandsBeforeLogin;
    if (cap === undefined || this.session.awaitingLogin !== true) return false;
    if (++this.commandsBeforeLogin <= cap) return false;
    this.session.event({ kind: 'error', code: 'TOO_MANY_BEFORE_LOGIN', message: ERROR_CODES.TOO_MANY_BEFORE_LOGIN });
    this.session.send(this.rules.tooManyBeforeLogin(cap));
    this.session.endSession('too-many-errors', `${cap} commands without a login: the server closes the connection`);
    return true;
  }

  /** A bad command: its error event, the reply, and the count; the last one ends the session. */
  fail(code: ErrorCode, reply: Reply): void {
    this.session.event({ kind: 'error', code, message: ERROR_CODES[code] });
    this.badCommands++;
    if (this.badCommands >= this.options.maxBadCommands) {
      this.session.send(this.rules.tooManyErrors(this.badCommands));
      this.session.event({ kind: 'error', code: 'TOO_MANY_ERRORS', message: ERROR_CODES.TOO_MANY_ERRORS });
      this.session.endSession('too-many-errors');
      return;
    }
    this.session.send(reply);
  }

  /** A rejected credential: answered after a delay that grows with each failure, and counted as a bad command so guessing ends. */
  authFailed(reply: Reply, user?: string, attempt?: string): void {
    this.authFailures++;
    const penalty = this.options.authPenalty;
    this.session.delay(Math.max(this.options.authFailureDelay(this.authFailures), penalty?.delayMs(user) ?? 0));
    penalty?.failed(user, attempt);
    this.fail('AUTH_FAILED', reply);
  }

  /**
   * A login succeeded: answered after the delay a failure would have had at
   * this point (so timing does not tell a guesser which it was); the next
   * failure starts the delays afresh.
   */
  authSucceeded(user?: string): void {
    const penalty = this.options.authPenalty;
    const asAFailure = this.authFailures > 0 ? this.options.authFailureDelay(this.authFailures + 1) : 0;
    this.session.delay(Math.max(asAFailure, penalty?.delayMs(user) ?? 0));
    if (user !== undefined) penalty?.succeeded(user);
    this.authFailures = 0;
  }

  /**
   * A fault rule matched a command about to be handled. A reply fault answers
   * in its place (the state unchanged, unless the reply is one after which a
   * real server closes); drop ends the session without a word; delay lets the
   * handler run. True when the handler must not run.
   */
  private applyFault(verb: string, args: string): boolean {
    const fault = this.options.faults?.check(this.rules.protocol, verb, args);
    if (!fault) return false;
    switch (fault.kind) {
      case 'delay':
        this.session.event(faultAppliedEvent(fault.rule));
        this.session.delay(fault.ms);
        return false;
      case 'drop':
        this.session.event(faultAppliedEvent(fault.rule));
        this.session.endSession('dropped');
        return true;
      case 'reply': {
        const { reply, closesWith } = this.rules.faultReply(fault.text);
        this.session.send(reply);
        // The note says where the reply came from: it follows the reply (and does not give it away before a prediction).
        this.session.event(faultAppliedEvent(fault.rule));
        if (closesWith !== undefined) this.session.endSession('dropped', closesWith);
        return true;
      }
    }
  }
}
