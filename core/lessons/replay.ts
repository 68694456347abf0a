/**
 * Replays a lesson against a lab, step by step: connect when a session
 * starts, send the step's client lines, read as many server lines as the
 * lesson shows and compare them byte for byte, close when the session ends.
 * Watch, step, practice and `lesson check` all drive this one replay; a
 * watch-only lesson is played from its text, annotated by the client trackers.
 */
import { Pop3Tracker } from '../client/pop3-tracker.js';
import { SmtpTracker } from '../client/smtp-tracker.js';
import type { ClientTracker } from '../client/tracker.js';
import type { WireEvent } from '../events.js';
import type { LessonConnection, LessonLab } from './lab-connection.js';
import { serverOf, type Lesson, type ServerPersona, type TranscriptStep } from './lesson.js';

/** Where replaying first differed from the lesson. */
export interface Difference {
  /** The lesson file line to look at. */
  readonly line: number;
  readonly session: number;
  /** What the lesson shows there; undefined when the lesson expects nothing more. */
  readonly expected: string | undefined;
  /** What the server sent; undefined when it sent nothing (in time) or had closed. */
  readonly actual: string | undefined;
  readonly reason: 'mismatch' | 'missing' | 'extra' | 'closed';
}

/** One step as it happened. */
export interface PlayedStep {
  readonly session: number;
  readonly index: number;
  readonly step: TranscriptStep;
  readonly server: ServerPersona;
  /** The first step of a session (shown or not): a new connection was opened for it. */
  readonly opensSession: boolean;
  /** The last step of its session: the connection is closed after it. */
  readonly closesSession: boolean;
  /** The client lines as sent (a learner's own wording in practice). */
  readonly sent: readonly string[];
  /** The server lines as received. */
  readonly received: readonly string[];
  /** The events of this step, in order: the server's (replay) or the trackers' (watch-only). */
  readonly events: readonly WireEvent[];
  /** The server's state after the step, when the lab can see it (in process); before the connection is closed. */
  readonly state?: string;
  readonly difference?: Difference;
}

export interface StepPosition {
  readonly session: number;
  readonly index: number;
  readonly step: TranscriptStep;
}

const CRLF = '\r\n';
/** What the trackers of a watch-only lesson are told at `== tls ==`: no handshake happened. */
const NOT_REPLAYED_TLS = { version: 'TLS', cipher: '(not replayed)' } as const;

/** The cursor over a lesson's sessions and steps, and the connection of the current session. */
export class Replay {
  private session = 0;
  private index = 0;
  private connection: LessonConnection | undefined;
  private tracker: ClientTracker | undefined;
  private sent: string[] = [];
  /** A client line of this step was sent after the server had closed the connection. */
  private sentAfterClose = false;
  private trackerEvents: WireEvent[] = [];
  /** Server lines read early by exchange(), not yet handed to a step. */
  private early: Buffer[] = [];

  /** @param lab the lab to replay against; none for a watch-only lesson. */
  constructor(
    readonly lesson: Lesson,
    private readonly lab: LessonLab | undefined,
  ) {
    if (!lab && lesson.mode === 'replay') throw new Error(`lesson ${lesson.id} is replayed against a lab; none given`);
  }

  /** The step to play next, or undefined at the end of the lesson. */
  get current(): StepPosition | undefined {
    const session = this.lesson.sessions[this.session];
    const step = session?.steps[this.index];
    return step ? { session: this.session, index: this.index, step } : undefined;
  }

  /** The live connection of the current session, once opened (in-process: its state and input kind). */
  get live(): LessonConnection | undefined {
    return this.connection;
  }

  /** Opens the current session's connection (or tracker) if the step is its first. */
  async begin(): Promise<void> {
    if (this.connection || this.tracker || !this.current) return;
    const persona = serverOf(this.lesson, this.lesson.sessions[this.session]!);
    if (this.lab) {
      this.connection = await this.lab.connect(this.session);
    } else {
      this.tracker = persona.protocol === 'pop3' ? new Pop3Tracker() : new SmtpTracker();
      this.trackerEvents.push(...this.tracker.connected());
    }
  }

  /** Sends one client line of the current step. */
  async send(line: string): Promise<void> {
    await this.begin();
    this.sent.push(line);
    if (this.connection?.closed) this.sentAfterClose = true;
    if (this.connection) await this.connection.send(Buffer.from(line + CRLF, 'utf8'));
    else this.trackerEvents.push(...this.tracker!.sent(line));
  }

  /**
   * Sends one client line and returns every complete line the server has sent
   * since (in process: its whole reply, at once). The lines stay the current
   * step's: finish() reads them first. Practice judges a learner's line by them.
   */
  async exchange(line: string): Promise<string[]> {
    await this.send(line);
    if (!this.connection) return [];
    const lines = await this.connection.leftover();
    this.early.push(...lines);
    return lines.map((received) => received.toString('utf8'));
  }

  /**
   * Forgets the lines sent and received so far in this step: practice showed
   * them apart (the first steps of another route to the step's result, or a
   * detour the lab keeps), and the step's own reply is what comes next.
   */
  forget(): void {
    this.sent = [];
    this.early = [];
  }

  /** Reads the step's server lines, compares them, and moves on; closes the session after its last step. */
  async finish(): Promise<PlayedStep> {
    await this.begin();
    const position = this.current;
    if (!position) throw new Error('finish() after the end of the lesson');
    const { step } = position;
    const server = serverOf(this.lesson, this.lesson.sessions[position.session]!);
    let received: string[];
    let difference: Difference | undefined;
    let events: WireEvent[];
    if (this.connection) {
      const early = this.early.splice(0, step.server.length);
      const rest = step.server.length - early.length;
      const lines = rest > 0 ? [...early, ...(await this.connection.readLines(rest))] : early;
      received = lines.map((line) => line.toString('utf8'));
      difference = this.sentAfterClose ? closedDifference(step, position.session) : compare(step, lines, position.session);
      // `== tls ==`: the server agreed, the handshake follows (a reply that differs was no agreement).
      if (step.tls && !difference) await this.connection.startTls();
      events = this.connection.takeEvents();
    } else {
      received = step.server.map((line) => line.text);
      for (const line of received) this.trackerEvents.push(...this.tracker!.received(line));
      if (step.tls) this.trackerEvents.push(...this.tracker!.tlsEstablished(NOT_REPLAYED_TLS));
      events = this.trackerEvents.splice(0);
    }
    const state = this.connection?.closed ? 'CLOSED' : this.connection?.state;
    const sessionSteps = this.lesson.sessions[position.session]!.steps;
    const closesSession = position.index === sessionSteps.length - 1;
    if (closesSession) {
      difference ??= await this.endSession(position.session, step);
      events.push(...(this.connection?.takeEvents() ?? []));
      await this.connection?.close();
      events.push(...(this.connection?.takeEvents() ?? []));
      this.connection = undefined;
      this.tracker = undefined;
      this.early = [];
      this.session++;
      this.index = 0;
    } else {
      this.index++;
    }
    const played: PlayedStep = {
      session: position.session,
      index: position.index,
      step,
      server,
      opensSession: position.index === 0,
      closesSession,
      sent: this.sent,
      received,
      events,
      ...(state !== undefined ? { state } : {}),
      ...(difference ? { difference } : {}),
    };
    this.sent = [];
    this.sentAfterClose = false;
    return played;
  }

  /** Sends every client line of the current step as the lesson writes them, then finishes it. */
  async playStep(): Promise<PlayedStep> {
    await this.begin();
    const step = this.current!.step;
    if (this.connection && step.client.length > 0) {
      // Pipelined as the lesson shows them: one write for the step's lines.
      if (this.connection.closed) this.sentAfterClose = true;
      this.sent.push(...step.client.map((line) => line.text));
      await this.connection.send(Buffer.from(step.client.map((line) => line.text + CRLF).join(''), 'utf8'));
    } else {
      for (const line of step.client) await this.send(line.text);
    }
    return this.finish();
  }

  /** Ends the lesson early: closes the open connection. */
  async stop(): Promise<void> {
    await this.connection?.close();
    this.connection = undefined;
    this.tracker = undefined;
    this.early = [];
  }

  /** After a session's last step: the server must have nothing more to say. */
  private async endSession(session: number, last: TranscriptStep): Promise<Difference | undefined> {
    if (!this.connection) return undefined;
    const extra = [...this.early.splice(0), ...(await this.connection.leftover())];
    if (extra.length === 0) return undefined;
    const lines = this.lesson.sessions[session]!.steps.flatMap((step) => [...step.client, ...step.server]);
    return { line: lines[lines.length - 1]?.line ?? last.line, session, expected: undefined, actual: extra[0]!.toString('utf8'), reason: 'extra' };
  }
}

/** The first line that differs between what the step shows and what came. */
function compare(step: TranscriptStep, lines: readonly Buffer[], session: number): Difference | undefined {
  for (const [index, expected] of step.server.entries()) {
    const actual = lines[index];
    if (actual === undefined) return { line: expected.line, session, expected: expected.text, actual: undefined, reason: 'missing' };
    if (!actual.equals(Buffer.from(expected.text, 'utf8'))) return { line: expected.line, session, expected: expected.text, actual: actual.toString('utf8'), reason: 'mismatch' };
  }
  return undefined;
}

function closedDifference(step: TranscriptStep, session: number): Difference {
  const first = step.client[0] ?? step.server[0];
  return { line: first?.line ?? step.line, session, expected: first?.text, actual: undefined, reason: 'closed' };
}
