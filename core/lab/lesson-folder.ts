/**
 * Finding and reading lesson files: every `*.lesson` under a folder, sorted
 * by path, parsed, with duplicate ids reported. The default folder is the
 * package's own lessons/, found from this module's location, so it does not
 * depend on the directory maillab was started in.
 */
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lesson, LessonProblem } from '../lessons/lesson.js';
import { parseLesson } from '../lessons/parse-lesson.js';

export interface LessonFileProblems {
  readonly file: string;
  readonly problems: readonly LessonProblem[];
}

export interface LessonCollection {
  readonly folder: string;
  /** Lessons that parsed, in path order. */
  readonly lessons: readonly Lesson[];
  /** Files that did not parse, or whose id another file already uses. */
  readonly broken: readonly LessonFileProblems[];
}

/** The lessons/ folder of the maillab package (next to its package.json). */
export function defaultLessonFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'lessons'))) return join(folder, 'lessons');
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find the lessons folder of the maillab package');
    folder = parent;
  }
}

/** Every `*.lesson` file below `folder`, in path order. */
export async function lessonFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.lesson')) found.push(path);
    }
  };
  await walk(folder);
  return found.sort();
}

/** Reads and parses every lesson below `folder`; file names in problems are relative to it. */
export async function loadLessons(folder: string): Promise<LessonCollection> {
  const lessons: Lesson[] = [];
  const broken: LessonFileProblems[] = [];
  const ids = new Map<string, string>();
  for (const path of await lessonFiles(folder)) {
    const file = relative(folder, path);
    const text = await fs.readFile(path, 'utf8');
    const parsed = parseLesson(text, file);
    if (!parsed.ok) {
      broken.push({ file, problems: parsed.problems });
      continue;
    }
    const other = ids.get(parsed.lesson.id);
    if (other !== undefined) {
      const line = text.split(/\r?\n/).findIndex((entry) => /^id\s*:/i.test(entry)) + 1;
      broken.push({ file, problems: [{ line, message: `id "${parsed.lesson.id}" is already used by ${other}` }] });
      continue;
    }
    ids.set(parsed.lesson.id, file);
    lessons.push(parsed.lesson);
  }
  return { folder, lessons, broken };
}
