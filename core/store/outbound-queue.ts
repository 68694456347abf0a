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
}

export class OutboundQueue {
  constructor(private readonly folder: string) {}

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
      entries.push(JSON.parse(await fs.readFile(join(this.folder, name), 'utf8')) as QueuedEnvelope);
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
