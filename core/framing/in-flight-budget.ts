/**
 * A budget for message bytes held in memory across every session of a lab:
 * the DATA messages and BDAT chunks being received, until the engine has
 * handled them. Without it, 100 clients sending 9.5 MB each at once made the
 * server hold gigabytes. A message that would take the total over the budget
 * is refused with a temporary error (452 4.3.1, RFC 3463 "mail system full"),
 * so the client retries later; its bytes are counted and dropped as they come.
 * Pure: no I/O.
 */
export class InFlightBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Octets reserved now, across sessions. */
  get inFlight(): number {
    return this.used;
  }

  /** Takes `octets` if they fit; false (and nothing taken) if not. */
  reserve(octets: number): boolean {
    if (this.used + octets > this.limit) return false;
    this.used += octets;
    return true;
  }

  release(octets: number): void {
    this.used = Math.max(0, this.used - octets);
  }
}
