/**
 * Watch and step modes, sans-I/O: a lesson opened against an in-process lab
 * (or, watch-only, against nothing) hands out one step per call, with its
 * narration, the lines sent and received and the annotated events. Hidden
 * steps run in between without being shown. The front end decides the pace.
 */
import { inProcessLab } from './in-process-lab.js';
import type { LessonLab } from './lab-connection.js';
import type { Lesson } from './lesson.js';
import { buildLessonLab } from './lesson-lab.js';
import { Replay, type PlayedStep } from './replay.js';

export class LessonRun {
  private constructor(
    private readonly replay: Replay,
    private readonly lab: LessonLab | undefined,
  ) {}

  /** Opens a lesson: a fresh in-process lab for a replay lesson, the client trackers for a watch-only one. */
  static async open(lesson: Lesson): Promise<LessonRun> {
    const lab = lesson.mode === 'replay' ? inProcessLab(await buildLessonLab(lesson)) : undefined;
    return new LessonRun(new Replay(lesson, lab), lab);
  }

  get lesson(): Lesson {
    return this.replay.lesson;
  }

  /** True once every step was played. */
  get finished(): boolean {
    return this.replay.current === undefined;
  }

  /**
   * Plays up to the next step a learner sees and returns it; undefined at the
   * end. A hidden step is returned only when it did not replay as written.
   */
  async next(): Promise<PlayedStep | undefined> {
    let opened = false;
    while (this.replay.current) {
      const played = await this.replay.playStep();
      if (!played.step.hidden || played.difference) return opened ? { ...played, opensSession: true } : played;
      // The connection was opened out of sight: the first step shown says so.
      opened = (opened || played.opensSession) && !played.closesSession;
    }
    await this.close();
    return undefined;
  }

  async close(): Promise<void> {
    await this.replay.stop();
    await this.lab?.close();
  }
}

/** Watch mode: every shown step, in order. */
export async function* watchLesson(lesson: Lesson): AsyncGenerator<PlayedStep> {
  const run = await LessonRun.open(lesson);
  try {
    for (let step = await run.next(); step; step = await run.next()) yield step;
  } finally {
    await run.close();
  }
}
