/**
 * What a POP3 command handler may see and do. Handlers get this narrow view of
 * the session so each stays a small function of (context, arguments).
 */
import type { WireEvent } from '../events.js';
import type { ErrorCode } from '../errors.js';
import type { SaslExchange } from '../sasl/mechanisms.js';
import type { Maildrop, Pop3Backend } from './backend.js';
import type { Pop3Reply } from './reply.js';
import type { Pop3SessionOptions } from './options.js';
import type { CommandSpec } from '../protocols/protocol-data.js';
import type { Pop3State, Pop3TransitionCause, Pop3Verb } from '../protocols/pop3.js';

/** The session snapshot of TRANSACTION (RFC 1939 §5): DELE only flips a bit here; QUIT applies it. */
export interface TransactionState {
  readonly user: string;
  readonly maildrop: Maildrop;
  /** Zero-based indexes marked deleted. */
  readonly deleted: Set<number>;
  /** Zero-based indexes retrieved with RETR (flagged seen at UPDATE). */
  readonly retrieved: Set<number>;
  /** RFC 1460 §5 "highest number accessed", for the historic LAST command. */
  highestAccessed: number;
  readonly initialHighest: number;
}

export interface Pop3Context {
  readonly state: Pop3State;
  readonly options: Pop3SessionOptions;
  readonly backend: Pop3Backend;
  /** TLS is active (implicit, or after STLS). */
  readonly secure: boolean;
  /** Plaintext passwords may be accepted now (TLS, loopback, or operator flag). */
  readonly plaintextAllowed: boolean;
  /** The name given with USER, waiting for PASS. */
  pendingUser: string | undefined;
  /** A SASL exchange in progress (RFC 5034 §4). */
  sasl: SaslExchange | undefined;
  transaction: TransactionState | undefined;

  reply(reply: Pop3Reply): void;
  event(event: WireEvent): void;
  /** Replies to a bad command and counts it; too many end the session. */
  fail(code: ErrorCode, reply: Pop3Reply): void;
  /** Replies to a rejected credential, after a growing delay. */
  /** `user`, when known, is charged with the failure too (core/engine/auth-penalty.ts). */
  /** A rejected credential; `attempt` is the wrong password when the mechanism saw it (a repeat is not penalised again). */
  authFailed(reply: Pop3Reply, user?: string, attempt?: string): void;
  /** Locks the maildrop and enters TRANSACTION, or replies why not. */
  login(user: string, method: string): Promise<boolean>;
  transition(cause: Pop3TransitionCause, detail?: string): void;
  /** `verb` succeeded: the session moves as its protocol data says (`onSuccess`, core/protocols/pop3.ts), if at all. */
  succeeded(verb: Pop3Verb, detail?: string): void;
  startTls(): void;
  close(): void;
}

/** A command of the table: its protocol data (core/protocols/pop3.ts) with its handler attached. */
export interface Pop3Command extends CommandSpec<Pop3State> {
  handle(context: Pop3Context, args: string): void | Promise<void>;
}
