/**
 * A lesson as a classroom driver: watch and step play one step per `next()`,
 * practice takes the learner's lines. Every step becomes events: the
 * narration and the player's dividers as notices, the step's own wire events
 * as they are. Step mode may play a step in the two halves `maillab lesson
 * play --mode step` shows: the narration and the client's lines, then, on the
 * next `next()`, the server's reply.
 */
import type { ClientInputMode } from '../client/tracker.js';
import type { Protocol, WireEvent } from '../events.js';
import { defaultLessonFolder, loadLessons } from '../lab/lesson-folder.js';
import type { Lesson } from '../lessons/lesson.js';
import { LessonRun } from '../lessons/lesson-run.js';
import { MESSAGES } from '../lessons/messages.js';
import { LessonPractice, type PracticeResult, type StepIntro } from '../lessons/practice.js';
import type { PlayedStep } from '../lessons/replay.js';
import { protocolData } from '../protocols/index.js';
import { describeDifference } from '../render/lesson-step.js';
import type { ClassroomDriver, Emit, LessonProgress } from './driver.js';
import { CLASSROOM_TEXT } from './messages.js';
import type { LessonPlayMode } from './target.js';

/** Reads the lesson `id` from `dir` (default: the package's lessons/). */
export async function findLesson(id: string, dir?: string): Promise<Lesson> {
  const folder = dir ?? defaultLessonFolder();
  const { lessons } = await loadLessons(folder);
  const lesson = lessons.find((candidate) => candidate.id === id);
  if (!lesson) throw new Error(CLASSROOM_TEXT.unknownLesson(id, folder));
  return lesson;
}

export interface LessonDriverOptions {
  /** Step mode: play each step in two halves (client side, then server side), as the CLI player does. */
  halves?: boolean;
}

/** What is left of a step after its client half: the server's events and what follows them. */
interface SecondHalf {
  readonly step: PlayedStep;
  readonly events: readonly WireEvent[];
}

export class LessonDriver implements ClassroomDriver {
  private current: Protocol;
  private secondHalf: SecondHalf | undefined;
  private tracked: string;
  private shown = 0;
  private ended = false;
  private readonly total: number;

  private constructor(
    private readonly lessonData: Lesson,
    private readonly run: LessonRun | undefined,
    private readonly practice: LessonPractice | undefined,
    private readonly emit: Emit,
    private readonly halves = false,
  ) {
    this.current = lessonData.protocol;
    this.tracked = protocolData(this.current).initial;
    this.total = lessonData.sessions.reduce((sum, session) => sum + session.steps.filter((step) => !step.hidden).length, 0);
  }

  static async open(lesson: Lesson, mode: LessonPlayMode, emit: Emit, options: LessonDriverOptions = {}): Promise<LessonDriver> {
    emit({ kind: 'notice', text: MESSAGES.lessonHeading(lesson.id, lesson.title, lesson.rfc) });
    if (lesson.reason !== undefined) emit({ kind: 'notice', text: MESSAGES.watchOnly(lesson.reason) });
    if (mode !== 'practice') {
      emit({ kind: 'notice', text: CLASSROOM_TEXT.lessonStepOnly });
      return new LessonDriver(lesson, await LessonRun.open(lesson), undefined, emit, mode === 'step' && options.halves === true);
    }
    if (lesson.mode !== 'replay') throw new Error(CLASSROOM_TEXT.lessonWatchOnlyPractice);
    const { practice, played, next } = await LessonPractice.start(lesson);
    const driver = new LessonDriver(lesson, undefined, practice, emit);
    emit({ kind: 'notice', text: MESSAGES.practiceIntro });
    for (const step of played) driver.showStep(step);
    driver.introduce(next);
    return driver;
  }

  get protocol(): Protocol {
    return this.current;
  }

  get state(): string {
    return this.practice?.state || this.tracked;
  }

  get inputMode(): ClientInputMode {
    return this.practice?.inputKind ?? 'command';
  }

  get closed(): boolean {
    return this.ended;
  }

  get lesson(): LessonProgress {
    return { id: this.lessonData.id, title: this.lessonData.title, step: this.shown, of: this.total };
  }

  async next(): Promise<boolean> {
    if (!this.run || this.ended) return false;
    const half = this.secondHalf;
    if (half) {
      this.secondHalf = undefined;
      this.showServerHalf(half.step, half.events);
      return true;
    }
    const step = await this.run.next();
    if (!step) {
      this.finish();
      return false;
    }
    const split = this.halves ? clientHalfEnd(step.events) : undefined;
    if (split === undefined) this.showStep(step);
    else {
      this.showClientHalf(step, step.events.slice(0, split));
      this.secondHalf = { step, events: step.events.slice(split) };
    }
    return true;
  }

  async submit(lines: readonly string[]): Promise<void> {
    if (!this.practice) {
      this.emit({ kind: 'notice', text: CLASSROOM_TEXT.lessonStepOnly });
      return;
    }
    for (const line of lines) {
      if (this.ended) return;
      this.result(await this.practice.submit(line));
      if (this.practice.finished) {
        this.emit({ kind: 'notice', text: MESSAGES.practiceDone });
        this.emit({ kind: 'notice', text: MESSAGES.practiceScore(this.practice.score) });
        this.finish();
      }
    }
  }

  async meta(line: string): Promise<boolean> {
    const name = /^\/(\w+)/.exec(line)?.[1]?.toLowerCase();
    if (name === 'next' && this.run) return this.next().then(() => true);
    if (name !== 'hint' && name !== 'reveal') return false;
    if (!this.practice) this.emit({ kind: 'notice', text: CLASSROOM_TEXT.notInLesson(name) });
    else if (name === 'hint') this.emit({ kind: 'notice', text: this.practice.explainNext() ?? MESSAGES.lessonEnd });
    else this.emit({ kind: 'notice', text: MESSAGES.revealed(this.practice.reveal() ?? '') });
    return true;
  }

  async close(): Promise<void> {
    this.ended = true;
    await this.run?.close();
    await this.practice?.close();
  }

  private result(result: PracticeResult): void {
    switch (result.kind) {
      case 'hint':
        this.emit({ kind: 'notice', text: `${result.hint.text} ${MESSAGES.hintReveal}`, level: 'warning' });
        return;
      case 'refused':
        this.showStep(result.shown, false);
        this.emit({ kind: 'notice', text: `${result.hint.text} ${MESSAGES.hintReveal}`, level: 'warning' });
        return;
      case 'predict':
        this.emit({ kind: 'notice', text: result.question });
        return;
      case 'accepted':
        if (result.note) this.emit({ kind: 'notice', text: result.note });
        if (result.prediction) {
          const { right, answer, typed } = result.prediction;
          this.emit({ kind: 'notice', text: right ? MESSAGES.predictRight(answer) : MESSAGES.predictWrong(typed, answer) });
        }
        for (const step of result.played) this.showStep(step);
        this.introduce(result.next);
        return;
      case 'sent':
        // Another route to the step, or a detour kept: the exchange and why it stands.
        if (result.shown) this.showStep(result.shown, false);
        if (result.note) this.emit({ kind: 'notice', text: result.note });
        return;
      case 'finished':
        return;
    }
  }

  /** A played step as events: the divider of a new connection, the narration, the wire events, a difference, the close. */
  private showStep(step: PlayedStep, counts = true): void {
    this.showClientHalf(step, step.events, counts);
    this.showServerHalf(step, []);
  }

  /** The step's first part: the divider of a new connection, the narration, `events` (the client's lines and their notes). */
  private showClientHalf(step: PlayedStep, events: readonly WireEvent[], counts = true): void {
    if (step.opensSession) {
      this.current = step.server.protocol;
      this.tracked = protocolData(this.current).initial;
      this.emit({ kind: 'notice', text: MESSAGES.connectionOpened(step.server.host ?? (step.server.name || undefined), step.server.protocol) });
    }
    if (step.step.narration.length > 0) this.emit({ kind: 'notice', text: step.step.narration.join('\n') });
    for (const event of events) this.wire(event);
    if (counts && !step.step.hidden) this.shown++;
  }

  /** The step's second part: `events` (the server's side), a difference, the close. */
  private showServerHalf(step: PlayedStep, events: readonly WireEvent[]): void {
    for (const event of events) this.wire(event);
    if (step.difference) this.emit({ kind: 'notice', text: `line ${step.difference.line}: ${describeDifference(step.difference)}`, level: 'warning' });
    if (step.closesSession && !step.step.hidden) this.emit({ kind: 'notice', text: MESSAGES.connectionClosed });
  }

  /** Practice: what comes before the learner types the next step. */
  private introduce(intro: StepIntro | undefined): void {
    if (!intro) return;
    if (intro.opensSession) this.emit({ kind: 'notice', text: MESSAGES.connectionOpened(intro.server.host ?? (intro.server.name || undefined), intro.server.protocol) });
    if (intro.narration.length > 0) this.emit({ kind: 'notice', text: intro.narration.join('\n') });
  }

  private wire(event: WireEvent): void {
    if (event.kind === 'transition') this.tracked = event.to;
    this.emit(event);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit({ kind: 'notice', text: MESSAGES.lessonEnd });
  }
}

/** Where a step's server side begins (its first server line or body, or the TLS handshake); undefined when the step has no client line before it or no server side, so it is shown whole. */
function clientHalfEnd(events: readonly WireEvent[]): number | undefined {
  const server = events.findIndex((event) => ((event.kind === 'line' || event.kind === 'body') && event.from === 'server') || event.kind === 'tls');
  if (server <= 0) return undefined;
  const client = events.slice(0, server).some((event) => (event.kind === 'line' || event.kind === 'body') && event.from === 'client');
  return client ? server : undefined;
}
