/**
 * The messages between the page and the WebSocket bridge: versioned JSON, one
 * object per WebSocket text message. The page sends input, control and
 * goodbye messages; the bridge sends the core's event envelopes (one tab's
 * events, `seq` counting from 1 without gaps across every target the tab
 * opens), the session's status, and refusals with a stable code.
 *
 * Shared by both sides: pure, browser-safe, it imports only types from the
 * core's browser entry. `parseClientMessage` is the one place the bridge
 * decides what a page may ask for.
 */
import type { EventEnvelope, Protocol } from '../../core/browser.js';

/** Bumped when a message changes shape; the bridge refuses other versions. */
export const PROTOCOL_VERSION = 1;

/** What the page may ask to talk to. A `lab` server is one of the lab's own listeners, over real TCP. */
export type TargetChoice =
  | { kind: 'lab'; server: 'pop3' | 'smtp' | 'submission' }
  | { kind: 'sandbox'; server: 'pop3' | 'smtp' | 'submission' }
  | { kind: 'remote'; url: string; starttls?: boolean; insecure?: boolean }
  | { kind: 'lesson'; id: string; mode: 'watch' | 'step' | 'practice' };

/** Page → bridge. */
export type ClientMessage =
  /** First message on every connection: a new session, or resume `session` after `after`; `code` is the class code when the classroom has one. */
  | { v: 1; t: 'hello'; session?: string; after?: number; code?: string }
  /** Lines the console model released (one line, or a pipelining batch). */
  | { v: 1; t: 'input'; lines: string[] }
  /** A meta-command line such as "/help" or "/plain alice secret". */
  | { v: 1; t: 'meta'; line: string }
  /** Switch what the session talks to. */
  | { v: 1; t: 'open'; target: TargetChoice }
  /** Lesson step mode: play the next step. */
  | { v: 1; t: 'next' }
  /**
   * The page is going away (pagehide): the bridge ends the session once the
   * socket closes, after a short grace for a reload to resume it, instead of
   * holding the lab session (and a POP3 maildrop lock) for the resume grace.
   */
  | { v: 1; t: 'bye' };

export interface LessonSummary {
  readonly id: string;
  readonly title: string;
  readonly protocol: Protocol;
  readonly rfc: string;
  /** Lessons that can only be watched (no replay against the lab). */
  readonly watchOnly: boolean;
}

/** What the session talks to now, and what the console needs to know. */
export interface SessionStatus {
  /** Changes each time the tab opens a new target; envelopes of the new target carry its `session`. */
  readonly generation: number;
  /** The envelope `session` of this target's events. */
  readonly source: string;
  readonly target: TargetChoice;
  /** A short name for the status bar: "lab POP3 (pop3://127.0.0.1:1110)". */
  readonly label: string;
  readonly protocol: Protocol;
  readonly state: string;
  readonly inputMode: 'command' | 'data' | 'sasl';
  readonly closed: boolean;
  /** What the status bar shows besides. */
  readonly facts: {
    readonly tls: boolean;
    readonly user?: string;
    readonly messages?: number;
    readonly envelope?: { readonly from?: string; readonly to: readonly string[] };
    readonly step?: number;
    readonly steps?: number;
  };
  /** Lesson runs: the lesson and, in step mode, whether steps are left. */
  readonly lesson?: { readonly id: string; readonly title: string; readonly mode: 'watch' | 'step' | 'practice'; readonly stepsLeft: boolean };
}

/** Stable codes of refusals (documented in web/README.md). */
export const REFUSAL_CODES = [
  'BAD_MESSAGE',
  'BAD_VERSION',
  'NO_HELLO',
  'TOO_MANY_SESSIONS',
  'REMOTE_NOT_ALLOWED',
  'NO_SUCH_LESSON',
  'TARGET_FAILED',
  'META_NOT_HERE',
  'SESSION_CLOSED',
  'IDLE',
  'BUSY',
  'CLASS_CODE',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Bridge → page. */
export type ServerMessage =
  | {
      v: 1;
      t: 'welcome';
      /** The secret that resumes this session after a reconnect; keep it per tab. */
      session: string;
      /** True when `session` from the hello was found and events after `after` follow. */
      resumed: boolean;
      /** The first seq the bridge still holds for this session (older events were dropped from the backlog). */
      oldest: number;
      /** On a resume: how many of the bodies that follow lost their content to bound the bridge's memory (they come as summaries). */
      emptied?: number;
      lessons: readonly LessonSummary[];
      /** Remote servers the operator allowed (`--allow-remote`), as "host:port". */
      remotes: readonly string[];
      /** Lab listeners that are on. */
      lab: readonly ('pop3' | 'smtp' | 'submission')[];
      logins: readonly { user: string; password: string }[];
    }
  | { v: 1; t: 'events'; envelopes: EventEnvelope[] }
  | { v: 1; t: 'status'; status: SessionStatus }
  | { v: 1; t: 'refused'; code: RefusalCode; message: string };

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: RefusalCode; message: string };

const SERVERS = ['pop3', 'smtp', 'submission'];
const MODES = ['watch', 'step', 'practice'];
/** The longest class code a hello may carry. */
export const MAX_CLASS_CODE = 200;
/** The most lines one input message carries (a pasted batch). */
export const MAX_INPUT_LINES = 1000;

/** Checks one message from a page; anything not exactly one of the shapes above is refused. */
export function parseClientMessage(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (!isRecord(value)) return bad('not a JSON object');
  if (value.v !== PROTOCOL_VERSION) return { ok: false, code: 'BAD_VERSION', message: `this bridge speaks version ${PROTOCOL_VERSION}` };
  switch (value.t) {
    case 'hello': {
      const session = value.session;
      const after = value.after;
      const code = value.code;
      if (session !== undefined && (typeof session !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(session))) return bad('hello: bad session');
      if (after !== undefined && !isCount(after)) return bad('hello: bad after');
      if (code !== undefined && (typeof code !== 'string' || code.length > MAX_CLASS_CODE)) return bad('hello: bad class code');
      return ok({ v: 1, t: 'hello', ...(session !== undefined ? { session } : {}), ...(after !== undefined ? { after } : {}), ...(code !== undefined ? { code } : {}) });
    }
    case 'input': {
      const lines = value.lines;
      if (!Array.isArray(lines) || lines.length === 0 || lines.length > MAX_INPUT_LINES || !lines.every((line) => typeof line === 'string' && !/[\r\n]/.test(line))) {
        return bad('input: lines must be 1 to 1000 strings without CR or LF');
      }
      return ok({ v: 1, t: 'input', lines: lines as string[] });
    }
    case 'meta':
      if (typeof value.line !== 'string' || !value.line.startsWith('/') || /[\r\n]/.test(value.line)) return bad('meta: line must start with "/"');
      return ok({ v: 1, t: 'meta', line: value.line });
    case 'open': {
      const target = parseTarget(value.target);
      return target ? ok({ v: 1, t: 'open', target }) : bad('open: unknown target');
    }
    case 'next':
      return ok({ v: 1, t: 'next' });
    case 'bye':
      return ok({ v: 1, t: 'bye' });
    default:
      return bad('unknown message type');
  }
}

function parseTarget(value: unknown): TargetChoice | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.kind) {
    case 'lab':
    case 'sandbox':
      return typeof value.server === 'string' && SERVERS.includes(value.server) ? { kind: value.kind, server: value.server as 'pop3' } : undefined;
    case 'remote':
      return typeof value.url === 'string' && value.url.length <= 300
        ? { kind: 'remote', url: value.url, ...(value.starttls === true ? { starttls: true } : {}), ...(value.insecure === true ? { insecure: true } : {}) }
        : undefined;
    case 'lesson':
      return typeof value.id === 'string' && value.id.length <= 100 && typeof value.mode === 'string' && MODES.includes(value.mode)
        ? { kind: 'lesson', id: value.id, mode: value.mode as 'watch' }
        : undefined;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function ok(message: ClientMessage): ParseResult {
  return { ok: true, message };
}

function bad(message: string): ParseResult {
  return { ok: false, code: 'BAD_MESSAGE', message };
}
