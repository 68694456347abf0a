/**
 * Writing files durably, for the Maildir store: a file is on disk once
 * `writeSynced` resolves, and `groupCommit` lets many concurrent deliveries
 * share one directory sync.
 */
import { closeSync, fsync, openSync, promises as fs, writevSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * A delivery up to this size creates, writes, closes and renames its file with
 * synchronous calls (page cache and metadata: tens of microseconds, less than a
 * round trip to the thread pool, though they may wait a few ms while the file
 * system commits its journal; bench/RESULTS.md has the figures); only the
 * fsyncs, which wait for the disk, go to the thread pool. Larger messages are
 * written asynchronously.
 */
export const WRITE_SYNC_LIMIT = 128 * 1024;

const fsyncAsync = promisify(fsync);

/** Creates `path` (it must not exist), writes `parts` (`size` octets in all) and fsyncs it: durable once this resolves. */
export async function writeSynced(path: string, parts: readonly Buffer[], size: number): Promise<void> {
  if (size > WRITE_SYNC_LIMIT) {
    const handle = await fs.open(path, 'wx', 0o600);
    try {
      for (const part of parts) await handle.writeFile(part);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return;
  }
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeAllSync(fd, parts, size);
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes every piece in order with writev (one call for a message and its trace headers), again after a short write. */
function writeAllSync(fd: number, parts: readonly Buffer[], size: number): void {
  let pending = parts.filter((part) => part.length > 0);
  for (let written = 0; written < size; ) {
    let got = writevSync(fd, pending);
    if (got === 0) throw new Error('a write to the new message file made no progress');
    written += got;
    // A short write (rare: a signal, a full disk about to say ENOSPC): go on from where it stopped.
    const rest: Buffer[] = [];
    for (const part of pending) {
      if (got >= part.length) got -= part.length;
      else {
        rest.push(got > 0 ? part.subarray(got) : part);
        got = 0;
      }
    }
    pending = rest;
  }
}

/**
 * Wraps `sync` so that concurrent callers share runs: a caller joins the run
 * that has not started yet, or queues one behind the run in progress (which
 * may have started before the caller's change, so it cannot count).
 */
export function groupCommit(sync: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  return () => {
    if (next) return next;
    const previous = running;
    let run: Promise<void> | undefined = undefined;
    run = (async () => {
      await previous?.catch(() => undefined); // always yields, so `next` is this run until it starts
      next = undefined; // from here on, callers need a later run
      running = run;
      try {
        await sync();
      } finally {
        if (running === run) running = undefined;
      }
    })();
    next = run;
    return run;
  };
}

export async function syncFolder(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** How often a directory sync after a commit point is tried before it is reported and given up. */
export const SYNC_ATTEMPTS_AFTER_COMMIT = 3;

/**
 * The directory sync after a commit point: the rename that put a message in
 * new/ (or a queue entry's envelope in place) has delivered it, and a failure
 * now must not be reported as "not stored" (the client would send it again,
 * and the mail would be there twice). The sync is retried; if it still fails,
 * `report` is told (an operator's log line) and the delivery stands: the
 * file is there for every reader, only its survival of a power cut is unproven.
 */
export async function syncAfterCommit(sync: () => Promise<void>, report: (error: unknown) => void, attempts = SYNC_ATTEMPTS_AFTER_COMMIT): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await sync();
      return;
    } catch (error) {
      last = error;
    }
  }
  report(last);
}
