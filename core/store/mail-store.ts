/**
 * The store behind the servers: Maildir on disk for real use, in memory for the
 * sandbox, lessons and unit tests. Both give the POP3 engine a locked
 * `Maildrop` and take deliveries from SMTP.
 */
import type { OpenResult } from '../pop3/backend.js';

export interface MailStore {
  /** Locks and snapshots a user's maildrop (RFC 1939 §4). */
  openMaildrop(user: string): Promise<OpenResult>;
  /**
   * Stores a message durably for a user; returns its unique id. `prefix`, header
   * lines each ending in CRLF (a Return-Path), is stored in front of the message:
   * passed apart so that a large message is not copied just to prepend a line.
   */
  deliver(user: string, message: Uint8Array, prefix?: Uint8Array): Promise<string>;
}

/** Mailbox names become folder names: keep them to a safe alphabet. */
export function isValidMailboxName(user: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(user) && !user.includes('..');
}

/**
 * Turns a Maildir unique name into a UIDL id (RFC 1939 §7: 1–70 characters in
 * 0x21–0x7E). The part before any ",S=…" or ":2,…" never changes, so the id is
 * stable across sessions; an unusual name is hashed to keep it within the rules.
 */
export function uidFromUniqueName(name: string, hash: (text: string) => string): string {
  const base = name.split(':')[0]!.split(',')[0]!;
  if (base.length >= 1 && base.length <= 70 && /^[\x21-\x7e]+$/.test(base)) return base;
  return hash(name.split(':')[0]!);
}
