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
  /**
   * Takes back a message `deliver` just stored (the id it returned), when the
   * rest of its transaction failed and the client is told nothing was stored.
   * Throws when the message is still there afterwards.
   */
  discard(user: string, id: string): Promise<void>;
}

/** Mailbox names become folder names: keep them to a safe alphabet. */
export function isValidMailboxName(user: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(user) && !user.includes('..');
}

/**
 * Turns a Maildir unique name into a UIDL id (RFC 1939 §7: 1–70 characters in
 * 0x21–0x7E). The unique name is the part before ":" (flags change, it does
 * not); Dovecot's ",S=" and ",W=" size fields are left out so the ids of mail
 * delivered here read like plain Maildir names. An unusual name is hashed to
 * keep it within the rules. Two files may still map to one id: see `uniqueIds`.
 */
export function uidFromUniqueName(name: string, hash: (text: string) => string): string {
  const unique = name.split(':')[0]!;
  const base = unique.replace(/,[SW]=\d+/g, '');
  if (base.length >= 1 && base.length <= 70 && /^[\x21-\x7e]+$/.test(base)) return base;
  return hash(unique);
}

/**
 * UIDL ids for the files of one maildrop, unique within it whatever the names
 * (RFC 1939 §7: "no two messages in a single maildrop" share one), and fixed
 * for a message as long as it exists. Most files keep `uidFromUniqueName`.
 * Among files that would share an id (a copy in new/ and one in cur/, ",S=5"
 * beside ",S=6"), the oldest (`mtimeMs`; a move keeps it) keeps it, so a
 * look-alike that appears later never takes an existing message's id; the
 * others get the hash of their unique name, then of their folder and whole
 * name, then a counter: each step depends only on the colliding files.
 */
export function uniqueIds(files: readonly { folder: string; name: string; mtimeMs?: number }[], hash: (text: string) => string): string[] {
  const steps: ((file: { folder: string; name: string }) => string)[] = [
    (file) => uidFromUniqueName(file.name, hash),
    (file) => hash(file.name.split(':')[0]!),
    (file) => hash(`${file.folder}/${file.name}`),
  ];
  const ids = files.map((file) => steps[0]!(file));
  const keepers = new Set<number>();
  const groups = new Map<string, number[]>();
  for (const index of collisions(ids)) groups.set(ids[index]!, [...(groups.get(ids[index]!) ?? []), index]);
  for (const group of groups.values()) keepers.add(group.reduce((oldest, index) => (older(files[index]!, files[oldest]!) ? index : oldest)));
  for (const step of steps.slice(1)) {
    const colliding = collisions(ids).filter((index) => !keepers.has(index));
    if (colliding.length === 0) return ids;
    for (const index of colliding) ids[index] = step(files[index]!);
  }
  // Still equal (the same folder and name cannot be, but a hash may equal another file's plain name): number them.
  const used = new Set<string>();
  return ids.map((id) => {
    let candidate = id;
    for (let n = 2; used.has(candidate); n++) candidate = hash(`${id}#${n}`);
    used.add(candidate);
    return candidate;
  });
}

/** The older of two files: by modification time when both have one, then by name and folder, whatever their order in the listing. */
function older(a: { folder: string; name: string; mtimeMs?: number }, b: { folder: string; name: string; mtimeMs?: number }): boolean {
  if (a.mtimeMs !== undefined && b.mtimeMs !== undefined && a.mtimeMs !== b.mtimeMs) return a.mtimeMs < b.mtimeMs;
  return a.name !== b.name ? a.name < b.name : a.folder < b.folder;
}

/** Indexes of ids that occur more than once. */
function collisions(ids: readonly string[]): number[] {
  const count = new Map<string, number>();
  for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
  return ids.flatMap((id, index) => (count.get(id)! > 1 ? [index] : []));
}
