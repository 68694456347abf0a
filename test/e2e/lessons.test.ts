/**
 * Every lesson file is a golden fixture (docs/ARCHITECTURE.md, "Lessons"): each replay lesson must
 * replay byte for byte, in process and over real TCP; each watch-only lesson
 * must parse and play from its text. A lesson that does not fails the suite.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLesson } from '../../core/lab/check-lesson.js';
import { lessonFiles, loadLessons } from '../../core/lab/lesson-folder.js';
import { watchLesson } from '../../core/lessons/lesson-run.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';

const FOLDER = join(__dirname, '../../lessons');
const files = await lessonFiles(FOLDER);

describe('the lessons folder', () => {
  it('holds lessons, every one of which parses, with unique ids', async () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const collection = await loadLessons(FOLDER);
    expect(collection.broken).toEqual([]);
    expect(collection.lessons).toHaveLength(files.length);
  });
});

describe.each(files.map((path) => [relative(FOLDER, path), path]))('%s', (name, path) => {
  const parsed = parseLesson(readFileSync(path, 'utf8'), name);

  it('parses', () => {
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
  });

  if (!parsed.ok) return;
  const lesson = parsed.lesson;
  if (lesson.mode === 'replay') {
    it('replays byte for byte in process and over TCP', async () => {
      const report = await checkLesson(lesson);
      expect(report.runs.map((run) => [run.lab, run.difference ?? 'no difference'])).toEqual([
        ['in-process', 'no difference'],
        ['tcp', 'no difference'],
      ]);
      expect(report.ok).toBe(true);
    });
  } else {
    it('is watch-only with a reason, and plays from its text with annotations', async () => {
      expect(lesson.reason).toBeTruthy();
      const report = await checkLesson(lesson);
      expect(report).toMatchObject({ ok: true, runs: [] });
      const shown: string[] = [];
      let annotations = 0;
      for await (const step of watchLesson(lesson)) {
        shown.push(...step.received);
        annotations += step.events.filter((event) => event.kind === 'annotation').length;
      }
      // Watch shows what the lesson shows: hidden setup steps are played but not shown.
      expect(shown).toEqual(lesson.sessions.flatMap((session) => session.steps.filter((step) => !step.hidden).flatMap((step) => step.server.map((line) => line.text))));
      expect(annotations).toBeGreaterThan(0);
    });
  }
});
