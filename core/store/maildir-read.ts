/**
 * Reading messages from a Maildir for POP3 (RETR, TOP): one open and one read
 * per message, small ones synchronously, large ones read ahead. A message that
 * other software moved since the listing is found through `locate`, which
 * also tells DELE which file is the one listed.
 */
import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { join } from 'node:path';
import { asWireFormat } from '../framing/dot-stuffing.js';
import type { MessageInfo } from '../pop3/backend.js';

/** A message of a maildrop's listing: where the file is, what POP3 says of it, and the size its name gives. */
export interface MaildirEntry {
  folder: 'new' | 'cur';
  name: string;
  info: MessageInfo;
  /** The file's size from Dovecot's ",S=" in the name, when there is one: read in one call. */
  fileSize: number | undefined;
  /** The file listed (device and inode): DELE removes this file and no other that has taken its name since. */
  identity?: { dev: number; ino: number };
}

/**
 * A message file up to this size is read synchronously: from the page cache that
 * takes microseconds, less than one hop to libuv's thread pool and back, and a
 * RETR would otherwise wait for two (open, read). Larger ones are read ahead,
 * asynchronously, while the previous message is on its way to the client.
 */
const READ_SYNC_LIMIT = 128 * 1024;

/**
 * What the sessions of this process may hold read ahead, all together: one
 * message per session at most, and no more read ahead once this much is held
 * (those sessions read when asked, as before). 1,000 sessions cannot make it
 * 128 MB.
 */
const PREFETCH_BUDGET = 16 * 1024 * 1024;
let prefetchedBytes = 0;

/** Octets the sessions of this process hold read ahead now (for tests and diagnostics). */
export function readAheadBytes(): number {
  return prefetchedBytes;
}

/** `Maildrop.read`, and `stop` for when the maildrop is let go. */
export interface MessageReader {
  read(index: number): Promise<Uint8Array>;
  /** Drops what was read ahead and cancels a read not yet begun. */
  stop(): void;
}

/**
 * `Maildrop.read`: one open and one read per message when the name gives the
 * file's size (not access, open, fstat, read, close in turn); small files
 * synchronously, large ones asynchronously with the next large one read ahead,
 * so a client retrieving messages in order rarely waits for the disk. After a
 * small message, the next one (if small) is read once the event loop is free
 * (`setImmediate`: after this reply went out, while the client reads it), so a
 * client that asks for messages in order has its next one ready: on loopback
 * that read was half of a RETR's time on the server. Maildir files never
 * change once delivered: a message read ahead is the one asked for.
 */
export function readerOf(folder: string, entries: readonly MaildirEntry[], locate: (index: number) => Promise<string>): MessageReader {
  let ahead: { index: number; bytes: Promise<Buffer> } | undefined;
  let prefetched: { index: number; bytes: Buffer } | undefined;
  let prefetch: NodeJS.Immediate | undefined;
  let stopped = false;

  /** Takes the message read ahead out of the budget (it is handed over or dropped). */
  const takePrefetched = (): { index: number; bytes: Buffer } | undefined => {
    const taken = prefetched;
    if (taken) prefetchedBytes -= taken.bytes.length;
    prefetched = undefined;
    return taken;
  };

  const prefetchAfter = (index: number) => {
    clearImmediate(prefetch);
    const next = entries[index + 1];
    if (stopped || !next || !isSmall(next)) return;
    prefetch = setImmediate(() => {
      prefetch = undefined;
      if (prefetchedBytes + next.fileSize! > PREFETCH_BUDGET) return;
      try {
        const bytes = readSmallEntry(folder, next);
        // Not found or not the size its name says: the read when it is asked for finds out and reports.
        if (!bytes) return;
        prefetched = { index: index + 1, bytes: asWireFormat(bytes) };
        prefetchedBytes += prefetched.bytes.length;
      } catch {
        // Nobody asked for it yet: a failure here is found and reported by the read that does.
      }
    });
  };

  return {
    async read(index) {
      const entry = entries[index]!;
      const early = takePrefetched();
      if (early?.index === index) {
        prefetchAfter(index);
        return early.bytes;
      }
      if (isSmall(entry)) {
        const bytes = readSmallEntry(folder, entry);
        if (bytes) {
          prefetchAfter(index);
          return asWireFormat(bytes);
        }
      }
      const bytes = ahead?.index === index ? ahead.bytes : readEntry(folder, entries, index, locate);
      ahead = undefined;
      const next = entries[index + 1];
      if (next && !isSmall(next)) {
        ahead = { index: index + 1, bytes: readEntry(folder, entries, index + 1, locate) };
        ahead.bytes.catch(() => undefined); // a failure is reported if and when that message is asked for
      }
      return asWireFormat(await bytes);
    },
    stop() {
      stopped = true;
      clearImmediate(prefetch);
      prefetch = undefined;
      takePrefetched();
      ahead = undefined;
    },
  };
}

function isSmall(entry: MaildirEntry): boolean {
  return entry.fileSize !== undefined && entry.fileSize <= READ_SYNC_LIMIT;
}

/** A small file whose size the name gives, in one open and one read; undefined if it is not where the listing saw it or not that size. */
function readSmallEntry(folder: string, entry: MaildirEntry): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(join(folder, entry.folder, entry.name), 'r');
  } catch {
    return undefined; // moved or gone: the asynchronous path looks for it and reports
  }
  try {
    // Another file that took the name since the listing is not this message: the asynchronous path finds the right one.
    if (!sameFile(fstatSync(fd), entry)) return undefined;
    // One octet more than the name says, to see a file that is longer. A read of a
    // regular file returns less than asked only at its end, so a short read needs
    // no second one to find the end (a syscall saved per RETR).
    const buffer = Buffer.allocUnsafe(entry.fileSize! + 1);
    let filled = 0;
    for (let got = -1; got !== 0 && filled < buffer.length; filled += got) {
      const wanted = buffer.length - filled;
      got = readSync(fd, buffer, filled, wanted, filled);
      if (got > 0 && got < wanted) {
        filled += got;
        break;
      }
    }
    return filled <= entry.fileSize! ? buffer.subarray(0, filled) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

async function readEntry(folder: string, entries: readonly MaildirEntry[], index: number, locate: (index: number) => Promise<string>): Promise<Buffer> {
  const entry = entries[index]!;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(join(folder, entry.folder, entry.name), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return fs.readFile(await locate(index));
  }
  if (!sameFile(await handle.stat(), entry)) {
    await handle.close();
    return fs.readFile(await locate(index));
  }
  try {
    if (entry.fileSize === undefined) return await handle.readFile();
    // One byte more than the name says shows whether the name was right; if not, read it all.
    const buffer = Buffer.allocUnsafe(entry.fileSize + 1);
    let filled = 0;
    for (let got = -1; got !== 0 && filled < buffer.length; filled += got) {
      got = (await handle.read(buffer, filled, buffer.length - filled, filled)).bytesRead;
    }
    if (filled <= entry.fileSize) return buffer.subarray(0, filled);
    return await handle.readFile(); // positional reads left the file position at 0: this reads it all

  } finally {
    // Not awaited: the bytes are in hand, and the client need not wait for the close.
    handle.close().catch(() => undefined);
  }
}

/**
 * Finds a message that other software may have moved from new/ to cur/ or
 * re-flagged since the snapshot: same unique name (before ":"), and not a file
 * that is another message of the snapshot (a copy of the same name).
 */
export async function locate(folder: string, entries: readonly MaildirEntry[], index: number): Promise<string> {
  const entry = entries[index]!;
  const direct = join(folder, entry.folder, entry.name);
  if (await isListedFile(direct, entry)) return direct;
  const base = entry.name.split(':')[0]!;
  const others = new Set(entries.filter((_, i) => i !== index).map((other) => `${other.folder}/${other.name}`));
  for (const sub of ['cur', 'new']) {
    for (const name of (await fs.readdir(join(folder, sub))).filter((name) => name.split(':')[0] === base && !others.has(`${sub}/${name}`))) {
      // Same unique name is not enough: it must be the file that was listed, moved, not one that took its name.
      if (await isListedFile(join(folder, sub, name), entry)) return join(folder, sub, name);
    }
  }
  throw new Error(`message ${base} is no longer in the Maildir`);
}

/** Is the file at `path` the one the listing saw? */
async function isListedFile(path: string, entry: MaildirEntry): Promise<boolean> {
  const stat = await fs.stat(path).catch(() => undefined);
  return stat !== undefined && stat.isFile() && sameFile(stat, entry);
}

/** Same device and inode as the listing recorded; without a recorded identity, any file will do. */
function sameFile(stat: { dev: number; ino: number }, entry: MaildirEntry): boolean {
  return entry.identity === undefined || (stat.ino === entry.identity.ino && stat.dev === entry.identity.dev);
}
