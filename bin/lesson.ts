/**
 * `maillab lesson list | play | check`: lessons from the package's lessons/
 * folder (or --dir). `check` replays every lesson in process and over TCP and
 * exits 0 only if every server line matched; `play` shows a lesson (watch,
 * step) or lets the learner type it (practice); the interactive parts are in
 * lesson-player.ts.
 */
import type { Lesson } from '../core/lessons/lesson.js';
import { checkLesson, firstDifference } from '../core/lab/check-lesson.js';
import { defaultLessonFolder, loadLessons, type LessonCollection } from '../core/lab/lesson-folder.js';
import { MESSAGES } from '../core/lessons/messages.js';
import { formatProblems } from '../core/lessons/parse-lesson.js';
import { describeDifference } from '../core/render/lesson-step.js';
import { resolve } from 'node:path';
import type { LessonCheckOptions, LessonFolderOptions, LessonPlayOptions } from './cli-options.js';
import { fail } from './fail.js';
import { nearestIds } from '../core/lessons/nearest-ids.js';

async function collection(options: LessonFolderOptions): Promise<LessonCollection> {
  const folder = options.dir !== undefined ? resolve(options.dir) : defaultLessonFolder();
  try {
    return await loadLessons(folder);
  } catch (error) {
    fail(MESSAGES.cannotReadLessons(folder, (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (error as Error).message));
  }
}

/** One lesson a line: id, title, protocol, RFC, mode; files that do not parse are reported on stderr. */
export async function runLessonList(options: LessonFolderOptions): Promise<void> {
  const { lessons, broken, folder } = await collection(options);
  if (lessons.length === 0 && broken.length === 0) fail(MESSAGES.noLessons(folder));
  // Two lines a lesson, so that it fits 80 columns: the id with its protocol and mode, then the title and RFC, wrapped.
  const idWidth = Math.max(...lessons.map((lesson) => lesson.id.length));
  for (const lesson of lessons) {
    process.stdout.write(`${lesson.id.padEnd(idWidth)}  ${lesson.protocol.padEnd(4)}  ${lesson.mode}\n`);
    for (const line of wrap(`${lesson.title} (${lesson.rfc})`, LIST_WIDTH - 4)) process.stdout.write(`    ${line}\n`);
  }
  for (const file of broken) process.stderr.write(`${formatProblems(file.problems, file.file)}\n`);
  if (broken.length > 0) process.exitCode = 1;
}

/** `lesson list` fits a terminal of this many columns. */
const LIST_WIDTH = 80;

/** Words into lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Replays the named lessons (all when none is named); prints one verdict a lesson and the first difference of each failure. */
export async function runLessonCheck(ids: readonly string[], options: LessonCheckOptions): Promise<void> {
  const { lessons, broken, folder } = await collection(options);
  const chosen = ids.length === 0 ? lessons : ids.map((id) => findLesson(lessons, id, broken.length));
  if (ids.length === 0 && lessons.length === 0 && broken.length === 0) fail(MESSAGES.noLessons(folder));
  let passed = 0;
  for (const lesson of chosen) {
    const report = await checkLesson(lesson, { replyTimeoutMs: options.timeout * 1000 });
    const first = firstDifference(report);
    if (!first) {
      passed++;
      process.stdout.write(`${report.runs.length === 0 ? MESSAGES.checkWatchOnly(lesson.id) : MESSAGES.checkOk(lesson.id, report.runs)}\n`);
      continue;
    }
    process.stdout.write(`${MESSAGES.checkFailed(lesson.id)}\n`);
    process.stdout.write(`${MESSAGES.checkDifference(lesson.file ?? lesson.id, first.difference.line, first.lab, describeDifference(first.difference))}\n`);
  }
  // With no ids every file counts: one that does not parse fails the check.
  const brokenShown = ids.length === 0 ? broken : [];
  for (const file of brokenShown) process.stdout.write(`${MESSAGES.checkBroken(file.file)}\n${formatProblems(file.problems, file.file)}\n`);
  const total = chosen.length + brokenShown.length;
  process.stdout.write(`${MESSAGES.checkSummary(passed, total)}\n`);
  if (passed < total) process.exitCode = 1;
}

/** Plays a lesson: the whole annotated transcript at once when stdout is not a terminal (watch), interactively otherwise. */
export async function runLessonPlay(id: string, options: LessonPlayOptions): Promise<void> {
  const { lessons, broken } = await collection(options);
  const lesson = findLesson(lessons, id, broken.length);
  const { playLesson } = await import('./lesson-player.js');
  await playLesson(lesson, options);
}

function findLesson(lessons: readonly Lesson[], id: string, broken: number): Lesson {
  const lesson = lessons.find((entry) => entry.id === id);
  if (!lesson) fail(MESSAGES.unknownLesson(id, nearestIds(id, lessons.map((entry) => entry.id)), lessons.length, broken));
  return lesson;
}
