/**
 * A tab's resume backlog: the envelopes a page that reconnects may still ask
 * for, bounded in count and in bytes. A message body is by far the largest
 * event (its content is kept up to 1 MiB), so when the bytes pass the bound
 * the oldest bodies lose their content first: the envelope stays, with its
 * `seq`, its line and octet counts, and a resumed page shows it as a summary
 * (`renderBodySummary`) where the text was. Only when no body is left to
 * empty are the oldest envelopes dropped, and `oldest` says where the
 * backlog now starts.
 */
import type { EventEnvelope } from '../../core/browser.js';

export interface BacklogLimits {
  /** Envelopes kept at most. */
  count: number;
  /** Bytes kept at most (an estimate of each envelope's size on the wire). */
  bytes: number;
}

export class Backlog {
  private items: { envelope: EventEnvelope; bytes: number }[] = [];
  private head = 0;
  /** Below this index no body in the backlog has content left. */
  private emptied = 0;
  private total = 0;
  /** The envelopes whose body content was dropped here. */
  private readonly emptiedBodies = new WeakSet<EventEnvelope>();

  constructor(private readonly limits: BacklogLimits) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.total;
  }

  push(envelope: EventEnvelope): void {
    const bytes = sizeOf(envelope);
    this.items.push({ envelope, bytes });
    this.total += bytes;
    while (this.items.length - this.head > this.limits.count) this.dropOldest();
    while (this.total > this.limits.bytes && this.emptyOldestBody()) {
      // Emptied one body; check again.
    }
    while (this.total > this.limits.bytes && this.items.length - this.head > 1) this.dropOldest();
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.emptied = Math.max(0, this.emptied - this.head);
      this.head = 0;
    }
  }

  /** Envelopes after `after`, the oldest seq held (`next` when none is), and how many of the envelopes are bodies emptied to bound memory. */
  since(after: number, next: number): { envelopes: EventEnvelope[]; oldest: number; emptied: number } {
    const envelopes: EventEnvelope[] = [];
    let emptied = 0;
    for (let index = this.head; index < this.items.length; index++) {
      const envelope = this.items[index]!.envelope;
      if (envelope.seq <= after) continue;
      envelopes.push(envelope);
      if (this.emptiedBodies.has(envelope)) emptied++;
    }
    return { envelopes, oldest: this.items[this.head]?.envelope.seq ?? next, emptied };
  }

  private dropOldest(): void {
    const item = this.items[this.head]!;
    this.total -= item.bytes;
    this.items[this.head] = undefined as never;
    this.head++;
    if (this.emptied < this.head) this.emptied = this.head;
  }

  /** Empties the oldest body that still has content; false when none has. */
  private emptyOldestBody(): boolean {
    for (let index = Math.max(this.emptied, this.head); index < this.items.length; index++) {
      const item = this.items[index]!;
      const event = item.envelope.event;
      if (event.kind !== 'body' || event.content === undefined) continue;
      const { content: _dropped, truncated: _cut, ...summary } = event;
      const envelope: EventEnvelope = { ...item.envelope, event: summary };
      const bytes = sizeOf(envelope);
      this.total += bytes - item.bytes;
      this.items[index] = { envelope, bytes };
      this.emptied = index + 1;
      this.emptiedBodies.add(envelope);
      return true;
    }
    this.emptied = this.items.length;
    return false;
  }
}

/** About what an envelope costs on the wire (and a little more in memory); a body is counted by its content. */
function sizeOf(envelope: EventEnvelope): number {
  const event = envelope.event;
  if (event.kind === 'body') return 160 + (event.content?.length ?? 0);
  return 64 + JSON.stringify(event).length;
}
