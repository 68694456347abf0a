/**
 * One log line per refusal of a WebSocket, without letting a flood write a
 * flood: an address gets a few lines per window for each kind of refusal, and
 * further refusals of that kind within it are counted and reported with its
 * next line of that kind. The table of addresses is
 * bounded, so a flood from many addresses cannot fill memory either.
 */
export class RefusalLog {
  private readonly recent = new Map<string, { since: number; written: number; quiet: number }>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly clock: () => number = Date.now,
    private readonly windowMs = 10_000,
    private readonly linesPerWindow = 5,
    private readonly maxAddresses = 1000,
  ) {}

  /** Notes a refusal of `address`; writes a line unless the address had its lines of this `kind` for this window. */
  note(address: string, kind: string, text: string): void {
    const now = this.clock();
    const key = `${kind} ${address}`;
    let entry = this.recent.get(key);
    if (!entry || now - entry.since >= this.windowMs) entry = { since: now, written: 0, quiet: entry?.quiet ?? 0 };
    this.recent.delete(key);
    this.recent.set(key, entry);
    while (this.recent.size > this.maxAddresses) this.recent.delete(this.recent.keys().next().value!);
    if (entry.written >= this.linesPerWindow) {
      entry.quiet++;
      return;
    }
    entry.written++;
    const quiet = entry.quiet;
    entry.quiet = 0;
    this.write(`refused a WebSocket from ${address}: ${text}${quiet > 0 ? ` (and ${quiet} more refusal${quiet === 1 ? '' : 's'} of it not logged)` : ''}`);
  }
}
