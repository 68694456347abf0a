/**
 * What README.md and lessons/README.md claim about the lessons, compared with
 * the lesson files (issue 10: the READMEs said "every POP3/SMTP example the
 * RFCs print" and called a replayed lesson watch-only).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessonFiles } from '../../core/lab/lesson-folder.js';
import type { Lesson } from '../../core/lessons/lesson.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';

const ROOT = join(__dirname, '../..');
const FOLDER = join(ROOT, 'lessons');
const lessons = new Map<string, Lesson>();
for (const path of await lessonFiles(FOLDER)) {
  const parsed = parseLesson(readFileSync(path, 'utf8'), relative(FOLDER, path));
  if (parsed.ok) lessons.set(relative(FOLDER, path), parsed.lesson);
}
const lessonsReadme = readFileSync(join(FOLDER, 'README.md'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = lessonsReadme.slice(lessonsReadme.indexOf('## The lessons here'));

/** The rows of the lesson table: file, the `rfc:` header, the mode. */
const rows = [...section.matchAll(/^\| `([^`]+\.lesson)` \| ([^|]+) \| (replay|watch-only) \| [^|]+ \|$/gm)].map((match) => ({
  file: match[1]!,
  rfc: match[2]!.trim(),
  mode: match[3]!,
}));

describe('lessons/README.md', () => {
  it('lists every lesson file once, and no other', () => {
    expect(rows.map((row) => row.file).sort()).toEqual([...lessons.keys()].sort());
  });

  it("gives each lesson's rfc: header and mode as the file has them", () => {
    for (const row of rows) {
      const lesson = lessons.get(row.file);
      expect({ file: row.file, rfc: lesson?.rfc, mode: lesson?.mode }).toEqual(row);
    }
  });

  it('names as covered only RFCs that a lesson is about', () => {
    const claim = section.slice(section.indexOf('Which RFC examples are here'), section.indexOf('Not here:'));
    const named = new Set([...claim.matchAll(/RFC (\d{3,4})/g)].map((match) => match[1]!));
    expect(named.size).toBeGreaterThan(10);
    const headers = [...lessons.values()].map((lesson) => lesson.rfc).join(' ');
    for (const rfc of named) expect(headers, `RFC ${rfc}`).toContain(`RFC ${rfc}`);
  });
});

describe('README.md', () => {
  it('counts the lessons and the replayed ones as they are', () => {
    const match = /(\d+) in all, (\d+) replayed byte for byte/.exec(readme);
    expect(match).not.toBeNull();
    const replayed = [...lessons.values()].filter((lesson) => lesson.mode === 'replay').length;
    expect([Number(match![1]), Number(match![2])]).toEqual([lessons.size, replayed]);
  });

  it('claims no "every example the RFCs print", and calls watch-only only the watch-only lessons', () => {
    for (const text of [readme, lessonsReadme]) expect(text).not.toMatch(/every (POP3|SMTP) example/i);
    const watchOnly = readme.slice(readme.indexOf('**Watch-only'), readme.indexOf('**Not here'));
    for (const [file, lesson] of lessons) {
      if (lesson.mode === 'replay' && file.startsWith('rfc')) expect(watchOnly, file).not.toContain(`RFC ${/^rfc(\d+)/.exec(file)![1]} LAST`);
    }
    expect([...lessons.values()].filter((lesson) => lesson.mode === 'watch-only')).toHaveLength(4);
  });
});
