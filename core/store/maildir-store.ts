/**
 * Maildir on disk, in the layout Dovecot reads with `maildir:<data>/mail/%u`:
 * `<root>/<user>/{tmp,new,cur}`. Delivery writes into tmp/, fsyncs, renames
 * into new/ and fsyncs the folder, so a message is durable before anyone is
 * told it arrived, and a half-written file never appears in new/.
 */
import { createHash } from 'node:crypto';
import { promises as fs, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { asWireFormat, wireSize } from '../framing/dot-stuffing.js';
import type { Maildrop, MaildropChanges, OpenResult, UpdateResult } from '../pop3/backend.js';
import { isValidMailboxName, uniqueIds, type MailStore } from './mail-store.js';
import { groupCommit, syncAfterCommit, syncFolder, WRITE_SYNC_LIMIT, writeSynced } from './durable-write.js';
import { acquireLock } from './maildrop-lock.js';
import { locate, readerOf, type MaildirEntry } from './maildir-read.js';

/** File-system operations of one UPDATE kept in flight at once. */
const UPDATE_CONCURRENCY = 16;

let deliveries = 0;

/** Temporary files older than this are leftovers (the Maildir rule: 36 hours). */
export const STALE_TEMPORARY_MS = 36 * 60 * 60 * 1000;

/** Seams of the Maildir store: the directory sync (tests make it fail) and where a sync failure after delivery is reported. */
export interface MaildirStoreOptions {
  /** fsync of a folder; the real one when absent. */
  syncFolder?: (path: string) => Promise<void>;
  /** A message was delivered (renamed into new/) but new/ could not be synced: one line for the operator. */
  onSyncFailure?: (text: string) => void;
}

export class MaildirStore implements MailStore {
  /** Maildirs this store has created or found, so a delivery need not mkdir three folders each time. */
  private readonly ensured = new Set<string>();
  /** One group commit per new/ folder. */
  private readonly newFolderSyncs = new Map<string, () => Promise<void>>();

  private readonly syncFolder: (path: string) => Promise<void>;

  constructor(
    private readonly root: string,
    private readonly options: MaildirStoreOptions = {},
  ) {
    this.syncFolder = options.syncFolder ?? syncFolder;
  }

  folderOf(user: string): string {
    if (!isValidMailboxName(user)) throw new Error(`invalid mailbox name "${user}"`);
    return join(this.root, user);
  }

  async ensureMaildir(user: string): Promise<string> {
    const folder = this.folderOf(user);
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(join(folder, sub), { recursive: true });
    return folder;
  }

  async deliver(user: string, message: Uint8Array, prefix?: Uint8Array): Promise<string> {
    const folder = this.folderOf(user);
    if (!this.ensured.has(folder)) {
      await this.ensureMaildir(user);
      this.ensured.add(folder);
    }
    const parts = wireParts(message, prefix);
    const size = parts.reduce((total, part) => total + part.length, 0);
    // Maildir unique name: seconds.M<micro>P<pid>Q<counter>.host, plus Dovecot's S= (file size) and W= (wire size).
    const now = Date.now();
    const unique = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++deliveries}.${safeHost()}`;
    const name = `${unique},S=${size},W=${size}`;
    const temporary = join(folder, 'tmp', name);
    try {
      try {
        await writeSynced(temporary, parts, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // The Maildir was removed since we last saw it: create it again.
        this.ensured.delete(folder);
        await this.ensureMaildir(user);
        await writeSynced(temporary, parts, size);
      }
      if (size <= WRITE_SYNC_LIMIT) renameSync(temporary, join(folder, 'new', name));
      else await fs.rename(temporary, join(folder, 'new', name));
    } catch (error) {
      // A full disk or a broken folder: a partial file left in tmp/ would keep the disk full.
      await fs.rm(temporary, { force: true });
      throw error;
    }
    // The rename delivered it: from here on no failure may say "not stored" (core/store/durable-write.ts).
    await syncAfterCommit(
      () => this.syncNewFolder(join(folder, 'new')),
      (error) => this.options.onSyncFailure?.(`delivered ${user}/new/${name} but could not sync the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the message is there, its durability across a power cut is not proven`),
    );
    return unique;
  }

  async discard(user: string, id: string): Promise<void> {
    const folder = this.folderOf(user);
    for (const sub of ['new', 'cur']) {
      // A reader may have flagged it meanwhile (moved to cur/, ":2,S" added): the unique part before "," stays.
      let removed = false;
      for (const name of await fs.readdir(join(folder, sub))) {
        if (name.split(':')[0]!.split(',')[0] !== id) continue;
        await fs.unlink(join(folder, sub, name));
        removed = true;
      }
      // Unlinked is taken back: a failing sync now must not report the copy as still there (the client would be
      // told it was delivered). Should the removal not survive a power cut, the copy comes back: the safe side.
      if (removed) await syncAfterCommit(() => this.syncFolder(join(folder, sub)), (error) => this.options.onSyncFailure?.(`took back ${user}/${sub}/${id} but could not sync the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`));
    }
  }

  /**
   * Removes files in every user's tmp/ not written for `olderThanMs` (the
   * Maildir rule: 36 hours, cr.yp.to/proto/maildir.html): deliveries cut short
   * by a crash or a kill. A delivery in progress writes its file within
   * seconds, so it is never that old. Returns the paths removed.
   */
  async sweepTemporary(olderThanMs = STALE_TEMPORARY_MS, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    let users: string[];
    try {
      users = await fs.readdir(this.root);
    } catch {
      return removed; // no mail folder yet
    }
    for (const user of users.filter(isValidMailboxName)) {
      const tmp = join(this.root, user, 'tmp');
      const names = await fs.readdir(tmp).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(tmp, name);
        const stat = await fs.lstat(path).catch(() => undefined);
        if (!stat?.isFile() || now - stat.mtimeMs < olderThanMs) continue;
        await fs.rm(path, { force: true });
        removed.push(path);
      }
    }
    return removed;
  }

  /**
   * Makes the renames into `newFolder` durable. Group commit: deliveries that
   * finish their rename while a directory sync runs share the next one, so many
   * concurrent sessions cost a few directory syncs, not one each. Every caller
   * resolves only after a sync that started after its rename has completed.
   */
  private syncNewFolder(newFolder: string): Promise<void> {
    let sync = this.newFolderSyncs.get(newFolder);
    if (!sync) {
      sync = groupCommit(() => this.syncFolder(newFolder));
      this.newFolderSyncs.set(newFolder, sync);
    }
    return sync();
  }

  async openMaildrop(user: string): Promise<OpenResult> {
    let folder: string;
    try {
      folder = await this.ensureMaildir(user);
    } catch (error) {
      return { ok: false, reason: 'permanent', detail: `cannot open maildrop: ${(error as Error).message}` };
    }
    const lock = await acquireLock(folder);
    if (!lock) return { ok: false, reason: 'in-use', detail: 'maildrop already locked by another session' };
    let entries: MaildirEntry[];
    try {
      entries = await scan(folder);
    } catch (error) {
      await lock.release();
      return { ok: false, reason: 'temporary', detail: `cannot read maildrop: ${(error as Error).message}` };
    }
    let released = false;
    const reader = readerOf(folder, entries, (index) => locate(folder, entries, index));
    const maildrop: Maildrop = {
      messages: entries.map((entry) => entry.info),
      read: (index) => reader.read(index),
      update: (changes) => applyChanges(folder, entries, changes),
      release: async () => {
        if (released) return;
        released = true;
        reader.stop();
        await lock.release();
      },
    };
    return { ok: true, maildrop };
  }
}

/** The same order as `localeCompare(b, 'en', { numeric: true })`, without building a collator per call. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

async function scan(folder: string): Promise<MaildirEntry[]> {
  const files: { folder: 'new' | 'cur'; name: string; size: number; seen: boolean; fileSize: number | undefined; mtimeMs?: number; identity?: { dev: number; ino: number } }[] = [];
  for (const sub of ['new', 'cur'] as const) {
    for (const dirent of await fs.readdir(join(folder, sub), { withFileTypes: true })) {
      const name = dirent.name;
      if (name.startsWith('.')) continue;
      const sizes = sizesInName(name);
      // A regular file named with its wire size needs no stat for its size (the directory entry's type says "file").
      const size = sizes.wire !== undefined && dirent.isFile() ? sizes.wire : await sizeOf(join(folder, sub, name), sizes.wire);
      if (size === undefined) continue; // vanished or not a file
      files.push({ folder: sub, name, size, seen: flagsOf(name).includes('S'), fileSize: sizes.file });
    }
  }
  await finishInterruptedMoves(folder, files);
  // Which file each message is (its inode) and its age: DELE removes the file listed and no look-alike that
  // appears later, and a look-alike never takes an existing message's UIDL (see uniqueIds).
  // Synchronous: a stat of a cached directory entry takes a microsecond or two, far less than a trip to the
  // thread pool and back (10,000 messages: tens of ms this way, several hundred awaited one by one or in batches).
  const stats = files.map((file) => statSync(join(folder, file.folder, file.name), { throwIfNoEntry: false }));
  const listed = files.flatMap((file, index) => {
    const stat = stats[index];
    return stat ? [{ ...file, mtimeMs: stat.mtimeMs, identity: { dev: stat.dev, ino: stat.ino } }] : [];
  });
  files.length = 0;
  files.push(...listed);
  // Delivery order: the leading seconds, then the rest of the name, then the folder (new/ before cur/).
  files.sort((a, b) => deliveryTime(a.name) - deliveryTime(b.name) || byName(a.name, b.name) || a.folder.localeCompare(b.folder));
  // Unique within the maildrop whatever the names (RFC 1939 §7): copies and look-alikes are told apart.
  const uids = uniqueIds(files, md5);
  return files.map((file, index) => ({ folder: file.folder, name: file.name, info: { uid: uids[index]!, size: file.size, seen: file.seen }, fileSize: file.fileSize, identity: file.identity }));
}

/**
 * flagSeen moves a message with link(2) then unlink: a crash between the two
 * leaves the same file in new/ and in cur/. Shown as two messages, it would be
 * retrieved twice, and a DELE would remove one name and leave the other. So a
 * name in new/ whose unique part is also in cur/ is checked: if both are the
 * same file (same device and inode) the move is finished here, under the
 * maildrop lock. Look-alike names that are different files are left alone.
 * Only names in both folders are stat'ed, so a normal open costs nothing more.
 */
async function finishInterruptedMoves(folder: string, files: { folder: 'new' | 'cur'; name: string }[]): Promise<void> {
  const baseOf = (name: string) => name.split(':')[0]!;
  const inCur = new Map<string, string[]>();
  for (const file of files) if (file.folder === 'cur') inCur.set(baseOf(file.name), [...(inCur.get(baseOf(file.name)) ?? []), file.name]);
  for (let index = files.length - 1; index >= 0; index--) {
    const file = files[index]!;
    const twins = file.folder === 'new' ? inCur.get(baseOf(file.name)) : undefined;
    if (!twins) continue;
    const path = join(folder, 'new', file.name);
    const stat = await fs.stat(path).catch(() => undefined);
    if (!stat) continue;
    for (const twin of twins) {
      const other = await fs.stat(join(folder, 'cur', twin)).catch(() => undefined);
      if (other?.ino !== stat.ino || other.dev !== stat.dev) continue;
      await fs.unlink(path);
      await syncFolder(join(folder, 'new'));
      files.splice(index, 1);
      break;
    }
  }
}

/** The Maildir info flags after ":2,", or "" (cr.yp.to/proto/maildir.html). */
function flagsOf(name: string): string {
  return name.includes(':2,') ? name.slice(name.indexOf(':2,') + 3) : '';
}

/** Dovecot's ",S=" (the file's size) and ",W=" (the CRLF size POP3 needs) from a unique name. */
function sizesInName(name: string): { file: number | undefined; wire: number | undefined } {
  const base = name.split(':')[0]!;
  const file = /,S=(\d+)/.exec(base);
  const wire = /,W=(\d+)/.exec(base);
  return { file: file ? Number(file[1]) : undefined, wire: wire ? Number(wire[1]) : undefined };
}

/** With ",W=" in the name, a stat shows it is a file; without, read the file and count. */
async function sizeOf(path: string, wire: number | undefined): Promise<number | undefined> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) return undefined;
    if (wire !== undefined) return wire;
    return wireSize(await fs.readFile(path));
  } catch {
    return undefined;
  }
}

async function applyChanges(folder: string, entries: readonly MaildirEntry[], changes: MaildropChanges): Promise<UpdateResult> {
  // Several at a time: a QUIT after retrieving 10,000 messages is 10,000 renames.
  const removed = await inParallel(changes.deleted, async (index) => {
    try {
      // The file listed, where the listing saw it or where other software has moved it since; never a newcomer.
      await fs.unlink(await locate(folder, entries, index));
      return true;
    } catch {
      return false;
    }
  });
  const failed = changes.deleted.filter((_, position) => !removed[position]);
  const moved = await inParallel(changes.seen, async (index) => {
    try {
      return await flagSeen(folder, entries, index);
    } catch {
      return false; // Flagging seen is a courtesy to other readers; a failure loses nothing.
    }
  });
  // Deletions and moves are made durable; a session that changed nothing (messages retrieved
  // again, already flagged seen) costs no directory sync: two of them were most of such a QUIT.
  if (removed.some(Boolean) || moved.some(Boolean)) await Promise.all([syncFolder(join(folder, 'cur')), syncFolder(join(folder, 'new'))]);
  return { deleted: removed.filter(Boolean).length, failed, remaining: await countMessages(folder) };
}

/**
 * Moves a message to cur/ with the S flag; true if it moved. link(2) then unlink, not rename:
 * rename would silently replace another file of that name (a copy of the same
 * message), and that is a message lost.
 */
async function flagSeen(folder: string, entries: readonly MaildirEntry[], index: number): Promise<boolean> {
  const entry = entries[index]!;
  // Already in cur/ with the S flag: nothing to do, not even a look.
  if (entry.folder === 'cur' && flagsOf(entry.name).includes('S')) return false;
  const from = await locate(folder, entries, index);
  const name = from.slice(from.lastIndexOf('/') + 1);
  const flags = [...new Set((flagsOf(name) + 'S').split(''))].sort().join('');
  const to = join(folder, 'cur', `${name.split(':')[0]!}:2,${flags}`);
  if (to === from) return false;
  await fs.link(from, to); // EEXIST: another file has that name; leave this one where it is
  await fs.unlink(from);
  return true;
}

/**
 * Messages in new/ and cur/ now, as a scan would count them. The directory
 * entries' types say which are files; only another kind of entry (a link, or
 * one of unknown type on a file system that does not report types) is
 * stat'ed, as `scan` does. A stat per message, awaited one after another, made
 * a QUIT on 2,000 messages take 60 ms.
 */
async function countMessages(folder: string): Promise<number> {
  let count = 0;
  for (const sub of ['new', 'cur']) {
    for (const dirent of await fs.readdir(join(folder, sub), { withFileTypes: true })) {
      if (dirent.name.startsWith('.') || dirent.isDirectory()) continue;
      if (dirent.isFile() || (await fs.stat(join(folder, sub, dirent.name)).catch(() => undefined))?.isFile()) count++;
    }
  }
  return count;
}

/** `work` on each item, at most UPDATE_CONCURRENCY at once; the results in the items' order. */
async function inParallel<Item, Result>(items: readonly Item[], work: (item: Item) => Promise<Result>): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPDATE_CONCURRENCY, items.length) }, worker));
  return results;
}

/**
 * The file's content in wire format: the prefix (trace headers) and the
 * message as two pieces, written together by one writev, so the message is
 * never copied to join them. Converted apart only when the prefix ends a line,
 * so the pieces give exactly the conversion of the whole; a prefix that does
 * not (never one of ours) is joined first.
 */
function wireParts(message: Uint8Array, prefix: Uint8Array | undefined): Buffer[] {
  if (!prefix || prefix.length === 0) return [asWireFormat(message)];
  if (prefix[prefix.length - 1] !== 0x0a) return [asWireFormat(Buffer.concat([prefix, message]))];
  return [asWireFormat(prefix), asWireFormat(message)];
}

function deliveryTime(name: string): number {
  const seconds = /^(\d+)\./.exec(name);
  return seconds ? Number(seconds[1]) : 0;
}

let cachedHost: string | undefined;

function safeHost(): string {
  // Maildir: "/" and ":" in the host name are written as \057 and \072. Looked up once (a system call each time otherwise).
  return (cachedHost ??= hostname().replace(/\//g, '\\057').replace(/:/g, '\\072').replace(/,/g, '\\054'));
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
