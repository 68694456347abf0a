/**
 * The page's end of the WebSocket bridge: says hello (resuming the tab's
 * session after the last seq it saw), delivers envelopes once each and in
 * order, and reconnects after a blip. The session secret and last seq live in
 * sessionStorage, which is per tab: a reload resumes, another tab does not.
 */
import type { EventEnvelope } from '../../core/browser.js';
import type { ClientMessage, RefusalCode, ServerMessage, SessionStatus } from '../protocol/messages.js';

type Welcome = Extract<ServerMessage, { t: 'welcome' }>;

export interface BridgeHandlers {
  /** `fresh` is true when the page had a session that the server no longer knows (it restarted, or the session ended). */
  onWelcome(welcome: Welcome, fresh: boolean): void;
  onEnvelopes(envelopes: EventEnvelope[]): void;
  onStatus(status: SessionStatus): void;
  onRefused(code: RefusalCode, message: string): void;
  onConnection(state: 'connecting' | 'open' | 'closed'): void;
  /** The classroom asks for its class code (`reason` says whether one was sent): the code typed, or undefined to stop trying. */
  askClassCode(reason: string): string | undefined;
}

const TOKEN = 'maillab.session';
const SEQ = 'maillab.seq';
const CODE = 'maillab.classCode';

export class BridgeClient {
  private socket: WebSocket | undefined;
  private retry = 0;
  private lastSeq: number;
  private token: string | undefined;
  private queue: ClientMessage[] = [];
  private welcomed = false;
  /** The class code, once the learner typed it (kept for this tab's reconnects). */
  private code: string | undefined;
  /** The learner declined to type a class code: no more reconnecting. */
  private stopped = false;

  constructor(private readonly handlers: BridgeHandlers, private readonly url = defaultUrl()) {
    this.token = sessionStorage.getItem(TOKEN) ?? undefined;
    this.lastSeq = Number(sessionStorage.getItem(SEQ) ?? 0) || 0;
    this.code = sessionStorage.getItem(CODE) ?? undefined;
  }

  get seq(): number {
    return this.lastSeq;
  }

  connect(): void {
    this.handlers.onConnection('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.welcomed = false;
    socket.onopen = () => {
      socket.send(JSON.stringify({ v: 1, t: 'hello', ...(this.token ? { session: this.token, after: this.lastSeq } : {}), ...(this.code !== undefined ? { code: this.code } : {}) } satisfies ClientMessage));
    };
    socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as ServerMessage);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.handlers.onConnection('closed');
      if (this.stopped) return;
      const delay = Math.min(5000, 250 * 2 ** this.retry++);
      setTimeout(() => this.connect(), delay);
    };
  }

  /** The page is going away (closed or reloaded): the bridge ends the session soon unless a reload resumes it. */
  goodbye(): void {
    if (this.socket?.readyState === WebSocket.OPEN && this.welcomed) this.socket.send(JSON.stringify({ v: 1, t: 'bye' } satisfies ClientMessage));
  }

  /** Sends now, or after the (re)connection's welcome. */
  send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN && this.welcomed) this.socket.send(JSON.stringify(message));
    else this.queue.push(message);
  }

  private receive(message: ServerMessage): void {
    switch (message.t) {
      case 'welcome': {
        const fresh = !message.resumed && this.token !== undefined;
        if (!message.resumed) this.lastSeq = 0;
        this.token = message.session;
        sessionStorage.setItem(TOKEN, message.session);
        sessionStorage.setItem(SEQ, String(this.lastSeq));
        this.retry = 0;
        this.welcomed = true;
        this.handlers.onConnection('open');
        this.handlers.onWelcome(message, fresh);
        const waiting = this.queue;
        this.queue = [];
        // What was typed while away goes out only if the session carried on.
        if (message.resumed) for (const queued of waiting) this.send(queued);
        return;
      }
      case 'events': {
        const fresh = message.envelopes.filter((envelope) => envelope.seq > this.lastSeq);
        if (fresh.length === 0) return;
        this.lastSeq = fresh[fresh.length - 1]!.seq;
        sessionStorage.setItem(SEQ, String(this.lastSeq));
        this.handlers.onEnvelopes(fresh);
        return;
      }
      case 'status':
        this.handlers.onStatus(message.status);
        return;
      case 'refused':
        this.handlers.onRefused(message.code, message.message);
        if (message.code === 'CLASS_CODE') {
          // The bridge closes after this refusal; the reconnect says hello again with the code typed now.
          const typed = this.handlers.askClassCode(message.message)?.trim();
          if (typed) {
            this.code = typed;
            sessionStorage.setItem(CODE, typed);
            this.retry = 0;
          } else this.stopped = true;
        }
        return;
    }
  }
}

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
