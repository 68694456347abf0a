/**
 * The classroom's web server: the built page over HTTP and the WebSocket
 * bridge at /ws. Each tab gets its own session (TabSession) that opens ready,
 * on the lab's POP3 listener when it is on. Everything a page may ask for is
 * checked here, before anything is opened:
 * - `Host` must name this server and `Origin` must be its own page, refused
 *   with 403 before the upgrade (DNS rebinding, cross-site WebSocket hijacking);
 * - every upgraded socket counts against a per-address and a global cap from
 *   the upgrade on, and one that says no `hello` in time is closed;
 * - with a class code, a `hello` without it opens nothing;
 * - messages are small (`maxPayload`), versioned and validated;
 * - a page picks a lab listener, the sandbox, a lesson by id, or a remote
 *   server on the operator's --allow-remote list: never an arbitrary socket;
 * - sessions per address and in all are capped, the last few slots kept for
 *   addresses with no session yet; a tab quiet for too long is ended; a
 *   browser that stops reading is dropped once its send buffer is full;
 * - what a tab holds is bounded: its resume backlog in bytes, its waiting
 *   input (more is refused with BUSY);
 * - nothing a learner types is logged; refusals are, a few lines per address.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventEnvelope } from '../../core/browser.js';
import { escapeLines } from '../../core/escape-text.js';
import { ConnectionLimiter } from '../../core/net/connection-limiter.js';
import { parseClientMessage, PROTOCOL_VERSION, type ClientMessage, type LessonSummary, type RefusalCode, type ServerMessage, type TargetChoice } from '../protocol/messages.js';
import { bridgeLimits, type BridgeLimits } from './bridge-limits.js';
import { bridgeMetaCommand, targetResolver, type LabListenerRef } from './bridge-targets.js';
import { clientAddress, fromTrustedProxy } from './client-address.js';
import { hostAllowed, hostPolicy, originAllowed, type HostPolicy } from './origin-check.js';
import { defaultPageFolder, SECURITY_HEADERS, servePageFile } from './page-files.js';
import { RefusalLog } from './refusal-log.js';
import { formatAllowed, type AllowedRemote } from './remote-allowlist.js';
import { inputBytes, TabSession } from './tab-session.js';
import type { OpenTarget } from './target-session.js';

export type { LabListenerRef } from './bridge-targets.js';
export { bridgeLimits, DEFAULT_BRIDGE_LIMITS, type BridgeLimits } from './bridge-limits.js';

export interface WebServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Called once per tab, with the learner's address: each tab may have its own sandbox, and its lab connections speak for that address. */
  openerForTab: (address: string) => OpenTarget;
  lab: readonly LabListenerRef[];
  allowRemote: readonly AllowedRemote[];
  lessons: readonly LessonSummary[];
  logins: readonly { user: string; password: string }[];
  /** More host names learners use to reach this server (a DNS name, the machine's addresses). */
  hostNames?: readonly string[];
  /** Reverse proxies whose X-Forwarded-For / Forwarded header names the learner's address (--trust-proxy). */
  trustProxy?: readonly string[];
  /** A code every page must send with its hello before anything is opened (--class-code). */
  classCode?: string;
  pageFolder?: string;
  limits?: Partial<BridgeLimits>;
  clock?: () => number;
  /** One line per connection event; never what a learner typed. */
  log?: (text: string) => void;
  /** Refusals (caps, silent sockets, wrong class codes), a few lines per address: written even without --verbose. */
  warn?: (text: string) => void;
}

export interface RunningWebServer {
  readonly url: string;
  readonly port: number;
  /** Tab sessions open now. */
  readonly sessions: number;
  /** WebSockets open now, with or without a session. */
  readonly sockets: number;
  /** What the tabs hold: backlog bytes and waiting input bytes in all, and the most input that ever waited in one tab. */
  held(): { backlogBytes: number; queuedBytes: number; queuedPeak: number };
  close(): Promise<void>;
}

/** Starts the HTTP server and the bridge. */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const limits = bridgeLimits(options.limits);
  const clock = options.clock ?? Date.now;
  const log = options.log ?? (() => undefined);
  const refusals = new RefusalLog(options.warn ?? log, clock);
  const pageFolder = options.pageFolder ?? defaultPageFolder();
  const trustProxy = options.trustProxy ?? [];
  const codeDigest = options.classCode === undefined ? undefined : digest(options.classCode);
  const sessions = new Map<string, TabSession>();
  const sockets = new Map<TabSession, WebSocket>();
  const socketSlots = new ConnectionLimiter({ maxConnections: limits.maxSockets, maxPerAddress: limits.socketsPerAddress });
  const resolveTarget = targetResolver(options);
  let tabNumber = 0;
  let policy: HostPolicy;

  const server: Server = createServer((request, response) => {
    if (!hostAllowed(policy, request.headers.host, fromTrustedProxy(request, trustProxy))) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('this server does not answer to that host name\n');
      return;
    }
    void servePageFile(pageFolder, request, response);
  });
  // A connection that never finishes its request headers holds a descriptor: not for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload, perMessageDeflate: false });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const address = clientAddress(request, trustProxy);
    const refuse = (status: number, text: string, why = text) => {
      refusals.note(address, `upgrade ${status}`, why);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/ws') return refuse(404, 'Not Found');
    const viaProxy = fromTrustedProxy(request, trustProxy);
    if (!hostAllowed(policy, request.headers.host, viaProxy)) return refuse(403, 'Forbidden', 'Host is not this server');
    if (!originAllowed(policy, request.headers.origin, request.headers.host, viaProxy)) return refuse(403, 'Forbidden', 'Origin is not this server');
    const slot = socketSlots.admit(address);
    if (!slot.ok) return refuse(503, 'Service Unavailable', slot.reason);
    socket.once('close', slot.release);
    wss.handleUpgrade(request, socket, head, (ws) => attach(ws, address));
  });

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.sendBufferLimit) {
      log(`dropped a page that stopped reading (${ws.bufferedAmount} bytes unread)`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  };
  // A refusal may quote a server (TARGET_FAILED with its reply to STLS): escaped here too, whatever the page does.
  const refuse = (ws: WebSocket, code: RefusalCode, message: string) => send(ws, { v: 1, t: 'refused', code, message: escapeLines(message) });
  /** Says why, then closes; a peer that does not answer the close is cut off soon after. */
  const shut = (ws: WebSocket, code: RefusalCode, message: string, reason: string) => {
    refuse(ws, code, message);
    ws.close(1008, reason);
    setTimeout(() => ws.terminate(), 1000).unref();
  };

  const createSession = (address: string): TabSession => {
    const session: TabSession = new TabSession({
      token: randomBytes(18).toString('base64url'),
      number: ++tabNumber,
      address,
      openTarget: options.openerForTab(address),
      resolve: resolveTarget,
      backlogLimit: limits.backlogLimit,
      backlogBytes: limits.backlogBytes,
      queueBytes: limits.inputQueueBytes,
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
    let greeted = false;
    const silent = setTimeout(() => {
      if (greeted) return;
      refusals.note(address, 'no hello', `no hello within ${limits.helloTimeoutMs} ms; closed`);
      shut(ws, 'NO_HELLO', `no hello within ${limits.helloTimeoutMs} ms`, 'no hello');
    }, limits.helloTimeoutMs);
    silent.unref();
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return refuse(ws, 'BAD_MESSAGE', 'text messages only');
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) return refuse(ws, parsed.code, parsed.message);
      const message: ClientMessage = parsed.message;
      if (message.t === 'hello') {
        if (greeted) return refuse(ws, 'BAD_MESSAGE', 'hello twice');
        greeted = true;
        clearTimeout(silent);
        if (codeDigest && (message.code === undefined || !timingSafeEqual(digest(message.code), codeDigest))) {
          if (message.code !== undefined) refusals.note(address, 'class code', 'wrong class code');
          return shut(ws, 'CLASS_CODE', message.code === undefined ? 'this classroom asks for its class code' : 'that is not the class code', 'class code');
        }
        session = hello(ws, address, message.session, message.after ?? 0);
        return;
      }
      if (!session) return refuse(ws, 'NO_HELLO', 'send hello first');
      session.lastActivity = clock();
      handle(ws, session, message);
    });
    ws.on('close', (code) => {
      clearTimeout(silent);
      if (session && sockets.get(session) === ws) {
        sockets.delete(session);
        const detachedAt = (session.detachedAt = clock());
        // A browser closing or leaving the page closes with 1001 (RFC 6455 §7.4.1), a script with 1000: the page is gone, not lost.
        if (code === 1000 || code === 1001) session.saidGoodbye = true;
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
      const { envelopes, oldest, emptied } = found.since(after);
      send(ws, { ...welcome(found.token, true, oldest), ...(emptied > 0 ? { emptied } : {}) });
      for (let index = 0; index < envelopes.length; index += 500) send(ws, { v: 1, t: 'events', envelopes: envelopes.slice(index, index + 500) });
      found.resendStatus();
      return found;
    }
    const full = fullFor(address);
    if (full) {
      refusals.note(address, 'sessions', full);
      shut(ws, 'TOO_MANY_SESSIONS', full, 'too many sessions');
      return undefined;
    }
    const session = createSession(address);
    sockets.set(session, ws);
    send(ws, welcome(session.token, false, 1));
    log(`session ${session.token.slice(0, 4)}… opened from ${address}`);
    void session.open(defaultTarget);
    return session;
  };

  /** Why a new session from `address` does not fit, or undefined when it does. */
  const fullFor = (address: string): string | undefined => {
    const mine = [...sessions.values()].filter((session) => session.address === address).length;
    if (mine >= limits.sessionsPerAddress) return `at most ${limits.sessionsPerAddress} sessions from one address; close a tab`;
    if (sessions.size >= limits.maxSessions) return 'this classroom is full';
    if (mine > 0 && sessions.size >= limits.maxSessions - limits.newcomerSlots) return 'this classroom is nearly full: the last places are kept for learners who have none yet; close a tab';
    return undefined;
  };

  const defaultTarget: TargetChoice = options.lab.some((entry) => entry.name === 'pop3') ? { kind: 'lab', server: 'pop3' } : { kind: 'sandbox', server: 'pop3' };

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

  const handle = (ws: WebSocket, session: TabSession, message: Exclude<ClientMessage, { t: 'hello' }>) => {
    if (message.t !== 'bye' && !session.accepts(message.t === 'input' ? inputBytes(message.lines) : message.t === 'meta' ? message.line.length : 0)) {
      return refuse(ws, 'BUSY', 'too much is waiting to be sent; this message was dropped, send it again once the replies have come');
    }
    switch (message.t) {
      case 'input':
        void session.submit(message.lines);
        return;
      case 'meta':
        void bridgeMetaCommand(session, message.line);
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
    get sockets() {
      return socketSlots.open;
    },
    held() {
      const all = [...sessions.values()].map((session) => session.held());
      return {
        backlogBytes: all.reduce((sum, one) => sum + one.backlogBytes, 0),
        queuedBytes: all.reduce((sum, one) => sum + one.queuedBytes, 0),
        queuedPeak: Math.max(0, ...all.map((one) => one.queuedPeak)),
      };
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

/** A fixed-length digest, so comparing codes takes the same time whatever was sent. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
