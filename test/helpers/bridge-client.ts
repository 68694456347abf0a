/** A WebSocket client of the classroom bridge for tests: sends versioned messages, collects what comes back. */
import WebSocket from 'ws';
import type { EventEnvelope } from '../../core/events.js';
import type { ClientMessage, ServerMessage, SessionStatus } from '../../web/protocol/messages.js';
import { scaled } from './time.js';

export class TestBridgeClient {
  readonly messages: ServerMessage[] = [];
  readonly envelopes: EventEnvelope[] = [];
  status: SessionStatus | undefined;
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(message);
      if (message.t === 'events') this.envelopes.push(...message.envelopes);
      if (message.t === 'status') this.status = message.status;
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
  }

  /** Connects with the page's own Origin (or the one given) and says hello. */
  static async open(port: number, options: { origin?: string; host?: string; session?: string; after?: number; hello?: boolean; code?: string; from?: string; headers?: Record<string, string> } = {}): Promise<TestBridgeClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      origin: options.origin ?? `http://127.0.0.1:${port}`,
      // Another loopback address (127.0.0.2 …): another learner's machine, as far as the bridge can tell.
      ...(options.from ? { localAddress: options.from } : {}),
      ...(options.headers || options.host ? { headers: { ...options.headers, ...(options.host ? { Host: options.host } : {}) } } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
    const client = new TestBridgeClient(socket);
    if (options.hello !== false) client.send({ v: 1, t: 'hello', ...(options.session ? { session: options.session, after: options.after ?? 0 } : {}), ...(options.code !== undefined ? { code: options.code } : {}) });
    return client;
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  get welcome(): Extract<ServerMessage, { t: 'welcome' }> | undefined {
    return this.messages.find((message): message is Extract<ServerMessage, { t: 'welcome' }> => message.t === 'welcome');
  }

  refusals(): Extract<ServerMessage, { t: 'refused' }>[] {
    return this.messages.filter((message): message is Extract<ServerMessage, { t: 'refused' }> => message.t === 'refused');
  }

  /** The wire lines seen so far, "C: …" / "S: …". */
  lines(): string[] {
    return this.envelopes.flatMap(({ event }) => (event.kind === 'line' ? [`${event.from === 'client' ? 'C' : 'S'}: ${event.text}`] : []));
  }

  /** Waits until `check` holds (re-checked on every message and at the close), or fails after `ms` (scaled by MAILLAB_TEST_TIME_FACTOR). */
  async until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + scaled(ms);
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; lines: ${this.lines().join(' | ')}; refusals: ${JSON.stringify(this.refusals())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.socket.close();
    return this.until(() => this.closed !== undefined, 'close');
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
