/**
 * The classroom session controller the TUI and the web bridge share: one
 * conversation with the sandbox, a real server or a lesson, its events
 * stamped with one gapless `seq` (so a page can resume from a seq), its
 * meta-commands run, and what a status bar shows. No UI, no terminal; it may
 * open sockets (a remote target), so it is an adapter, not a pure layer.
 */
import { isMetaCommand, runMetaCommand } from '../client/meta-commands.js';
import type { ClientInputMode } from '../client/tracker.js';
import { explain } from '../annotations/explain.js';
import { EventStamper, type EventEnvelope, type Protocol, type WireEvent } from '../events.js';
import { renderEntry, renderNoEntry } from '../render/catalogue-entry.js';
import type { Socket } from 'node:net';
import type { Sandbox } from '../sandbox/sandbox.js';
import { CLASSROOM_HELP } from './classroom-commands.js';
import type { ClassroomDriver } from './driver.js';
import { findLesson, LessonDriver } from './lesson-driver.js';
import { CLASSROOM_TEXT } from './messages.js';
import { RemoteDriver } from './remote-driver.js';
import { SandboxDriver } from './sandbox-driver.js';
import { SessionFactsTracker } from './session-status.js';
import { parseServerUrl } from '../net/server-url.js';
import { describeTarget, type ClassroomTarget } from './target.js';

export type { ClassroomTarget } from './target.js';

export interface ClassroomOptions {
  /** The in-process lab sandbox targets open sessions in (one per process or page, so mail sent arrives). */
  sandbox: Sandbox;
  /** The envelopes' session id (default: a fresh one per session). */
  session?: string;
  /** Milliseconds since the epoch for envelopes (default Date.now). */
  clock?: () => number;
  /** Every event of the session, stamped, in order. */
  onEnvelope: (envelope: EventEnvelope) => void;
  /** Where `lesson` targets without their own `dir` are read from (default: the package's lessons/). */
  lessonsDir?: string;
  /** Remote targets: how long to wait for a reply (default 30 s). */
  replyTimeoutMs?: number;
  /** Lessons in step mode: each `next()` plays half a step (the client's lines, then the server's reply), as `maillab lesson play --mode step`. */
  stepInHalves?: boolean;
  /** Remote targets: told of each TCP socket as it is created (the bridge marks its own lab connections). */
  onSocket?: (socket: Socket) => void;
}

/** What a status bar shows. */
export interface ClassroomStatus {
  target: string;
  protocol: Protocol;
  tls: boolean;
  /** TLS is up but its certificate did not verify (--insecure). */
  tlsUnverified?: boolean;
  /** The connection is gone (the server closed it, or TLS failed). */
  closed?: boolean;
  user?: string;
  /** POP3: the message count the server last reported. */
  messages?: number;
  /** SMTP: the envelope of the mail transaction so far. */
  envelope?: { from?: string; to: string[] };
  lesson?: { id: string; title: string; step: number; of: number };
}

let opened = 0;

export class ClassroomSession {
  private driver!: ClassroomDriver;
  private facts!: SessionFactsTracker;
  private factsProtocol: Protocol | undefined;
  /** The APOP timestamp of the greeting and the last SASL challenge, for /apop and /cram. */
  private apopTimestamp: string | undefined;
  private lastChallenge: string | undefined;
  private sawGreeting = false;

  private constructor(
    readonly target: ClassroomTarget,
    private readonly stamper: EventStamper,
    private readonly options: ClassroomOptions,
  ) {}

  /** Opens a session; rejects (with a one-line message) when a server cannot be reached or a lesson is not found. */
  static async open(target: ClassroomTarget, options: ClassroomOptions): Promise<ClassroomSession> {
    const stamper = new EventStamper(options.session ?? `classroom-${process.pid}-${++opened}`, options.clock ?? Date.now);
    const session = new ClassroomSession(target, stamper, options);
    const emit = (event: WireEvent) => session.emit(event);
    switch (target.kind) {
      case 'sandbox':
        emit({ kind: 'notice', text: CLASSROOM_TEXT.sandboxOpened(target.server, options.sandbox.logins.map((login) => login.user).join(', ')) });
        session.driver = new SandboxDriver(options.sandbox, target.server, emit);
        break;
      case 'remote':
        session.driver = await RemoteDriver.open(
          { url: target.url, insecure: target.insecure === true, starttls: target.starttls === true, ...(target.tls ? { tls: target.tls } : {}), replyTimeoutMs: options.replyTimeoutMs ?? 30_000, ...(options.onSocket ? { onSocket: options.onSocket } : {}) },
          emit,
        );
        break;
      case 'lesson':
        session.driver = await LessonDriver.open(await findLesson(target.id, target.dir ?? options.lessonsDir), target.mode, emit, { halves: options.stepInHalves === true });
        break;
    }
    return session;
  }

  get id(): string {
    return this.stamper.session;
  }

  /** The seq of the last envelope sent (0 before the first). */
  get seq(): number {
    return this.stamper.seq;
  }

  get protocol(): Protocol {
    return this.driver?.protocol ?? initialProtocol(this.target);
  }

  /** The server's state (core/protocols names). */
  get state(): string {
    return this.driver.state;
  }

  get inputMode(): ClientInputMode {
    return this.driver.inputMode;
  }

  get closed(): boolean {
    return this.driver.closed;
  }

  get status(): ClassroomStatus {
    const facts = this.tracker().snapshot;
    const lesson = this.driver.lesson;
    return {
      target: describeTarget(this.target),
      protocol: this.protocol,
      ...facts,
      ...(this.driver.closed ? { closed: true } : {}),
      ...(lesson ? { lesson: { id: lesson.id, title: lesson.title, step: lesson.step, of: lesson.of } } : {}),
    };
  }

  /** One batch of lines from the console model's `send` action. */
  async submit(lines: readonly string[], how: { insist?: boolean } = {}): Promise<void> {
    if (lines.length === 0) return;
    if (this.driver.closed) {
      this.emit({ kind: 'notice', text: CLASSROOM_TEXT.sessionClosed, level: 'warning' });
      return;
    }
    await this.driver.submit(lines, how);
  }

  /**
   * A meta-command the session runs: /help, /explain THING, /next, /hint,
   * /reveal, and the raw client's helpers (/plain, /b64, /decode, /apop,
   * /cram, /login). Output goes out as `notice` events; a helper that makes a
   * protocol line sends it. Front-end commands (/connect, /save, /clear,
   * /annotations, /quit) are the front end's (parseClassroomCommand).
   */
  async meta(line: string): Promise<void> {
    const name = /^\/(\S+)/.exec(line.trim())?.[1]?.toLowerCase() ?? '';
    const rest = line.trim().slice(name.length + 1).trim();
    if (name === 'help') return this.notice(CLASSROOM_HELP);
    if (name === 'explain') {
      const result = explain(rest);
      return this.notice(result.entries.length > 0 ? result.entries.map(renderEntry).join('\n\n') : renderNoEntry(result));
    }
    if (await this.driver.meta(line)) return;
    if (name === 'bytes') return this.notice(CLASSROOM_TEXT.notSupportedHere(name));
    if (!isMetaCommand(line)) return this.submit([line]);
    const result = runMetaCommand(line, {
      ...(this.apopTimestamp ? { apopTimestamp: this.apopTimestamp } : {}),
      ...(this.lastChallenge ? { lastChallenge: this.lastChallenge } : {}),
    });
    switch (result.kind) {
      case 'send':
        this.notice(result.note);
        return this.submit([result.line], result.insist ? { insist: true } : {});
      case 'print':
        return this.notice(result.text);
      case 'error':
        return this.notice(`meta-command: ${result.message}`, 'warning');
      default:
        return this.notice(CLASSROOM_TEXT.notSupportedHere(name));
    }
  }

  /** Lessons in watch or step mode: plays the next step (or half step, `stepInHalves`); false at the end (and for other targets). */
  next(): Promise<boolean> {
    return this.driver.next();
  }

  /** Ends the session (no QUIT is sent). */
  async close(): Promise<void> {
    await this.driver.close();
  }

  private notice(text: string, level: 'info' | 'warning' = 'info'): void {
    this.emit({ kind: 'notice', text, ...(level === 'warning' ? { level } : {}) });
  }

  /** The facts tracker of the protocol spoken now (a lesson may move from POP3 to SMTP). */
  private tracker(): SessionFactsTracker {
    const protocol = this.protocol;
    if (!this.facts || this.factsProtocol !== protocol) {
      this.facts = new SessionFactsTracker(protocol);
      this.factsProtocol = protocol;
    }
    return this.facts;
  }

  private emit(event: WireEvent): void {
    this.tracker().apply(event);
    if (event.kind === 'line' && event.from === 'server' && !this.sawGreeting) {
      this.sawGreeting = true;
      this.apopTimestamp = /<[^<>@\s]+@[^<>\s]+>/.exec(event.text)?.[0];
    }
    if (event.kind === 'annotation' && /\.sasl\.challenge$/.test(event.key) && event.detail !== undefined) this.lastChallenge = event.detail;
    this.options.onEnvelope(this.stamper.stamp(event));
  }
}

/** The protocol before the driver is up (its first events come while it opens). */
function initialProtocol(target: ClassroomTarget): Protocol {
  if (target.kind === 'sandbox') return target.server === 'pop3' ? 'pop3' : 'smtp';
  if (target.kind === 'remote') {
    const parsed = parseServerUrl(target.url);
    return parsed.ok ? parsed.endpoint.protocol : 'pop3';
  }
  return 'pop3';
}
