/**
 * The shapes of the protocol tables (core/protocols/pop3.ts, smtp.ts): the one
 * source of protocol facts that the engines' dispatcher, the catalogue, the
 * client trackers, the fault parser, the raw client and the state diagrams
 * read. Data only, no wording (that is in core/annotations/messages), no I/O:
 * this folder is part of the browser entry.
 */
import { EngineMisuse } from '../errors.js';
import type { Protocol } from '../events.js';

/** What a command is, apart from what its handler does. */
export interface CommandSpec<State extends string, Cause extends string = string> {
  readonly name: string;
  /** The states it is valid in. */
  readonly states: readonly State[];
  /** Its syntax, as the RFC writes it. */
  readonly syntax: string;
  /** The section that defines it. */
  readonly rfc: string;
  /**
   * A positive reply is multi-line (RFC 1939 §3): always (RETR, CAPA), only
   * without arguments (LIST, UIDL), or never. SMTP replies say it themselves.
   */
  readonly multiLine: 'always' | 'without-arguments' | 'never';
  /**
   * A pipelining client must wait for the reply before sending more
   * (RFC 2920 §3.1; RFC 2449 §6.6): it changes the session in a way the next
   * command depends on (TLS, authentication, DATA content, the greeting).
   */
  readonly waitAfter: boolean;
  /** States a successful command may lead to (for the state diagrams). */
  readonly leadsTo: readonly State[];
  /**
   * The transition a successful reply makes (+OK; a 2xx): the first of these
   * causes the transition table allows from the session's state, none if it
   * allows none (RCPT after the first recipient, RSET before EHLO). The
   * engines and the trackers both move by it (`successTransition`); only
   * replies that are no plain success keep code of their own: 354 and the
   * content after it, BDAT's chunks, STARTTLS/STLS (the move waits for TLS).
   */
  readonly onSuccess?: readonly Cause[];
  /** Defined by no current RFC; kept for history (RFC 1460's LAST). */
  readonly historic?: true;
}

/** A transition the engines and trackers may make: from where, to where, on whose authority. */
export interface TransitionSpec<State extends string> {
  /** The states it may start from; '*' is any state but CLOSED. */
  readonly from: readonly State[] | '*';
  /** 'same' leaves the state as it is (a transition that only resets data). */
  readonly to: State | 'same';
  readonly rfc: string;
  /**
   * The client's data itself causes it (the first BDAT chunk), not a reply: in
   * an input's events it stays right after that data instead of following the reply.
   */
  readonly followsClientData?: true;
}

export interface ProtocolData<State extends string, Cause extends string> {
  readonly protocol: Protocol;
  /** Every state, in the order a session goes through them. */
  readonly states: readonly State[];
  readonly initial: State;
  /** The section that describes each state. */
  readonly stateRfc: Readonly<Record<State, string>>;
  readonly commands: readonly CommandSpec<State, Cause>[];
  readonly transitions: Readonly<Record<Cause, TransitionSpec<State>>>;
}

/**
 * The state after `cause`, from `from`. A transition the table does not allow
 * is our bug, never the peer's: it throws (as h11 does), so a handler that
 * moves the session where the protocol does not go is caught by the tests.
 */
export function nextState<State extends string, Cause extends string>(data: ProtocolData<State, Cause>, cause: Cause, from: State): State {
  const spec = data.transitions[cause];
  if (!spec) throw new EngineMisuse(`${data.protocol}: no transition "${cause}"`);
  if (!transitionAllowed(data, cause, from)) throw new EngineMisuse(`${data.protocol}: transition "${cause}" is not allowed from ${from}`);
  return spec.to === 'same' ? from : spec.to;
}

/** True when the table lets `cause` move a session that is in `from`. */
export function transitionAllowed<State extends string, Cause extends string>(data: ProtocolData<State, Cause>, cause: Cause, from: State): boolean {
  const spec = data.transitions[cause];
  return spec !== undefined && (spec.from === '*' ? from !== 'CLOSED' : spec.from.includes(from));
}

/** The transition a successful reply to `command` makes from `from` (its `onSuccess`), or undefined when it makes none. */
export function successTransition<State extends string, Cause extends string>(data: ProtocolData<State, Cause>, command: CommandSpec<State, Cause>, from: State): Cause | undefined {
  return command.onSuccess?.find((cause) => transitionAllowed(data, cause, from));
}

/** Looks a command up by its verb (already upper-cased). */
export function commandSpec<State extends string, Cause extends string>(data: ProtocolData<State, Cause>, verb: string): CommandSpec<State, Cause> | undefined {
  return data.commands.find((command) => command.name === verb);
}

/** The commands valid in `state`, in table order (for completion and hints). */
export function commandsIn<State extends string>(data: ProtocolData<State, string>, state: State): CommandSpec<State>[] {
  return data.commands.filter((command) => command.states.includes(state));
}
