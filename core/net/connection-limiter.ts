/**
 * A global and a per-address cap on open connections, shared by every listener
 * of one lab, so one client cannot take all the sockets.
 */
export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 200, maxPerAddress: 20 };

export class ConnectionLimiter {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly limits: ConnectionLimits) {}

  /**
   * Takes a slot for `address`, or says which cap is full. An `own` connection
   * (one this process opened, such as the classroom bridge's) counts against
   * the global cap only.
   */
  admit(address: string, { own = false }: { own?: boolean } = {}): { ok: true; release: () => void } | { ok: false; reason: string } {
    const mine = this.perAddress.get(address) ?? 0;
    if (this.total >= this.limits.maxConnections) return { ok: false, reason: `the server is at its limit of ${this.limits.maxConnections} connections` };
    if (!own && mine >= this.limits.maxPerAddress) return { ok: false, reason: `too many connections from ${address} (limit ${this.limits.maxPerAddress})` };
    this.total++;
    let released = false;
    if (own) {
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          this.total--;
        },
      };
    }
    this.perAddress.set(address, mine + 1);
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left === 0) this.perAddress.delete(address);
        else this.perAddress.set(address, left);
      },
    };
  }

  get open(): number {
    return this.total;
  }
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback: the peers allowed plaintext passwords by default. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
