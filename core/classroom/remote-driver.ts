/** A real server as a classroom driver: the raw client (core/net/raw-session.ts) with its tracker's events. */
import type { Socket } from 'node:net';
import type { ClientInputMode } from '../client/tracker.js';
import type { Protocol } from '../events.js';
import { RawSession } from '../net/raw-session.js';
import { parseServerUrl } from '../net/server-url.js';
import type { ClassroomDriver, Emit } from './driver.js';
import { CLASSROOM_TEXT } from './messages.js';
import type { RemoteTlsSettings } from './target.js';

export interface RemoteDriverOptions {
  url: string;
  insecure: boolean;
  starttls: boolean;
  /** --ca-file, --servername, --tls-min. */
  tls?: RemoteTlsSettings;
  replyTimeoutMs: number;
  onSocket?: (socket: Socket) => void;
}

export class RemoteDriver implements ClassroomDriver {
  private constructor(
    private readonly session: RawSession,
    private readonly emit: Emit,
  ) {}

  /** Connects and waits for the greeting (and the TLS upgrade with `starttls`); rejects when the server cannot be reached. */
  static async open(options: RemoteDriverOptions, emit: Emit): Promise<RemoteDriver> {
    const parsed = parseServerUrl(options.url);
    if (!parsed.ok) throw new Error(parsed.reason);
    const session = new RawSession({
      endpoint: { ...parsed.endpoint, insecure: options.insecure, ...(options.tls ? { tls: options.tls } : {}) },
      replyTimeoutMs: options.replyTimeoutMs,
      // The classroom's front ends keep their own (bounded) record; the session keeps none.
      keepTranscript: false,
      ...(options.onSocket ? { onSocket: options.onSocket } : {}),
      onEvent: emit,
      onNotice: (text) => emit({ kind: 'notice', text }),
      onClose: (reason) => emit({ kind: 'notice', text: CLASSROOM_TEXT.closed(reason) }),
    });
    await session.open();
    if (options.starttls) await session.upgrade();
    return new RemoteDriver(session, emit);
  }

  get protocol(): Protocol {
    return this.session.tracker.protocol;
  }

  get state(): string {
    return this.session.tracker.state;
  }

  get inputMode(): ClientInputMode {
    return this.session.tracker.inputMode;
  }

  get closed(): boolean {
    return this.session.closed;
  }

  async submit(lines: readonly string[], how: { insist?: boolean } = {}): Promise<void> {
    if (this.session.closed) return;
    // Protocol lines only (the classroom ran meta-commands already; in DATA a "/" line is content, and the raw session sends it as is).
    await this.session.submitBatch(lines, how);
    if (this.session.tracker.inputMode === 'data') return;
    try {
      await this.session.settled();
    } catch (error) {
      this.emit({ kind: 'notice', text: (error as Error).message, level: 'warning' });
    }
  }

  async next(): Promise<boolean> {
    return false;
  }

  async meta(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
