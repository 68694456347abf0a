/**
 * What the POP3 engine asks of the world (docs/ARCHITECTURE.md, "effects go through an
 * injected port"). The engine never touches a file, a socket or a clock; an
 * adapter hands it one of these.
 */

/** One message as the engine sees it when the maildrop is opened. */
export interface MessageInfo {
  /** Unique id for UIDL (RFC 1939 §7): 1–70 characters in 0x21–0x7E, stable across sessions. */
  readonly uid: string;
  /** Octets on the wire: CRLF line ends, before byte-stuffing (RFC 1939 §5, LIST). */
  readonly size: number;
  /** Accessed in an earlier session (Maildir "S" flag); feeds the historic LAST command. */
  readonly seen: boolean;
}

/**
 * The changes the UPDATE state applies (RFC 1939 §6), by position in
 * `Maildrop.messages` (zero-based): DELE n removes exactly message n, whatever
 * the store's ids look like.
 */
export interface MaildropChanges {
  readonly deleted: readonly number[];
  /** Messages retrieved in this session, to be flagged as seen. */
  readonly seen: readonly number[];
}

export interface UpdateResult {
  readonly deleted: number;
  /** Messages that could not be removed, by position (RFC 1939 §6: report -ERR then). */
  readonly failed: readonly number[];
  /** Messages in the maildrop once the update is done, mail delivered meanwhile included (QUIT's "n messages left"). */
  readonly remaining: number;
}

/** A locked maildrop, opened when a session enters TRANSACTION. */
export interface Maildrop {
  readonly messages: readonly MessageInfo[];
  /** The message bytes in wire format (CRLF line ends, last line terminated). */
  read(index: number): Promise<Uint8Array>;
  /** Applies deletions and seen flags; only ever called from the UPDATE state. */
  update(changes: MaildropChanges): Promise<UpdateResult>;
  /** Releases the lock. Called once, after update or when the session ends without one. */
  release(): Promise<void>;
}

export type OpenFailure = 'in-use' | 'login-delay' | 'temporary' | 'permanent';

export type OpenResult =
  | { ok: true; maildrop: Maildrop }
  | { ok: false; reason: OpenFailure; detail: string };

export interface Pop3Backend {
  /** The user's shared secret, or undefined for an unknown user. */
  secretOf(user: string): Promise<string | undefined>;
  /** Locks and opens the user's maildrop (RFC 1939 §4: "acquires an exclusive-access lock"). */
  openMaildrop(user: string): Promise<OpenResult>;
}
