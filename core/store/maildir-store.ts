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
import { isValidMailboxName, uidFromUniqueName, type MailStore } from './mail-store.js';
import { acquireLock } from './maildrop-lock.js';

interface MaildirEntry {
  folder: 'new' | 'cur';
  name: string;
  info: MessageInfo;
}

let deliveries = 0;

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
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, join(folder, 'new', name));
    await syncFolder(join(folder, 'new'));
    return unique;
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
      read: async (index) => toWireFormat(await fs.readFile(await locate(folder, entries[index]!))),
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
  const entries: MaildirEntry[] = [];
  for (const sub of ['new', 'cur'] as const) {
    for (const name of await fs.readdir(join(folder, sub))) {
      if (name.startsWith('.')) continue;
      const path = join(folder, sub, name);
      const size = await sizeOf(path, name);
      if (size === undefined) continue; // vanished or not a file
      const flags = name.includes(':2,') ? name.slice(name.indexOf(':2,') + 3) : '';
      entries.push({ folder: sub, name, info: { uid: uidFromUniqueName(name, md5), size, seen: flags.includes('S') } });
    }
  }
  // Delivery order: the leading seconds, then the rest of the name.
  entries.sort((a, b) => deliveryTime(a.name) - deliveryTime(b.name) || a.name.localeCompare(b.name, 'en', { numeric: true }));
  return entries;
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

/** Finds a message that other software may have moved from new/ to cur/ or re-flagged. */
async function locate(folder: string, entry: MaildirEntry): Promise<string> {
  const direct = join(folder, entry.folder, entry.name);
  try {
    await fs.access(direct);
    return direct;
  } catch {
    const base = entry.name.split(':')[0]!;
    for (const sub of ['cur', 'new']) {
      const match = (await fs.readdir(join(folder, sub))).find((name) => name.split(':')[0] === base);
      if (match) return join(folder, sub, match);
    }
    throw new Error(`message ${base} is no longer in the Maildir`);
  }
}

async function applyChanges(folder: string, entries: MaildirEntry[], changes: MaildropChanges): Promise<UpdateResult> {
  const byUid = new Map(entries.map((entry) => [entry.info.uid, entry]));
  const failed: string[] = [];
  let deleted = 0;
  for (const uid of changes.deleted) {
    try {
      await fs.unlink(await locate(folder, byUid.get(uid)!));
      deleted++;
    } catch {
      failed.push(uid);
    }
  }
  for (const uid of changes.seen) {
    const entry = byUid.get(uid)!;
    try {
      const from = await locate(folder, entry);
      const base = entry.name.split(':')[0]!;
      const flags = entry.name.includes(':2,') ? entry.name.slice(entry.name.indexOf(':2,') + 3) : '';
      const newFlags = [...new Set((flags + 'S').split(''))].sort().join('');
      await fs.rename(from, join(folder, 'cur', `${base}:2,${newFlags}`));
    } catch {
      // Flagging seen is a courtesy to other readers; a failure loses nothing.
    }
  }
  await syncFolder(join(folder, 'cur'));
  await syncFolder(join(folder, 'new'));
  return { deleted, failed };
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
