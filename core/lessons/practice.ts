/**
 * Practice mode, sans-I/O: the learner types each client line. A line the
 * server would take as the lesson's (equivalence.ts) goes to the real engine
 * and the lesson moves on; any other line is not sent, and the learner gets a
 * hint saying why (hints.ts), or, on request, the expected line. The greeting,
 * hidden setup and placeholder lines (a whole message) are played for them.
 */
import { describeKey } from '../annotations/describe.js';
import { sameLine, splitCommand } from './equivalence.js';
import { hintFor, type Hint } from './hints.js';
import { inProcessLab } from './in-process-lab.js';
import type { LessonLab } from './lab-connection.js';
import { serverOf, type Lesson, type ServerPersona, type WireLine } from './lesson.js';
import { buildLessonLab } from './lesson-lab.js';
import { MESSAGES } from './messages.js';
import { Replay, type PlayedStep } from './replay.js';

/** The step the learner is to type next, shown before they type: its narration, and whether it opens a connection. */
export interface StepIntro {
  readonly narration: readonly string[];
  readonly opensSession: boolean;
  readonly server: ServerPersona;
}

export type PracticeResult =
  /**
   * The line was taken: the steps it completed and any played for the learner
   * after it (their narration, if introduced earlier, left out), and the
   * introduction of the next step to type, when the learner just reached it.
   */
  | { kind: 'accepted'; played: readonly PlayedStep[]; next?: StepIntro }
  /** The line was not sent: why not. */
  | { kind: 'hint'; hint: Hint }
  /** Nothing is left to type. */
  | { kind: 'finished' };

export class LessonPractice {
  /** The next client line of the current step the learner has not typed yet. */
  private line = 0;
  /** The current step's narration was handed out already (with `next`). */
  private introduced = false;

  private constructor(
    private readonly replay: Replay,
    private readonly lab: LessonLab,
  ) {}

  /** Starts practising a replay lesson; returns the steps played before the first line to type (the greeting) and that line's introduction. */
  static async start(lesson: Lesson): Promise<{ practice: LessonPractice; played: readonly PlayedStep[]; next?: StepIntro }> {
    if (lesson.mode !== 'replay') throw new Error(MESSAGES.practiceWatchOnly);
    const lab = inProcessLab(await buildLessonLab(lesson));
    const practice = new LessonPractice(new Replay(lesson, lab), lab);
    return { practice, ...(await practice.settle()) };
  }

  get finished(): boolean {
    return this.replay.current === undefined;
  }

  /** The line the lesson expects next, or undefined at the end. */
  get expected(): WireLine | undefined {
    return this.replay.current?.step.client[this.line];
  }

  /** The server's state, for a prompt. */
  get state(): string {
    return this.replay.live?.state ?? '';
  }

  /** Checks a typed line: sends it when it is the lesson's next line (as the server sees it), else explains. */
  async submit(typed: string): Promise<PracticeResult> {
    const expected = this.expected;
    if (!expected) return { kind: 'finished' };
    const protocol = this.protocol();
    const input = this.replay.live?.inputKind ?? 'command';
    if (!sameLine(protocol, expected.text, typed, input)) {
      return { kind: 'hint', hint: hintFor(expected.text, typed, { protocol, state: this.state, input }) };
    }
    await this.replay.send(typed);
    this.line++;
    return { kind: 'accepted', ...(await this.settle()) };
  }

  /** The expected line itself (`/reveal`). */
  reveal(): string | undefined {
    return this.expected?.text;
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
    return entry ? MESSAGES.hintNext(verb, entry.summary, entry.rfc) : MESSAGES.hintEmpty;
  }

  async close(): Promise<void> {
    await this.replay.stop();
    await this.lab.close();
  }

  private protocol() {
    const position = this.replay.current!;
    return serverOf(this.replay.lesson, this.replay.lesson.sessions[position.session]!).protocol;
  }

  /**
   * Plays what the learner does not type: hidden steps, server-only steps,
   * placeholder lines; stops at the next line to type, introducing its step
   * if the learner just reached it.
   */
  private async settle(): Promise<{ played: PlayedStep[]; next?: StepIntro }> {
    const played: PlayedStep[] = [];
    let opened = false;
    let next: StepIntro | undefined;
    for (let position = this.replay.current; position; position = this.replay.current) {
      const { step } = position;
      if (step.hidden) {
        const hidden = await this.replay.playStep();
        if (hidden.difference) played.push(hidden);
        opened = (opened || hidden.opensSession) && !hidden.closesSession;
        this.line = 0;
        continue;
      }
      await this.replay.begin();
      for (let next = step.client[this.line]; next?.placeholder !== undefined; next = step.client[this.line]) {
        await this.replay.send(next.text);
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
      const finished = await this.replay.finish();
      if (this.introduced) played.push({ ...finished, opensSession: false, step: { ...finished.step, narration: [] } });
      else played.push(opened ? { ...finished, opensSession: true } : finished);
      opened = false;
      this.introduced = false;
      this.line = 0;
    }
    if (!this.replay.current) await this.close();
    return next ? { played, next } : { played };
  }
}
