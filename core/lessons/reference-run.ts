/**
 * The reference practice judges against (./practice.ts): the lesson's own
 * lines replayed one at a time on a lab of their own, with each line's reply
 * and the state after it.
 */
import { inProcessLab } from './in-process-lab.js';
import type { Lesson } from './lesson.js';
import { buildLessonLab } from './lesson-lab.js';
import type { ExchangeOutcome } from './outcome.js';
import { Replay } from './replay.js';

/** What the lesson's own lines did, line by line, on a lab that followed the lesson to the letter. */
export type Reference = readonly (readonly (readonly ExchangeOutcome[])[])[];

/** Replays the lesson's own lines one at a time on a lab of its own, noting each line's reply and the state after it. */
export async function referenceRun(lesson: Lesson): Promise<Reference> {
  const lab = inProcessLab(await buildLessonLab(lesson));
  const replay = new Replay(lesson, lab);
  const sessions: ExchangeOutcome[][][] = lesson.sessions.map((session) => session.steps.map(() => []));
  try {
    for (let position = replay.current; position; position = replay.current) {
      await replay.begin();
      for (const line of position.step.client) {
        const received = await replay.exchange(line.text);
        sessions[position.session]![position.index]!.push({ received, state: replay.live?.state ?? '', closed: replay.live?.closed ?? false });
      }
      await replay.finish();
    }
  } finally {
    await replay.stop();
    await lab.close();
  }
  return sessions;
}
