/**
 * The loopback connections this process opened to its own listeners (the
 * classroom bridge's lab sessions). The lab's per-address cap is meant for
 * outside clients: every browser tab's lab session comes from 127.0.0.1, so
 * counting them would stop a class at the cap. The bridge caps its own
 * sessions per browser address instead; these still count against the
 * lab's global cap.
 *
 * A connecting socket's local port is only known once it has connected, and
 * the listener's accept may run first: `classify` waits for connects still in
 * flight (a few event-loop turns on loopback, at most `settleMs`) before it
 * says a loopback peer is not one of ours.
 */
import type { Socket } from 'node:net';

export class OwnConnections {
  /** Open sockets of ours, by local address and port, with the address they speak for (a learner's browser), if any. */
  private readonly open = new Map<string, string | undefined>();
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly settleMs = 250) {}

  /**
   * Call right after connecting: the socket is recognised once it has connected, and forgotten when it closes.
   * `onBehalfOf` is the address of whoever the connection serves (the browser of the tab that opened it).
   */
  track(socket: Socket, onBehalfOf?: string): void {
    this.pending++;
    let key: string | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      this.pending--;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
    socket.once('connect', () => {
      key = `${normalise(socket.localAddress)}:${socket.localPort}`;
      this.open.set(key, onBehalfOf);
      settle();
    });
    socket.once('close', () => {
      if (key !== undefined) this.open.delete(key);
      settle();
    });
  }

  /** True when the peer `address:port` is a socket this process opened; waits while connects of ours are still in flight. */
  classify(address: string | undefined, port: number | undefined): boolean | Promise<boolean> {
    const key = `${normalise(address)}:${port}`;
    if (this.open.has(key)) return true;
    if (this.pending === 0) return false;
    return new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => resolve(this.open.has(key)), this.settleMs);
      const check = () => {
        if (this.open.has(key) || this.pending === 0) {
          clearTimeout(deadline);
          resolve(this.open.has(key));
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /**
   * For the peer `address:port`: undefined when it is not a socket of ours (or not connected yet);
   * otherwise `{ onBehalfOf }`, the address it serves if it was given one.
   */
  whose(address: string | undefined, port: number | undefined): { onBehalfOf: string | undefined } | undefined {
    const key = `${normalise(address)}:${port}`;
    return this.open.has(key) ? { onBehalfOf: this.open.get(key) } : undefined;
  }

  /** Sockets of ours open now (tests). */
  get size(): number {
    return this.open.size;
  }
}

function normalise(address: string | undefined): string {
  return address?.startsWith('::ffff:') ? address.slice(7) : (address ?? '');
}
