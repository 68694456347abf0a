/**
 * An exclusive lock per maildrop, held while a POP3 session is in TRANSACTION
 * (RFC 1939 §4). The lock is a file naming its owner's pid and host, created
 * atomically with link(2); a lock whose owner process is gone is stale and is
 * taken over, so a killed server never blocks a user forever.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'maillab-pop3.lock';

/** Maildrops this process holds, so a second session in-process is refused at once. */
const heldHere = new Set<string>();

export interface MaildropLock {
  release(): Promise<void>;
}

/** Takes the lock in `folder`, or returns undefined when another live session holds it. */
export async function acquireLock(folder: string): Promise<MaildropLock | undefined> {
  const path = join(folder, LOCK_FILE);
  if (heldHere.has(path)) return undefined;
  heldHere.add(path);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tryCreate(folder, path)) return lockAt(path);
      if (!(await isStale(path))) {
        heldHere.delete(path);
        return undefined;
      }
      await fs.rm(path, { force: true });
    }
  } catch (error) {
    heldHere.delete(path);
    throw error;
  }
  heldHere.delete(path);
  return undefined;
}

function lockAt(path: string): MaildropLock {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      await fs.rm(path, { force: true });
    },
  };
}

async function tryCreate(folder: string, path: string): Promise<boolean> {
  // Write the owner first, then link: the lock never exists without its owner line.
  const temporary = join(folder, `.${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(temporary, `${process.pid}@${hostname()}\n`);
  try {
    await fs.link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

/** A lock is stale when its owner was this host and that process no longer runs. */
async function isStale(path: string): Promise<boolean> {
  let owner: string;
  try {
    owner = (await fs.readFile(path, 'utf8')).trim();
  } catch {
    return true; // vanished meanwhile: try again
  }
  const match = /^(\d+)@(.+)$/.exec(owner);
  if (!match) return true;
  const pid = Number(match[1]);
  if (match[2] !== hostname()) return false; // another host's lock: we cannot tell, so respect it
  if (pid === process.pid) return true; // ours, but not held in this process: left by a crash before a pid reuse
  return !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
