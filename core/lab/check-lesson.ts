/**
 * `lesson check`: replays a lesson once in process and once over real TCP
 * (the lab's socket adapters on 127.0.0.1, a raw socket as client), each on a
 * fresh lab, and stops at the first line that differs. A watch-only lesson has
 * nothing to replay: it is checked by parsing, and says so.
 */
import type { LessonLab } from '../lessons/lab-connection.js';
import { inProcessLab } from '../lessons/in-process-lab.js';
import type { Lesson } from '../lessons/lesson.js';
import { buildLessonLab } from '../lessons/lesson-lab.js';
import { Replay, type Difference } from '../lessons/replay.js';
import { startTcpLab, type TcpLabOptions } from '../net/lesson-tcp-lab.js';

export type LabKind = 'in-process' | 'tcp';

export interface LabRun {
  readonly lab: LabKind;
  /** Steps replayed (hidden ones included). */
  readonly steps: number;
  readonly difference?: Difference;
}

export interface CheckReport {
  readonly lesson: Lesson;
  /** Empty for a watch-only lesson. */
  readonly runs: readonly LabRun[];
  readonly ok: boolean;
}

export interface CheckOptions extends TcpLabOptions {
  /** Which labs to replay against; both by default. */
  labs?: readonly LabKind[];
}

/** Replays the lesson against each lab; the report holds the first difference of each. */
export async function checkLesson(lesson: Lesson, options: CheckOptions = {}): Promise<CheckReport> {
  if (lesson.mode === 'watch-only') return { lesson, runs: [], ok: true };
  const runs: LabRun[] = [];
  for (const kind of options.labs ?? ['in-process', 'tcp']) {
    const parts = await buildLessonLab(lesson);
    const lab = kind === 'in-process' ? inProcessLab(parts) : await startTcpLab(parts, options);
    try {
      runs.push({ lab: kind, ...(await replayAll(lesson, lab)) });
    } finally {
      await lab.close();
    }
  }
  return { lesson, runs, ok: runs.every((run) => run.difference === undefined) };
}

/** Plays every step until the first difference. */
export async function replayAll(lesson: Lesson, lab: LessonLab): Promise<{ steps: number; difference?: Difference }> {
  const replay = new Replay(lesson, lab);
  let steps = 0;
  try {
    while (replay.current) {
      const played = await replay.playStep();
      steps++;
      if (played.difference) return { steps, difference: played.difference };
    }
    return { steps };
  } finally {
    await replay.stop();
  }
}

/** The first difference of a report, with the lab it showed in. */
export function firstDifference(report: CheckReport): { lab: LabKind; difference: Difference } | undefined {
  for (const run of report.runs) if (run.difference) return { lab: run.lab, difference: run.difference };
  return undefined;
}
