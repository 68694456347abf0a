/**
 * Practice mode, sans-I/O: the learner types the client's lines, and every
 * line goes to the lab's real engine. A step is judged by what it did
 * (outcome.ts): the reply, the state reached, and what the rest of the lesson
 * needs; the learner's own EHLO name, sender, message text or parameters are
 * as good as the lesson's. A line that does something else is shown with the
 * server's real answer (the 501 for a missing <>, the -ERR for a wrong
 * password), explained, and undone: the lab is rebuilt and everything taken
 * so far replayed, so the learner tries again from where they were. The
 * greeting, hidden setup and placeholder lines are played for them; a step
 * with `predict:` withholds its reply until the learner has predicted it.
 */
import { describeKey } from '../annotations/describe.js';
import type { WireEvent } from '../events.js';
import { splitCommand } from './equivalence.js';
import { inProcessLab } from './in-process-lab.js';
import type { LessonLab, ServerInputKind } from './lab-connection.js';
import { serverOf, type Lesson, type ServerPersona, type WireLine } from './lesson.js';
import { buildLessonLab } from './lesson-lab.js';
import { MESSAGES } from './messages.js';
import { judgeExchange, refuses, replyStatus, showStatus, type ExchangeOutcome } from './outcome.js';
import { referenceRun, type Reference } from './reference-run.js';
import { routeNote, routeStep } from './routes.js';
import { outcomeHint, type PracticeHint } from './outcome-hints.js';

export type { PracticeHint, PracticeHintKind } from './outcome-hints.js';
import { EMPTY_SCORE, predictionAnswer, predictionRight, type Prediction, type Score } from './predictions.js';
import { Replay, type PlayedStep } from './replay.js';

/** The step the learner is to type next, shown before they type: its narration, and whether it opens a connection. */
export interface StepIntro {
  readonly narration: readonly string[];
  readonly opensSession: boolean;
  readonly server: ServerPersona;
}

/** How the learner's prediction went. */
export interface PredictionResult {
  readonly prediction: Prediction;
  readonly typed: string;
  readonly answer: string;
  readonly right: boolean;
}

export type PracticeResult =
  /**
   * The line did what the lesson's does: the steps it completed and any played
   * for the learner after it (their narration, if introduced earlier, left
   * out), the introduction of the next step to type when the learner just
   * reached it, and how their prediction went if the step asked for one.
   */
  | { kind: 'accepted'; played: readonly PlayedStep[]; next?: StepIntro; prediction?: PredictionResult; note?: string }
  /**
   * The line was sent, and the step goes on: the server answers only later
   * (message text before the final dot), or the learner is on another route
   * to the step's result (USER for the lesson's APOP, another SASL
   * mechanism), or took a harmless detour the lab keeps (CAPA again after
   * STLS). Then `shown` is that exchange and `note` says why it stands.
   */
  | { kind: 'sent'; shown?: PlayedStep; note?: string }
  /**
   * The line was sent and answered, but did something else than the lesson's:
   * `shown` is that exchange as it happened (render it like a step), `hint`
   * says why it does not count. The lab is back as it was before the line.
   */
  | { kind: 'refused'; shown: PlayedStep; hint: PracticeHint }
  /** The step is done; its reply is withheld until the learner predicts it (the next submit() is the prediction). */
  | { kind: 'predict'; prediction: Prediction; question: string }
  /** The line was not sent: why not. */
  | { kind: 'hint'; hint: PracticeHint }
  /** Nothing is left to type. */
  | { kind: 'finished' };


/** What was done to the lab, in order, so that it can be done again on a fresh one. */
type Operation = { kind: 'play-step' } | { kind: 'begin' } | { kind: 'send'; text: string } | { kind: 'finish' } | { kind: 'forget' };

/** The exchange the learner is typing: lines sent since the last reply. */
interface OpenExchange {
  readonly start: number;
  readonly logLength: number;
  readonly input: ServerInputKind;
  readonly state: string;
  readonly lines: string[];
  /** Every line so far was the lesson's own (so the lesson's placeholder lines may follow). */
  onScript: boolean;
}

export class LessonPractice {
  /** The next client line of the current step the learner has not typed yet. */
  private line = 0;
  /** The current step's narration was handed out already (with `next`). */
  private introduced = false;
  private log: Operation[] = [];
  private open: OpenExchange | undefined;
  /** The current exchange was revealed or refused already: it no longer counts as right the first time. */
  private helped = false;
  private tally: { -readonly [key in keyof Score]: Score[key] } = { ...EMPTY_SCORE };
  private pending: { prediction: Prediction; question: string; answer: string; result: PracticeResult & { kind: 'accepted' } } | undefined;

  private constructor(
    private replay: Replay,
    private lab: LessonLab,
    private readonly reference: Reference,
  ) {}

  /** Starts practising a replay lesson; returns the steps played before the first line to type (the greeting) and that line's introduction. */
  static async start(lesson: Lesson): Promise<{ practice: LessonPractice; played: readonly PlayedStep[]; next?: StepIntro }> {
    if (lesson.mode !== 'replay') throw new Error(MESSAGES.practiceWatchOnly);
    const reference = await referenceRun(lesson);
    const lab = inProcessLab(await buildLessonLab(lesson));
    const practice = new LessonPractice(new Replay(lesson, lab), lab, reference);
    return { practice, ...(await practice.settle()) };
  }

  get finished(): boolean {
    return this.replay.current === undefined && this.pending === undefined;
  }

  /** A prediction is asked (with its question, in the player's words or the lesson's): the next line submitted answers it. */
  get predicting(): { prediction: Prediction; question: string } | undefined {
    return this.pending && { prediction: this.pending.prediction, question: this.pending.question };
  }

  /** The line the lesson expects next, or undefined at the end. */
  get expected(): WireLine | undefined {
    return this.replay.current?.step.client[this.line];
  }

  /** The server's state, for a prompt. */
  get state(): string {
    return this.replay.live?.state ?? '';
  }

  /** What the learner's next line is to the server: a command, message content, or a SASL response. */
  get inputKind(): ServerInputKind {
    return this.replay.live?.inputKind ?? 'command';
  }

  /** How the learner is doing: steps right the first time, refused, revealed; predictions right. */
  get score(): Score {
    return { ...this.tally };
  }

  /** Sends a typed line to the lab and judges it by what it did (see the file comment); while a prediction is asked, answers it. */
  async submit(typed: string): Promise<PracticeResult> {
    if (this.pending) return this.answer(typed);
    const expected = this.expected;
    const position = this.replay.current;
    if (!expected || !position) return { kind: 'finished' };
    const live = this.replay.live;
    const input = live?.inputKind ?? 'command';
    if (input === 'command' && typed.trim() === '') return { kind: 'hint', hint: { kind: 'empty', text: MESSAGES.hintEmpty, entries: [] } };
    const open = (this.open ??= { start: this.line, logLength: this.log.length, input, state: this.state, lines: [], onScript: true });
    open.lines.push(typed);
    open.onScript &&= typed === expected.text;
    let received = await this.exchange(typed);
    const step = position.step;
    if (received.length === 0 && !this.replay.live?.closed) {
      // No reply yet: message text (or a chunk) goes on. The lesson's placeholder lines follow the lesson's own lines.
      const end = this.exchangeEnd(open.start);
      this.line = end === undefined ? this.line + 1 : Math.min(this.line + 1, end);
      if (open.onScript) {
        for (let next = step.client[this.line]; next?.placeholder !== undefined && received.length === 0; next = step.client[this.line]) {
          received = await this.exchange(next.text);
          open.lines.push(next.text);
          this.line++;
        }
      }
      if (received.length > 0) return this.judge(received);
      // A step the lesson's narration cut inside a message: its lines done, the reply comes in a later step.
      if (end === undefined && this.line >= step.client.length) {
        this.open = undefined;
        return { kind: 'accepted', ...(await this.settle()) };
      }
      return { kind: 'sent' };
    }
    return this.judge(received);
  }

  /** The expected line itself (`/reveal`); the step then no longer counts as right the first time. */
  reveal(): string | undefined {
    const text = this.expected?.text;
    if (text !== undefined && !this.pending) {
      this.tally.revealed++;
      this.helped = true;
    }
    return text;
  }

  /** What the expected line does, from the catalogue, without giving it away (`/hint`). */
  explainNext(): string | undefined {
    const expected = this.expected;
    if (!expected) return undefined;
    const input = this.replay.live?.inputKind ?? 'command';
    if (input === 'data') return MESSAGES.hintDataLine;
    if (input === 'sasl') return MESSAGES.hintSaslLine;
    const { verb } = splitCommand(expected.text);
    const entry = describeKey(`${this.protocol()}.command.${verb}`);
    if (!entry) return MESSAGES.hintEmpty;
    // A step the lesson means to be refused is not described as if it will work (the second STLS of RFC 2595 §4).
    const status = replyStatus(this.protocol(), this.lessonOutcome()?.received ?? []);
    return status && refuses(status) ? MESSAGES.hintNextRefused(verb, showStatus(status), entry.summary, entry.rfc) : MESSAGES.hintNext(verb, entry.summary, entry.rfc);
  }

  async close(): Promise<void> {
    await this.replay.stop();
    await this.lab.close();
  }

  /** The learner's prediction: right or not, and then the step they predicted. */
  private async answer(typed: string): Promise<PracticeResult> {
    const pending = this.pending!;
    if (typed.trim() === '') return { kind: 'predict', prediction: pending.prediction, question: pending.question };
    this.pending = undefined;
    const right = predictionRight(pending.prediction.kind, typed, pending.answer);
    this.tally.predictions++;
    if (right) this.tally.predictionsRight++;
    if (this.replay.current === undefined) await this.close();
    return { ...pending.result, prediction: { prediction: pending.prediction, typed: typed.trim(), answer: pending.answer, right } };
  }

  /** The server answered the open exchange: take it as the lesson's step, or show why not and undo it. */
  private async judge(received: readonly string[]): Promise<PracticeResult> {
    const open = this.open!;
    const position = this.replay.current!;
    const step = position.step;
    const end = this.exchangeEnd(open.start) ?? step.client.length - 1;
    const live = this.replay.live;
    const outcome: ExchangeOutcome = { received, state: live?.state ?? '', closed: live?.closed ?? true };
    const lesson = { first: step.client[open.start]!.text, outcome: this.reference[position.session]![position.index]![end] ?? { received: [], state: '', closed: false } };
    const verdict = judgeExchange(this.protocol(), lesson, { first: open.lines[0]!, input: open.input }, outcome);
    const kept = verdict.same ? undefined : this.keepGoing(open, lesson.first, received, outcome);
    if (kept) return kept;
    this.open = undefined;
    if (!verdict.same) {
      const shown = this.shownExchange(open.lines, received, live?.takeEvents() ?? []);
      const hint = outcomeHint(this.protocol(), verdict, open, lesson.first, received);
      this.tally.refused++;
      this.helped = true;
      this.line = open.start;
      await this.rewind(open.logLength);
      return { kind: 'refused', shown, hint };
    }
    this.tally.exchanges++;
    if (!this.helped) this.tally.firstTry++;
    this.helped = false;
    this.line = end + 1;
    const completes = step.client.slice(this.line).every((line) => line.placeholder !== undefined);
    const prediction = completes ? step.predict : undefined;
    const protocol = this.protocol();
    const answer = prediction && predictionAnswer(prediction.kind, protocol, received, outcome.state, outcome.closed);
    const route = routeNote(open.lines[0]!, lesson.first, open.input);
    const result: PracticeResult & { kind: 'accepted' } = { kind: 'accepted', ...(await this.settle(prediction !== undefined)), ...(route ? { note: route } : {}) };
    if (prediction && answer !== undefined) {
      const question = MESSAGES.predictAsk(prediction.kind, protocol, prediction.question);
      this.pending = { prediction, question, answer, result };
      return { kind: 'predict', prediction, question };
    }
    return result;
  }

  /**
   * A line that is not (yet) the lesson's step but is not undone: the first
   * step of another route to the same login (USER, then PASS, for APOP or
   * AUTH; another SASL mechanism's challenge), or a query that changes
   * nothing the lesson needs (CAPA again after STLS, as RFC 2595 §4 asks).
   */
  private keepGoing(open: OpenExchange, lessonFirst: string, received: readonly string[], outcome: ExchangeOutcome): PracticeResult | undefined {
    const step = routeStep(this.protocol(), { lines: open.lines, input: open.input, state: open.state }, lessonFirst, received, outcome);
    if (!step) return undefined;
    const shown = this.shownExchange(open.lines.slice(-1), received, this.replay.live?.takeEvents() ?? []);
    // Shown apart: the step's own record starts after it.
    this.log.push({ kind: 'forget' });
    this.replay.forget();
    if (step.kind === 'detour') {
      // Kept, but not the lesson's step: the learner types that step next, from where they were.
      this.open = undefined;
      this.line = open.start;
    }
    return { kind: 'sent', shown, note: step.note };
  }

  /** What the lesson's own exchange at the learner's position did on the reference run. */
  private lessonOutcome(): ExchangeOutcome | undefined {
    const position = this.replay.current;
    if (!position) return undefined;
    const end = this.exchangeEnd(this.line) ?? position.step.client.length - 1;
    return this.reference[position.session]?.[position.index]?.[end];
  }

  /** The index of the client line whose reply ends the exchange that starts at `start` (the lesson's reply came after it); undefined when none of the step's lines has one. */
  private exchangeEnd(start: number): number | undefined {
    const position = this.replay.current!;
    const lines = this.reference[position.session]![position.index]!;
    for (let index = start; index < lines.length; index++) if (lines[index]!.received.length > 0 || lines[index]!.closed) return index;
    return undefined;
  }

  /** A refused exchange, shaped as a played step so that front ends render it like any other. */
  private shownExchange(sent: readonly string[], received: readonly string[], events: readonly WireEvent[]): PlayedStep {
    const position = this.replay.current!;
    return {
      session: position.session,
      index: position.index,
      step: { narration: [], client: [], server: [], hidden: false, line: position.step.line },
      server: serverOf(this.replay.lesson, this.replay.lesson.sessions[position.session]!),
      opensSession: false,
      closesSession: false,
      sent: [...sent],
      received: [...received],
      events: [...events],
    };
  }

  private protocol() {
    const position = this.replay.current!;
    return serverOf(this.replay.lesson, this.replay.lesson.sessions[position.session]!).protocol;
  }

  // ---- the lab, with every operation logged so that it can be replayed on a fresh one ----

  private async exchange(text: string): Promise<string[]> {
    this.log.push({ kind: 'send', text });
    return this.replay.exchange(text);
  }

  private async begin(): Promise<void> {
    this.log.push({ kind: 'begin' });
    await this.replay.begin();
  }

  private async finish(): Promise<PlayedStep> {
    this.log.push({ kind: 'finish' });
    return this.replay.finish();
  }

  private async playStep(): Promise<PlayedStep> {
    this.log.push({ kind: 'play-step' });
    return this.replay.playStep();
  }

  /** Puts the lab back as it was after the first `length` operations: a fresh lab, the same operations again. */
  private async rewind(length: number): Promise<void> {
    await this.close();
    this.log = this.log.slice(0, length);
    this.lab = inProcessLab(await buildLessonLab(this.replay.lesson));
    this.replay = new Replay(this.replay.lesson, this.lab);
    for (const operation of this.log) {
      if (operation.kind === 'send') await this.replay.exchange(operation.text);
      else if (operation.kind === 'begin') await this.replay.begin();
      else if (operation.kind === 'finish') await this.replay.finish();
      else if (operation.kind === 'forget') this.replay.forget();
      else await this.replay.playStep();
    }
  }

  /**
   * Plays what the learner does not type: hidden steps, server-only steps,
   * placeholder lines; stops at the next line to type, introducing its step
   * if the learner just reached it. `keepOpen`: a prediction is still to be
   * asked, so the lab stays open even if the lesson is over.
   */
  private async settle(keepOpen = false): Promise<{ played: PlayedStep[]; next?: StepIntro }> {
    const played: PlayedStep[] = [];
    let opened = false;
    let next: StepIntro | undefined;
    for (let position = this.replay.current; position; position = this.replay.current) {
      const { step } = position;
      if (step.hidden) {
        const hidden = await this.playStep();
        if (hidden.difference) played.push(hidden);
        opened = (opened || hidden.opensSession) && !hidden.closesSession;
        this.line = 0;
        continue;
      }
      await this.begin();
      for (let next = step.client[this.line]; next?.placeholder !== undefined; next = step.client[this.line]) {
        await this.exchange(next.text);
        this.line++;
      }
      if (this.line < step.client.length) {
        if (!this.introduced) {
          const server = serverOf(this.replay.lesson, this.replay.lesson.sessions[position.session]!);
          next = { narration: step.narration, opensSession: opened || position.index === 0, server };
          this.introduced = true;
        }
        break;
      }
      const finished = await this.finish();
      if (this.introduced) played.push({ ...finished, opensSession: false, step: { ...finished.step, narration: [] } });
      else played.push(opened ? { ...finished, opensSession: true } : finished);
      opened = false;
      this.introduced = false;
      this.line = 0;
    }
    if (!this.replay.current && !keepOpen) await this.close();
    return next ? { played, next } : { played };
  }
}
