/**
 * An exclusive lock per maildrop, held while a POP3 session is in TRANSACTION
 * (RFC 1939 §4). The lock is a file naming its owner's pid and host, created
 * atomically with link(2); a lock whose owner process is gone is stale and is
 * taken over, so a killed server never blocks a user forever.
 *
 * A pid alone is not an owner: after a reboot, or once pids wrap, the pid in
 * an old lock may belong to some unrelated live process, and the mailbox would
 * stay locked forever. On Linux the lock also records the boot id
 * (/proc/sys/kernel/random/boot_id) and the owner's start time (field 22 of
 * /proc/<pid>/stat, proc(5)); a lock from another boot, or whose pid now runs
 * a process started at another time, is stale.
 *
 * What the pid cannot tell is judged by age. The holder touches its lock
 * every minute (`LOCK_REFRESH_MS`), so a lock nobody has touched for ten
 * minutes (`STALE_LOCK_MS`) has no live holder that still cares: that rule
 * decides for a lock written on another host (its pid means nothing here),
 * for an old-format `pid@host` lock whose pid is alive (an older maillab
 * never recorded the start time, so a reused pid would keep it for ever).
 * A lock of this host in the current format is
 * judged by its owner alone, as above.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'maillab-pop3.lock';

/** How often a held lock is touched, so other processes and hosts can tell it is alive. */
export const LOCK_REFRESH_MS = 60 * 1000;
/** A lock not touched for this long, whose owner cannot be checked, is stale. */
export const STALE_LOCK_MS = 10 * 60 * 1000;

export interface LockOptions {
  /** The clock, for the age rule; Date.now when absent. */
  now?: () => number;
  staleAfterMs?: number;
}

/** Maildrops this process holds, so a second session in-process is refused at once. */
const heldHere = new Set<string>();

export interface MaildropLock {
  release(): Promise<void>;
}

/** Takes the lock in `folder`, or returns undefined when another live session holds it. */
export async function acquireLock(folder: string, options: LockOptions = {}): Promise<MaildropLock | undefined> {
  const path = join(folder, LOCK_FILE);
  if (heldHere.has(path)) return undefined;
  heldHere.add(path);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tryCreate(folder, path)) return lockAt(path);
      if (!(await isStale(path, options))) {
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
  // Touched now and then: the age rule (see the file comment) must never take a lock that is in use.
  const refresh = setInterval(() => {
    const now = new Date();
    fs.utimes(path, now, now).catch(() => undefined);
  }, LOCK_REFRESH_MS);
  refresh.unref();
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      heldHere.delete(path);
      await fs.rm(path, { force: true });
    },
  };
}

async function tryCreate(folder: string, path: string): Promise<boolean> {
  // Write the owner first, then link: the lock never exists without its owner line.
  const temporary = join(folder, `.${LOCK_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(temporary, ownerLine(process.pid, await processStartTime(process.pid), await bootId()));
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

/** "pid@host", then " start=<ticks> boot=<uuid>" when the system tells them. */
export function ownerLine(pid: number, startTime: string | undefined, boot: string | undefined): string {
  const identity = startTime !== undefined && boot !== undefined ? ` start=${startTime} boot=${boot}` : '';
  return `${pid}@${hostname()}${identity}\n`;
}

/**
 * A lock is stale when its owner was this host and that process no longer
 * runs: the pid is gone, or the system booted since, or the pid now belongs to
 * a process that started at another time.
 */
async function isStale(path: string, options: LockOptions): Promise<boolean> {
  let owner: string;
  let touched: number;
  try {
    owner = (await fs.readFile(path, 'utf8')).trim();
    touched = (await fs.stat(path)).mtimeMs;
  } catch {
    return true; // vanished meanwhile: try again
  }
  const old = (options.now ?? Date.now)() - touched > (options.staleAfterMs ?? STALE_LOCK_MS);
  const match = /^(\d+)@(\S+)(?: start=(\d+) boot=(\S+))?$/.exec(owner);
  if (!match) return true; // not a line any maillab wrote: no owner to respect
  const pid = Number(match[1]);
  if (match[2] !== hostname()) return old; // another host's pid means nothing here: only the age tells
  if (pid === process.pid) return true; // ours, but not held in this process: left by a crash before a pid reuse
  if (!processAlive(pid)) return true;
  const [recordedStart, recordedBoot] = [match[3], match[4]];
  if (recordedStart === undefined || recordedBoot === undefined) return old; // old format, live pid: maybe reused
  const boot = await bootId();
  if (boot !== undefined && boot !== recordedBoot) return true; // written before a reboot
  const start = await processStartTime(pid);
  return start !== undefined && start !== recordedStart; // the pid was reused
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started, in clock ticks after boot (proc(5), /proc/<pid>/stat field 22); undefined without /proc. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 is the command name in parentheses and may itself hold spaces and ")": count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[22 - 3];
    return start !== undefined && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** This boot's random id (Linux); undefined elsewhere. */
async function bootId(): Promise<string | undefined> {
  try {
    const id = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    return /^[0-9a-f-]+$/i.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
