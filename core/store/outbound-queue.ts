/**
 * The outbound queue: mail that authenticated users sent to other domains,
 * kept durably in `<data>/queue/` until the delivery agent takes it. Each entry
 * is `<id>.eml` (the message) and `<id>.json` (the envelope); the JSON is
 * written last, so an entry without one is an interrupted write, never mail.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

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

/** The DSN parameters of a queued message, as the client gave them (core/smtp/dsn-parameters.ts checks them). */
export interface QueuedDsn {
  ret?: string;
  envid?: string;
  /** By recipient address. */
  recipients?: Record<string, { notify?: string; orcpt?: string }>;
}

/** Why a delivery attempt to one recipient did not succeed. */
export interface QueuedFailure {
  /** The SMTP reply code; 0 when no server answered (connection, DNS). */
  code: number;
  enhanced?: string;
  text: string;
  host: string;
}

export class OutboundQueue {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly folder: string) {}

  /** Calls `listener` after each enqueue (the queue runner wakes up); returns a function that stops it. */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a message and its envelope durably; resolves once both are on disk. */
  async enqueue(envelope: QueuedEnvelope, message: Buffer): Promise<void> {
    await fs.mkdir(join(this.folder, 'tmp'), { recursive: true });
    await writeDurably(join(this.folder, 'tmp', `${envelope.id}.eml`), join(this.folder, `${envelope.id}.eml`), message);
    await writeDurably(join(this.folder, 'tmp', `${envelope.id}.json`), join(this.folder, `${envelope.id}.json`), Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`));
    const handle = await fs.open(this.folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
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
