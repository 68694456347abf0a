/**
 * What the SMTP engine asks of the world: recipient policy, durable delivery
 * and the user directory for AUTH. The lab implements it over Maildir and the
 * outbound queue; tests use an in-memory one.
 */
import type { Mailbox } from './address.js';

export type BodyType = '7BIT' | '8BITMIME' | 'BINARYMIME';

/** The envelope of one mail transaction (RFC 5321 §2.3.1). */
export interface Envelope {
  readonly from: Mailbox | null;
  readonly recipients: readonly AcceptedRecipient[];
  readonly body: BodyType;
  readonly smtputf8: boolean;
  /** The user who authenticated with AUTH, if any (RFC 4954 §5). */
  readonly authenticatedAs?: string;
  /** RET= and ENVID= as the client gave them (RFC 3461 §4.3, §4.4), for the delivery reports. */
  readonly ret?: string;
  readonly envid?: string;
}

export interface AcceptedRecipient {
  readonly mailbox: Mailbox;
  /** Where the backend said it goes: a local maildrop, or the outbound queue. */
  readonly route: { kind: 'local'; user: string } | { kind: 'relay' };
  /** DSN parameters as the client gave them, when DSN is advertised (RFC 3461 §4.1, §4.2); checked by core/smtp/dsn-parameters.ts. */
  readonly notify?: string;
  readonly orcpt?: string;
}

export type RecipientVerdict =
  | { kind: 'local'; user: string }
  | { kind: 'relay' }
  /** Local domain, no such user: 550 5.1.1 (RFC 3463 §3.2). */
  | { kind: 'unknown-user' }
  /** Not a local domain and the session may not relay: 550 5.7.1 (RFC 5321 §3.6.2); `reason` says why when the session is authenticated. */
  | { kind: 'relay-denied'; reason?: string };

/** May a logged-in user send with this reverse-path? A refusal's reason goes into the 550 5.7.1 (RFC 6409 §6.1). */
export type SenderVerdict = { ok: true } | { ok: false; reason: string };

export interface DeliveryResult {
  /** An id for the 250 reply and the Received line. */
  readonly id: string;
  /**
   * Recipients the message could not be stored for although it was stored for
   * others (and could not be taken back): the 250 names them, and the sender
   * gets a bounce. A delivery that stored nothing throws instead (451).
   */
  readonly failed?: readonly { address: string; reason: string }[];
}

export interface SmtpBackend {
  secretOf(user: string): Promise<string | undefined>;
  /** Decides where a recipient goes; sessions authenticated as `authenticatedAs` may relay where the operator allows. */
  checkRecipient(mailbox: Mailbox, authenticatedAs: string | undefined): Promise<RecipientVerdict>;
  /**
   * May the authenticated `user` send with this reverse-path (null: `<>`)?
   * Refused for the null sender, a domain not ours, or an address that belongs
   * to another user (Postfix's reject_sender_login_mismatch; RFC 6409 §6.1).
   * Absent: every sender is allowed.
   */
  checkSender?(mailbox: Mailbox | null, user: string): Promise<SenderVerdict>;
  /** Local users matching a VRFY string (RFC 5321 §3.5.1): full addresses. */
  verify(query: string): Promise<string[]>;
  /**
   * Stores the message durably for every recipient (Maildir for local ones, the
   * queue for relayed ones) and resolves only once it is on disk: the 250 that
   * follows is a promise to deliver (RFC 5321 §4.1.1.4, §6.1). Throws only
   * when nothing was stored for anyone: a copy stored before a later failure
   * is taken back first, or reported in `failed`.
   *
   * `trace` is the Received header this server adds (RFC 5321 §4.4), to be
   * stored before the message. It comes apart so that the message, which may be
   * megabytes, is never copied just to join the two: the store writes them as
   * pieces of one file.
   */
  deliver(envelope: Envelope, message: Buffer, trace: Buffer): Promise<DeliveryResult>;
}
