/**
 * What an SMTP command handler may see and do: a narrow view of the session,
 * so each handler stays a small function of (context, arguments).
 */
import type { WireEvent } from '../events.js';
import type { ErrorCode } from '../errors.js';
import type { SaslExchange } from '../sasl/mechanisms.js';
import type { Mailbox } from './address.js';
import type { AcceptedRecipient, BodyType, SmtpBackend } from './backend.js';
import type { SmtpTexts } from './persona.js';
import type { SmtpReply } from './reply.js';
import type { SmtpSessionOptions } from './options.js';
import type { CommandSpec } from '../protocols/protocol-data.js';
import type { SmtpState, SmtpTransitionCause, SmtpVerb } from '../protocols/smtp.js';

/** One open mail transaction (RFC 5321 §3.3). */
export interface MailTransaction {
  readonly from: Mailbox | null;
  readonly body: BodyType;
  readonly smtputf8: boolean;
  /** SIZE= declared at MAIL (RFC 1870 §6), if any. */
  readonly declaredSize?: number;
  /** RET= and ENVID= as given at MAIL, where DSN was offered (RFC 3461 §4.3, §4.4). */
  readonly ret?: string;
  readonly envid?: string;
  readonly recipients: AcceptedRecipient[];
  /** RCPT commands refused, to tell "no valid recipients" (554) from "no RCPT" (503). */
  rejectedRecipients: number;
  /** BDAT chunks so far (RFC 3030); undefined until the first. */
  chunks?: Buffer[];
  chunkOctets: number;
}

/** A BDAT chunk being read; `refuse` is the reply owed once its octets are skipped. */
export interface PendingChunk {
  readonly size: number;
  readonly last: boolean;
  readonly refuse?: SmtpReply;
}

export interface SmtpContext {
  readonly state: SmtpState;
  readonly options: SmtpSessionOptions;
  readonly backend: SmtpBackend;
  readonly secure: boolean;
  /** EHLO (true) or HELO (false) was used; undefined before either. */
  readonly extended: boolean | undefined;
  /** The name the client gave in EHLO/HELO. */
  clientName: string | undefined;
  authenticatedAs: string | undefined;
  sasl: SaslExchange | undefined;
  transaction: MailTransaction | undefined;
  /** Plaintext SASL mechanisms may be used now (TLS, loopback or operator flag). */
  readonly plaintextAllowed: boolean;
  /** BDAT announced size and LAST flag, while its chunk is awaited. */
  pendingChunk: PendingChunk | undefined;

  send(reply: SmtpReply): void;
  event(event: WireEvent): void;
  /** Replies to a bad command and counts it; too many end the session (421). */
  fail(code: ErrorCode, reply: SmtpReply): void;
  /** `user`, when known, is charged with the failure too (core/engine/auth-penalty.ts). */
  /** A rejected credential; `attempt` is the wrong password when the mechanism saw it (a repeat is not penalised again). */
  authFailed(reply: SmtpReply, user?: string, attempt?: string): void;
  /** AUTH succeeded: the session now submits as `user` (RFC 4954 §4). */
  authenticated(user: string): void;
  transition(cause: SmtpTransitionCause, detail?: string): void;
  /** `verb` succeeded: the session moves as its protocol data says (`onSuccess`, core/protocols/smtp.ts), if at all. */
  succeeded(verb: SmtpVerb, detail?: string): void;
  /** Marks EHLO/HELO done (and resets any transaction, RFC 5321 §4.1.4). */
  greeted(clientName: string, extended: boolean): void;
  /** A persona reply text with its placeholders filled. */
  text(key: keyof SmtpTexts, values?: { client?: string; address?: string; domain?: string; id?: string }): string;
  /** The extensions this session advertises now, as EHLO lines. */
  extensions(): string[];
  startTls(): void;
  close(): void;
}

/** A command of the table: its protocol data (core/protocols/smtp.ts) with its handler attached. */
export interface SmtpCommand extends CommandSpec<SmtpState> {
  handle(context: SmtpContext, args: string): void | Promise<void>;
}
