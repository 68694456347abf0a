/**
 * The classroom's web server: the built page over HTTP and the WebSocket
 * bridge at /ws. Each tab gets its own session (TabSession) that opens ready,
 * on the lab's POP3 listener when it is on. Everything a page may ask for is
 * checked here, before anything is opened:
 * - `Host` must name this server and `Origin` must be its own page, refused
 *   with 403 before the upgrade (DNS rebinding, cross-site WebSocket hijacking);
 * - messages are small (`maxPayload`), versioned and validated;
 * - a page picks a lab listener, the sandbox, a lesson by id, or a remote
 *   server on the operator's --allow-remote list: never an arbitrary socket;
 * - sessions per address are capped; a tab quiet for too long is ended; a
 *   browser that stops reading is dropped once its send buffer is full;
 * - nothing a learner types is logged.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventEnvelope } from '../../core/browser.js';
import { hostPort } from '../../core/host-port.js';
import { parseClientMessage, PROTOCOL_VERSION, type ClientMessage, type LessonSummary, type RefusalCode, type ServerMessage, type TargetChoice } from '../protocol/messages.js';
import { hostAllowed, hostPolicy, originAllowed, type HostPolicy } from './origin-check.js';
import { defaultPageFolder, SECURITY_HEADERS, servePageFile } from './page-files.js';
import { checkRemote, formatAllowed, type AllowedRemote } from './remote-allowlist.js';
import { TabSession, type ResolvedTarget } from './tab-session.js';
import type { OpenTarget } from './target-session.js';

export interface BridgeLimits {
  /** The largest message a page may send, in bytes. */
  maxPayload: number;
  /** Open tab sessions per client address (attached or waiting to be resumed). */
  sessionsPerAddress: number;
  /** Open tab sessions in all. */
  maxSessions: number;
  /** A tab that sends nothing for this long is ended. */
  idleTimeoutMs: number;
  /** A tab whose page went away is kept this long for it to resume. */
  resumeGraceMs: number;
  /** A tab whose page said goodbye (closed or reloaded) is kept only this long: long enough for a reload to resume. */
  goodbyeGraceMs: number;
  /** A page whose unread output passes this many bytes is dropped (it may resume later). */
  sendBufferLimit: number;
  /** Events kept per tab for resuming. */
  backlogLimit: number;
}

export const DEFAULT_BRIDGE_LIMITS: BridgeLimits = {
  maxPayload: 64 * 1024,
  sessionsPerAddress: 20,
  maxSessions: 500,
  idleTimeoutMs: 30 * 60_000,
  resumeGraceMs: 60_000,
  goodbyeGraceMs: 1500,
  sendBufferLimit: 1024 * 1024,
  backlogLimit: 5_000,
};

/** A lab listener a page may pick. */
export interface LabListenerRef {
  readonly name: 'pop3' | 'smtp' | 'submission';
  /** Where the bridge connects: loopback when the lab listens on every interface. */
  readonly url: string;
}

export interface WebServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Called once per tab: each tab may have its own sandbox. */
  openerForTab: () => OpenTarget;
  lab: readonly LabListenerRef[];
  allowRemote: readonly AllowedRemote[];
  lessons: readonly LessonSummary[];
  logins: readonly { user: string; password: string }[];
  /** More host names learners use to reach this server (a DNS name, the machine's addresses). */
  hostNames?: readonly string[];
  pageFolder?: string;
  limits?: Partial<BridgeLimits>;
  clock?: () => number;
  /** One line per connection event; never what a learner typed. */
  log?: (text: string) => void;
}

export interface RunningWebServer {
  readonly url: string;
  readonly port: number;
  /** Tab sessions open now. */
  readonly sessions: number;
  close(): Promise<void>;
}

/** Starts the HTTP server and the bridge. */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const limits = { ...DEFAULT_BRIDGE_LIMITS, ...options.limits };
  const clock = options.clock ?? Date.now;
  const log = options.log ?? (() => undefined);
  const pageFolder = options.pageFolder ?? defaultPageFolder();
  const sessions = new Map<string, TabSession>();
  const sockets = new Map<TabSession, WebSocket>();
  let tabNumber = 0;
  let policy: HostPolicy;

  const server: Server = createServer((request, response) => {
    if (!hostAllowed(policy, request.headers.host)) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('this server does not answer to that host name\n');
      return;
    }
    void servePageFile(pageFolder, request, response);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload, perMessageDeflate: false });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      log(`refused a WebSocket from ${hostPort(request.socket.remoteAddress ?? 'unknown', request.socket.remotePort)}: ${text}`);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/ws') return refuse(404, 'Not Found');
    if (!hostAllowed(policy, request.headers.host)) return refuse(403, 'Forbidden');
    if (!originAllowed(policy, request.headers.origin, request.headers.host)) return refuse(403, 'Forbidden');
    wss.handleUpgrade(request, socket, head, (ws) => attach(ws, request.socket.remoteAddress ?? 'unknown'));
  });

  const resolveTarget = (choice: TargetChoice): ResolvedTarget => {
    switch (choice.kind) {
      case 'lab': {
        const listener = options.lab.find((entry) => entry.name === choice.server);
        if (!listener) return { ok: false, code: 'TARGET_FAILED', message: `the lab's ${choice.server} listener is off` };
        return { ok: true, target: { kind: 'remote', url: listener.url, insecure: true }, label: `lab ${choice.server} (${listener.url})` };
      }
      case 'sandbox':
        return { ok: true, target: { kind: 'sandbox', server: choice.server }, label: `sandbox ${choice.server} (in process)` };
      case 'remote': {
        const own = options.lab.map((entry) => entry.url.replace(/^[a-z0-9]+:\/\//, '').replace(/^\[(.*)\](:\d+)$/, '$1$2'));
        const decision = checkRemote(choice.url, options.allowRemote, own);
        if (!decision.ok) return { ok: false, code: 'REMOTE_NOT_ALLOWED', message: decision.reason };
        return {
          ok: true,
          target: { kind: 'remote', url: choice.url, ...(choice.starttls ? { starttls: true } : {}), ...(choice.insecure ? { insecure: true } : {}) },
          label: choice.url,
        };
      }
      case 'lesson': {
        const lesson = options.lessons.find((entry) => entry.id === choice.id);
        if (!lesson) return { ok: false, code: 'NO_SUCH_LESSON', message: `no lesson "${choice.id}"` };
        const mode = lesson.watchOnly ? 'watch' : choice.mode;
        return { ok: true, target: { kind: 'lesson', id: lesson.id, mode }, label: `lesson ${lesson.id}: ${lesson.title} (${mode})`, lesson };
      }
    }
  };

  const defaultTarget: TargetChoice = options.lab.some((entry) => entry.name === 'pop3') ? { kind: 'lab', server: 'pop3' } : { kind: 'sandbox', server: 'pop3' };

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.sendBufferLimit) {
      log(`dropped a page that stopped reading (${ws.bufferedAmount} bytes unread)`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  };
  const refuse = (ws: WebSocket, code: RefusalCode, message: string) => send(ws, { v: 1, t: 'refused', code, message });

  const createSession = (address: string): TabSession => {
    const session: TabSession = new TabSession({
      token: randomBytes(18).toString('base64url'),
      number: ++tabNumber,
      address,
      openTarget: options.openerForTab(),
      resolve: resolveTarget,
      backlogLimit: limits.backlogLimit,
      clock,
      onEnvelopes: (envelopes: EventEnvelope[]) => {
        const ws = sockets.get(session);
        if (ws) send(ws, { v: 1, t: 'events', envelopes });
      },
      onStatus: (status) => {
        const ws = sockets.get(session);
        if (ws) send(ws, { v: 1, t: 'status', status });
      },
      onRefusal: (code, message) => {
        const ws = sockets.get(session);
        if (ws) refuse(ws, code, message);
      },
    });
    sessions.set(session.token, session);
    return session;
  };

  const endSession = async (session: TabSession, reason: string) => {
    sessions.delete(session.token);
    await session.end(reason);
    const ws = sockets.get(session);
    sockets.delete(session);
    ws?.close(1000, reason.slice(0, 100));
  };

  const attach = (ws: WebSocket, address: string) => {
    let session: TabSession | undefined;
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return refuse(ws, 'BAD_MESSAGE', 'text messages only');
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) return refuse(ws, parsed.code, parsed.message);
      const message: ClientMessage = parsed.message;
      if (message.t === 'hello') {
        if (session) return refuse(ws, 'BAD_MESSAGE', 'hello twice');
        session = hello(ws, address, message.session, message.after ?? 0);
        return;
      }
      if (!session) return refuse(ws, 'NO_HELLO', 'send hello first');
      session.lastActivity = clock();
      handle(session, message);
    });
    ws.on('close', () => {
      if (session && sockets.get(session) === ws) {
        sockets.delete(session);
        const detachedAt = (session.detachedAt = clock());
        if (session.saidGoodbye) {
          const gone = session;
          // A reload resumes within the grace; a closed tab does not, and its lab session (and maildrop lock) ends now.
          setTimeout(() => {
            if (gone.detachedAt === detachedAt && sessions.get(gone.token) === gone) void endSession(gone, 'the page was closed; session ended');
          }, limits.goodbyeGraceMs).unref();
        }
      }
    });
  };

  const hello = (ws: WebSocket, address: string, token: string | undefined, after: number): TabSession | undefined => {
    const found = token === undefined ? undefined : sessions.get(token);
    if (found && found.address === address) {
      const old = sockets.get(found);
      if (old && old !== ws) old.close(4000, 'resumed elsewhere');
      sockets.set(found, ws);
      found.detachedAt = undefined;
      found.saidGoodbye = false;
      found.lastActivity = clock();
      const { envelopes, oldest } = found.since(after);
      send(ws, welcome(found.token, true, oldest));
      for (let index = 0; index < envelopes.length; index += 500) send(ws, { v: 1, t: 'events', envelopes: envelopes.slice(index, index + 500) });
      found.resendStatus();
      return found;
    }
    const mine = [...sessions.values()].filter((session) => session.address === address).length;
    if (mine >= limits.sessionsPerAddress || sessions.size >= limits.maxSessions) {
      refuse(ws, 'TOO_MANY_SESSIONS', mine >= limits.sessionsPerAddress ? `at most ${limits.sessionsPerAddress} sessions from one address; close a tab` : 'this classroom is full');
      ws.close(1008, 'too many sessions');
      return undefined;
    }
    const session = createSession(address);
    sockets.set(session, ws);
    send(ws, welcome(session.token, false, 1));
    log(`session ${session.token.slice(0, 4)}… opened from ${address}`);
    void session.open(defaultTarget);
    return session;
  };

  const welcome = (token: string, resumed: boolean, oldest: number): ServerMessage => ({
    v: PROTOCOL_VERSION,
    t: 'welcome',
    session: token,
    resumed,
    oldest,
    lessons: options.lessons,
    remotes: options.allowRemote.map(formatAllowed),
    lab: options.lab.map((entry) => entry.name),
    logins: options.logins,
  });

  const handle = (session: TabSession, message: Exclude<ClientMessage, { t: 'hello' }>) => {
    switch (message.t) {
      case 'input':
        void session.submit(message.lines);
        return;
      case 'meta':
        void metaCommand(session, message.line);
        return;
      case 'open':
        void session.open(message.target);
        return;
      case 'next':
        void session.next();
        return;
      case 'bye':
        session.saidGoodbye = true;
        return;
    }
  };

  /** Meta-commands that change the target go through the same checks as the picker; the rest run in the session. */
  const metaCommand = async (session: TabSession, line: string) => {
    const [name = '', ...words] = line.slice(1).trim().split(/\s+/);
    switch (name.toLowerCase()) {
      case 'connect': {
        const what = words[0] ?? '';
        if (what === 'pop3' || what === 'smtp' || what === 'submission') return session.open({ kind: 'lab', server: what });
        if (what === '') return session.notice('usage: /connect pop3|smtp|submission|URL [--starttls] [--insecure]', 'warning');
        return session.open({ kind: 'remote', url: what, ...(words.includes('--starttls') ? { starttls: true } : {}), ...(words.includes('--insecure') ? { insecure: true } : {}) });
      }
      case 'sandbox': {
        const server = words[0] ?? 'pop3';
        if (server !== 'pop3' && server !== 'smtp' && server !== 'submission') return session.notice('usage: /sandbox [pop3|smtp|submission]', 'warning');
        return session.open({ kind: 'sandbox', server });
      }
      case 'lesson': {
        const mode = words[1] ?? 'step';
        if (!words[0] || (mode !== 'watch' && mode !== 'step' && mode !== 'practice')) return session.notice('usage: /lesson ID [watch|step|practice]', 'warning');
        return session.open({ kind: 'lesson', id: words[0], mode });
      }
      case 'next':
        return session.next();
      case 'save':
        return session.notice('in the browser, use the download buttons (text or JSON)');
      default:
        return session.meta(line);
    }
  };

  const sweep = setInterval(() => {
    const now = clock();
    for (const session of sessions.values()) {
      if (session.detachedAt !== undefined && now - session.detachedAt > limits.resumeGraceMs) void endSession(session, 'the page went away; session ended');
      else if (now - session.lastActivity > limits.idleTimeoutMs) {
        const ws = sockets.get(session);
        if (ws) refuse(ws, 'IDLE', 'idle too long; session ended');
        void endSession(session, `idle for ${Math.round(limits.idleTimeoutMs / 60_000)} minutes; session ended`);
      }
    }
  }, Math.max(50, Math.min(limits.idleTimeoutMs, limits.resumeGraceMs) / 4));
  sweep.unref();

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const port = (server.address() as { port: number }).port;
  policy = hostPolicy(options.host, port, options.hostNames);
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    get sessions() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((session) => endSession(session, 'the classroom server is stopping')));
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}
