/**
 * Line framing with a hard limit (docs/ARCHITECTURE.md, "Framing"). Bytes go in, complete lines come
 * out. Nothing is ever buffered past the limit: a peer that never sends a line
 * feed costs at most `limit` octets of memory.
 */

export type FramedItem =
  /** A complete line, without its terminator. `bareLf` is true when it ended in LF alone. */
  | { kind: 'line'; bytes: Buffer; bareLf: boolean }
  /** A line longer than the limit: its bytes were dropped, up to and including its LF. */
  | { kind: 'overlong'; limit: number };

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private discarding = false;

  /** @param limit the longest line allowed, counting its CRLF (RFC 2449 §4: 255 for POP3). */
  constructor(private limit: number) {}

  /** Changes the limit from the next line on (a SASL exchange may allow longer lines). */
  setLimit(limit: number): void {
    this.limit = limit;
  }

  /** Octets held while waiting for a line feed; never more than the limit. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds a chunk and returns every item it completes, in order. */
  push(chunk: Uint8Array): FramedItem[] {
    const items: FramedItem[] = [];
    let start = 0;
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (start < data.length) {
      const lf = data.indexOf(LF, start);
      const end = lf === -1 ? data.length : lf;
      if (this.discarding) {
        if (lf !== -1) this.discarding = false;
      } else {
        this.pending = this.pending.length === 0 && lf !== -1
          ? data.subarray(start, end)
          : Buffer.concat([this.pending, data.subarray(start, end)]);
        if (lf === -1) {
          // Content plus a CR still waiting for its LF may reach limit - 1.
          if (this.pending.length > this.limit - 1) this.overflow(items, true);
        } else {
          this.complete(items);
        }
      }
      start = lf === -1 ? data.length : lf + 1;
    }
    // Keep our own copy: the caller may reuse its buffer.
    if (this.pending.length > 0 && this.pending.buffer === data.buffer) this.pending = Buffer.from(this.pending);
    return items;
  }

  private complete(items: FramedItem[]): void {
    const line = this.pending;
    this.pending = Buffer.alloc(0);
    const hasCr = line.length > 0 && line[line.length - 1] === CR;
    const content = hasCr ? line.subarray(0, line.length - 1) : line;
    if (content.length > this.limit - 2) {
      items.push({ kind: 'overlong', limit: this.limit });
      return;
    }
    items.push({ kind: 'line', bytes: Buffer.from(content), bareLf: !hasCr });
  }

  private overflow(items: FramedItem[], stillOpen: boolean): void {
    this.pending = Buffer.alloc(0);
    this.discarding = stillOpen;
    items.push({ kind: 'overlong', limit: this.limit });
  }
}
