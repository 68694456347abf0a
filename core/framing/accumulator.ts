/**
 * The bounded buffer behind the input framer (./input-framer.ts): DATA and
 * BDAT content collected up to a cap, reserved against the budget for bytes in
 * flight across sessions (./in-flight-budget.ts).
 */
import type { InFlightBudget } from './in-flight-budget.js';

const EMPTY = Buffer.alloc(0);

/**
 * Collects octets up to a cap. Past the cap it drops what it has and only counts,
 * so a peer can never make us hold more than the cap.
 */
export class Accumulator {
  private store: Buffer = EMPTY;
  private stored = 0;
  /** Every octet appended, kept or not. */
  octets = 0;
  /** The shared budget refused to let this one grow: it drops and counts, like an overflow. */
  overBudget = false;
  /** Octets of the shared budget this one holds (its capacity). */
  reserved = 0;

  constructor(private readonly cap: number, public overflowed = false, private readonly budget?: InFlightBudget) {}

  /** Gives the budget back what this one holds. */
  releaseBudget(): void {
    this.budget?.release(this.reserved);
    this.reserved = 0;
  }

  append(source: Buffer, start: number, end: number): void {
    const count = end - start;
    if (count <= 0) return;
    this.octets += count;
    if (this.overflowed) return;
    if (this.stored + count > this.cap) {
      this.drop();
      return;
    }
    // Grow by doubling (capped) rather than holding a list of pieces: byte-by-byte
    // input would otherwise cost an object per octet.
    if (this.stored + count > this.store.length) {
      // The budget counts capacity; when doubling does not fit, exactly what is needed may.
      const needed = this.stored + count;
      let size = Math.min(this.cap, Math.max(needed, this.store.length * 2, 4096));
      if (this.budget && !this.budget.reserve(size - this.reserved)) {
        size = needed;
        if (!this.budget.reserve(size - this.reserved)) {
          this.overBudget = true;
          this.drop();
          return;
        }
      }
      this.reserved = size;
      // Unzeroed: only the first `stored` octets are ever read, and those are always written first.
      const grown = Buffer.allocUnsafe(size);
      this.store.copy(grown, 0, 0, this.stored);
      this.store = grown;
    }
    source.copy(this.store, this.stored, start, end);
    this.stored += count;
  }

  private drop(): void {
    this.overflowed = true;
    this.store = EMPTY;
    this.stored = 0;
    this.releaseBudget();
  }

  /**
   * The octets kept, or undefined if the cap was passed. A view, not a copy:
   * the accumulator is discarded after this, so the message is held once.
   */
  take(): Buffer | undefined {
    if (this.overflowed) return undefined;
    return this.store.subarray(0, this.stored);
  }
}
