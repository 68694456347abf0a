/**
 * The outbound queue: mail that authenticated users sent to other domains,
 * kept durably in `<data>/queue/` until the delivery agent takes it. Each entry
 * is `<id>.eml` (the message) and `<id>.json` (the envelope); the JSON is
 * written last, so an entry without one is an interrupted write, never mail.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { syncAfterCommit, syncFolder } from './durable-write.js';
import { STALE_TEMPORARY_MS } from './maildir-store.js';
import type { QueuedDsn, QueuedFailure } from '../send/queue-types.js';

export type { QueuedDsn, QueuedFailure };

export interface QueuedEnvelope {
  id: string;
  from: string;
  recipients: string[];
  /** When it was queued (ISO 8601). */
  queuedAt: string;
  attempts: number;
  /** Not before this time (ISO 8601); absent means "now". Set by the queue runner after a temporary failure. */
  nextAttemptAt?: string;
  /** The last temporary failure of each recipient still queued, for the bounce if it never goes through. */
  lastErrors?: Record<string, QueuedFailure>;
  /** What the client asked of the delivery reports (RFC 3461 §4): RET and ENVID, and NOTIFY and ORCPT per recipient. */
  dsn?: QueuedDsn;
  /** A delay report was sent already (once per entry). */
  delayReported?: boolean;
}


/** Seams of the queue: the directory sync (tests make it fail) and where a sync failure after an enqueue is reported. */
export interface OutboundQueueOptions {
  syncFolder?: (path: string) => Promise<void>;
  onSyncFailure?: (text: string) => void;
}

export class OutboundQueue {
  private readonly listeners = new Set<() => void>();
  private readonly syncFolder: (path: string) => Promise<void>;

  constructor(
    private readonly folder: string,
    private readonly options: OutboundQueueOptions = {},
  ) {
    this.syncFolder = options.syncFolder ?? syncFolder;
  }

  /** Calls `listener` after each enqueue (the queue runner wakes up); returns a function that stops it. */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores a message and its envelope durably; resolves once both are on disk.
   * The envelope's rename is the commit point: a failure before it leaves no
   * entry (the message file is removed) and throws; a failing folder sync after
   * it is retried and reported, never thrown, since the entry will be delivered.
   */
  async enqueue(envelope: QueuedEnvelope, message: Buffer): Promise<void> {
    await fs.mkdir(join(this.folder, 'tmp'), { recursive: true });
    const messagePath = join(this.folder, `${envelope.id}.eml`);
    try {
      await writeDurably(join(this.folder, 'tmp', `${envelope.id}.eml`), messagePath, message);
      await writeDurably(join(this.folder, 'tmp', `${envelope.id}.json`), join(this.folder, `${envelope.id}.json`), Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`));
    } catch (error) {
      await fs.rm(messagePath, { force: true }).catch(() => undefined);
      throw error;
    }
    await syncAfterCommit(
      () => this.syncFolder(this.folder),
      (error) => this.options.onSyncFailure?.(`queued ${envelope.id} but could not sync the queue folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it will be delivered, its durability across a power cut is not proven`),
    );
    for (const listener of this.listeners) listener();
  }

  /** Replaces an entry's envelope, atomically (a temporary file renamed over the old one). */
  async update(envelope: QueuedEnvelope): Promise<void> {
    await fs.mkdir(join(this.folder, 'tmp'), { recursive: true });
    await writeDurably(join(this.folder, 'tmp', `${envelope.id}.json`), join(this.folder, `${envelope.id}.json`), Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`));
  }

  /** Removes an entry: the envelope first, so a crash in between leaves no half entry that looks like mail. */
  async remove(id: string): Promise<void> {
    await fs.rm(join(this.folder, `${id}.json`), { force: true });
    await fs.rm(join(this.folder, `${id}.eml`), { force: true });
  }

  /** The complete entries, oldest first. */
  async list(): Promise<QueuedEnvelope[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.folder);
    } catch {
      return [];
    }
    const entries: QueuedEnvelope[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        entries.push(JSON.parse(await fs.readFile(join(this.folder, name), 'utf8')) as QueuedEnvelope);
      } catch {
        // Removed while we listed, or not ours: skip it.
      }
    }
    return entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /**
   * Removes files in the queue's tmp/ not written for `olderThanMs` (the
   * Maildir rule, 36 hours): enqueues cut short by a crash. Returns the paths removed.
   */
  async sweepTemporary(olderThanMs = STALE_TEMPORARY_MS, now = Date.now()): Promise<string[]> {
    const tmp = join(this.folder, 'tmp');
    const removed: string[] = [];
    for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
      const path = join(tmp, name);
      const stat = await fs.lstat(path).catch(() => undefined);
      if (!stat?.isFile() || now - stat.mtimeMs < olderThanMs) continue;
      await fs.rm(path, { force: true });
      removed.push(path);
    }
    return removed;
  }

  async message(id: string): Promise<Buffer> {
    return fs.readFile(join(this.folder, `${id}.eml`));
  }
}

async function writeDurably(temporary: string, final: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, final);
}
