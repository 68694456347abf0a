/**
 * An in-memory store with the same interface as the Maildir store, for the
 * sandbox, lessons and unit tests.
 */
import { toWireFormat } from '../framing/dot-stuffing.js';
import type { Maildrop, MaildropChanges, MessageInfo, OpenResult, UpdateResult } from '../pop3/backend.js';
import type { MailStore } from './mail-store.js';

interface StoredMessage {
  uid: string;
  bytes: Buffer;
  seen: boolean;
}

export class MemoryStore implements MailStore {
  private readonly maildrops = new Map<string, StoredMessage[]>();
  private readonly locked = new Set<string>();
  private counter = 0;

  /** Adds a message; `uid` may be given to reproduce an RFC example. */
  add(user: string, message: Uint8Array | string, options: { uid?: string; seen?: boolean } = {}): string {
    const bytes = toWireFormat(typeof message === 'string' ? Buffer.from(message, 'utf8') : message);
    const uid = options.uid ?? `mem${++this.counter}`;
    const list = this.maildrops.get(user) ?? [];
    list.push({ uid, bytes, seen: options.seen ?? false });
    this.maildrops.set(user, list);
    return uid;
  }

  async deliver(user: string, message: Uint8Array, prefix?: Uint8Array): Promise<string> {
    return this.add(user, prefix ? Buffer.concat([prefix, message]) : message);
  }

  async discard(user: string, id: string): Promise<void> {
    const list = this.maildrops.get(user) ?? [];
    this.maildrops.set(user, list.filter((m) => m.uid !== id));
  }

  /** The messages currently stored for a user (for tests). */
  messages(user: string): readonly { uid: string; bytes: Buffer; seen: boolean }[] {
    return this.maildrops.get(user) ?? [];
  }

  isLocked(user: string): boolean {
    return this.locked.has(user);
  }

  async openMaildrop(user: string): Promise<OpenResult> {
    if (this.locked.has(user)) return { ok: false, reason: 'in-use', detail: 'maildrop already locked by another session' };
    this.locked.add(user);
    const snapshot = [...(this.maildrops.get(user) ?? [])];
    const messages: MessageInfo[] = snapshot.map((m) => ({ uid: m.uid, size: m.bytes.length, seen: m.seen }));
    let released = false;
    const maildrop: Maildrop = {
      messages,
      read: async (index) => Buffer.from(snapshot[index]!.bytes),
      update: async (changes: MaildropChanges): Promise<UpdateResult> => {
        const gone = new Set(changes.deleted.map((index) => snapshot[index]));
        const seen = new Set(changes.seen.map((index) => snapshot[index]));
        const list = this.maildrops.get(user) ?? [];
        const kept = list.filter((m) => !gone.has(m));
        for (const m of kept) if (seen.has(m)) m.seen = true;
        this.maildrops.set(user, kept);
        return { deleted: list.length - kept.length, failed: [], remaining: kept.length };
      },
      release: async () => {
        if (released) return;
        released = true;
        this.locked.delete(user);
      },
    };
    return { ok: true, maildrop };
  }
}
