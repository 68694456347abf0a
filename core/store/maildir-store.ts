/**
 * Maildir on disk, in the layout Dovecot reads with `maildir:<data>/mail/%u`:
 * `<root>/<user>/{tmp,new,cur}`. Delivery writes into tmp/, fsyncs, renames
 * into new/ and fsyncs the folder, so a message is durable before anyone is
 * told it arrived, and a half-written file never appears in new/.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { toWireFormat, wireSize } from '../framing/dot-stuffing.js';
import type { Maildrop, MaildropChanges, MessageInfo, OpenResult, UpdateResult } from '../pop3/backend.js';
import { isValidMailboxName, uniqueIds, type MailStore } from './mail-store.js';
import { acquireLock } from './maildrop-lock.js';

interface MaildirEntry {
  folder: 'new' | 'cur';
  name: string;
  info: MessageInfo;
}

let deliveries = 0;

/** Temporary files older than this are leftovers (the Maildir rule: 36 hours). */
export const STALE_TEMPORARY_MS = 36 * 60 * 60 * 1000;

export class MaildirStore implements MailStore {
  constructor(private readonly root: string) {}

  folderOf(user: string): string {
    if (!isValidMailboxName(user)) throw new Error(`invalid mailbox name "${user}"`);
    return join(this.root, user);
  }

  async ensureMaildir(user: string): Promise<string> {
    const folder = this.folderOf(user);
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(join(folder, sub), { recursive: true });
    return folder;
  }

  async deliver(user: string, message: Uint8Array): Promise<string> {
    const folder = await this.ensureMaildir(user);
    const bytes = toWireFormat(message);
    // Maildir unique name: seconds.M<micro>P<pid>Q<counter>.host, plus Dovecot's S= (file size) and W= (wire size).
    const now = Date.now();
    const unique = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++deliveries}.${safeHost()}`;
    const name = `${unique},S=${bytes.length},W=${bytes.length}`;
    const temporary = join(folder, 'tmp', name);
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, join(folder, 'new', name));
    } catch (error) {
      // A full disk or a broken folder: a partial file left in tmp/ would keep the disk full.
      await fs.rm(temporary, { force: true });
      throw error;
    }
    await syncFolder(join(folder, 'new'));
    return unique;
  }

  async discard(user: string, id: string): Promise<void> {
    const folder = this.folderOf(user);
    for (const sub of ['new', 'cur']) {
      // A reader may have flagged it meanwhile (moved to cur/, ":2,S" added): the unique part before "," stays.
      for (const name of await fs.readdir(join(folder, sub))) {
        if (name.split(':')[0]!.split(',')[0] === id) await fs.unlink(join(folder, sub, name));
      }
      await syncFolder(join(folder, sub));
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
    const maildrop: Maildrop = {
      messages: entries.map((entry) => entry.info),
      read: async (index) => toWireFormat(await fs.readFile(await locate(folder, entries, index))),
      update: (changes) => applyChanges(folder, entries, changes),
      release: async () => {
        if (released) return;
        released = true;
        await lock.release();
      },
    };
    return { ok: true, maildrop };
  }
}

async function scan(folder: string): Promise<MaildirEntry[]> {
  const files: { folder: 'new' | 'cur'; name: string; size: number; seen: boolean }[] = [];
  for (const sub of ['new', 'cur'] as const) {
    for (const name of await fs.readdir(join(folder, sub))) {
      if (name.startsWith('.')) continue;
      const path = join(folder, sub, name);
      const size = await sizeOf(path, name);
      if (size === undefined) continue; // vanished or not a file
      files.push({ folder: sub, name, size, seen: flagsOf(name).includes('S') });
    }
  }
  // Delivery order: the leading seconds, then the rest of the name, then the folder (new/ before cur/).
  files.sort((a, b) => deliveryTime(a.name) - deliveryTime(b.name) || a.name.localeCompare(b.name, 'en', { numeric: true }) || a.folder.localeCompare(b.folder));
  const uids = uniqueIds(files, md5);
  return files.map((file, index) => ({ folder: file.folder, name: file.name, info: { uid: uids[index]!, size: file.size, seen: file.seen } }));
}

/** The Maildir info flags after ":2,", or "" (cr.yp.to/proto/maildir.html). */
function flagsOf(name: string): string {
  return name.includes(':2,') ? name.slice(name.indexOf(':2,') + 3) : '';
}

/** Dovecot's ",W=" is the CRLF size POP3 needs; without it, read the file and count. */
async function sizeOf(path: string, name: string): Promise<number | undefined> {
  const wire = /,W=(\d+)/.exec(name.split(':')[0]!);
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) return undefined;
    if (wire) return Number(wire[1]);
    return wireSize(await fs.readFile(path));
  } catch {
    return undefined;
  }
}

/**
 * Finds a message that other software may have moved from new/ to cur/ or
 * re-flagged since the snapshot: same unique name (before ":"), and not a file
 * that is another message of the snapshot (a copy of the same name).
 */
async function locate(folder: string, entries: readonly MaildirEntry[], index: number): Promise<string> {
  const entry = entries[index]!;
  const direct = join(folder, entry.folder, entry.name);
  try {
    await fs.access(direct);
    return direct;
  } catch {
    const base = entry.name.split(':')[0]!;
    const others = new Set(entries.filter((_, i) => i !== index).map((other) => `${other.folder}/${other.name}`));
    for (const sub of ['cur', 'new']) {
      const match = (await fs.readdir(join(folder, sub))).find((name) => name.split(':')[0] === base && !others.has(`${sub}/${name}`));
      if (match) return join(folder, sub, match);
    }
    throw new Error(`message ${base} is no longer in the Maildir`);
  }
}

async function applyChanges(folder: string, entries: readonly MaildirEntry[], changes: MaildropChanges): Promise<UpdateResult> {
  const failed: number[] = [];
  let deleted = 0;
  for (const index of changes.deleted) {
    try {
      await fs.unlink(await locate(folder, entries, index));
      deleted++;
    } catch {
      failed.push(index);
    }
  }
  for (const index of changes.seen) {
    try {
      await flagSeen(folder, entries, index);
    } catch {
      // Flagging seen is a courtesy to other readers; a failure loses nothing.
    }
  }
  await syncFolder(join(folder, 'cur'));
  await syncFolder(join(folder, 'new'));
  return { deleted, failed, remaining: await countMessages(folder) };
}

/**
 * Moves a message to cur/ with the S flag. link(2) then unlink, not rename:
 * rename would silently replace another file of that name (a copy of the same
 * message), and that is a message lost.
 */
async function flagSeen(folder: string, entries: readonly MaildirEntry[], index: number): Promise<void> {
  const from = await locate(folder, entries, index);
  const name = from.slice(from.lastIndexOf('/') + 1);
  const flags = [...new Set((flagsOf(name) + 'S').split(''))].sort().join('');
  const to = join(folder, 'cur', `${name.split(':')[0]!}:2,${flags}`);
  if (to === from) return;
  await fs.link(from, to); // EEXIST: another file has that name; leave this one where it is
  await fs.unlink(from);
}

/** Messages in new/ and cur/ now, as a scan would count them. */
async function countMessages(folder: string): Promise<number> {
  let count = 0;
  for (const sub of ['new', 'cur']) {
    for (const name of await fs.readdir(join(folder, sub))) {
      if (name.startsWith('.')) continue;
      const stat = await fs.stat(join(folder, sub, name)).catch(() => undefined);
      if (stat?.isFile()) count++;
    }
  }
  return count;
}

async function syncFolder(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function deliveryTime(name: string): number {
  const seconds = /^(\d+)\./.exec(name);
  return seconds ? Number(seconds[1]) : 0;
}

function safeHost(): string {
  // Maildir: "/" and ":" in the host name are written as \057 and \072.
  return hostname().replace(/\//g, '\\057').replace(/:/g, '\\072').replace(/,/g, '\\054');
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
