/**
 * What the lessons teach, checked against the RFCs (issue 10, "Errors to
 * correct"): facts a replay cannot catch, because the lab would happily
 * replay a wrong sentence or an incomplete message.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessonFiles } from '../../core/lab/lesson-folder.js';
import type { Lesson } from '../../core/lessons/lesson.js';
import { hintFor } from '../../core/lessons/hints.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';

const FOLDER = join(__dirname, '../../lessons');
const lessons: { name: string; text: string; lesson: Lesson }[] = [];
for (const path of await lessonFiles(FOLDER)) {
  const text = readFileSync(path, 'utf8');
  const parsed = parseLesson(text, relative(FOLDER, path));
  if (parsed.ok) lessons.push({ name: relative(FOLDER, path), text, lesson: parsed.lesson });
}
const beginner = lessons.filter((entry) => entry.name.startsWith('beginner/'));

/** The messages a lesson's client sends after a 354, as lists of lines. */
function sentMessages(lesson: Lesson): string[][] {
  const messages: string[][] = [];
  for (const session of lesson.sessions) {
    session.steps.forEach((step, index) => {
      if (!step.server.some((line) => line.text.startsWith('354'))) return;
      const next = session.steps[index + 1];
      if (next) messages.push(next.client.map((line) => line.text));
    });
  }
  return messages;
}

/** The narration of a lesson, paragraphs joined into one line each. */
function narration(lesson: Lesson): string[] {
  return lesson.sessions.flatMap((session) => session.steps.flatMap((step) => step.narration.join('\n').split(/\n\s*\n/).map((paragraph) => paragraph.replace(/\s+/g, ' '))));
}

describe('the beginner track', () => {
  it('is there', () => expect(beginner.length).toBeGreaterThanOrEqual(9));

  it('every message it sends has From: and Date:, the two fields RFC 5322 §3.6 requires', () => {
    let seen = 0;
    for (const { name, lesson } of beginner) {
      for (const message of sentMessages(lesson)) {
        const header = message.slice(0, message.indexOf(''));
        seen++;
        expect(header.some((line) => /^Date: /.test(line)), `${name}: ${header.join(' | ')}`).toBe(true);
        expect(header.some((line) => /^From: /.test(line)), `${name}: ${header.join(' | ')}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(5);
  });

  it('teaches what servers send to AUTH before STARTTLS: 530 5.7.0 (RFC 3207 §4), replayed; 538 only as history (RFC 4954 §6)', () => {
    const tls = beginner.find((entry) => entry.name.startsWith('beginner/06-'))!;
    const replies = tls.lesson.sessions.flatMap((session) => session.steps.flatMap((step) => step.server.map((line) => line.text)));
    expect(replies).toContain('530 5.7.0 Must issue a STARTTLS command first');
    for (const { name, lesson } of lessons) {
      for (const paragraph of narration(lesson)) {
        if (/\b538\b/.test(paragraph)) expect(paragraph, name).toMatch(/historical purposes/);
      }
    }
  });

  it('never says a 5xx to EHLO is final: the client falls back to HELO (RFC 5321 §3.2)', () => {
    const mx = beginner.find((entry) => entry.name.startsWith('beginner/08-'))!;
    const paragraphs = narration(mx.lesson);
    expect(paragraphs.some((paragraph) => /5xx to EHLO/.test(paragraph) && /HELO \(RFC 5321 §3\.2\)/.test(paragraph))).toBe(true);
    for (const paragraph of paragraphs) expect(paragraph).not.toMatch(/said 5xx, the failure would have been final/);
  });
});

describe('the SMTP engine in the lessons', () => {
  it('an unknown command is 500 5.5.2 (RFC 3463 §3.6 X.5.2: "the command is unrecognized"), never 500 5.5.1', () => {
    for (const { name, text } of lessons) expect(text, name).not.toMatch(/^\s*S: 500 5\.5\.1 /m);
    expect(lessons.some(({ text }) => /^S: 500 5\.5\.2 Command "/m.test(text))).toBe(true);
  });
});

describe('practice hints', () => {
  // Each typed line is one the server would refuse at that point, though its state allows the verb.
  const refused = [
    { protocol: 'pop3', state: 'AUTHORIZATION', expected: 'USER mrose', typed: 'PASS tanstaaf', why: 'PASS before USER (RFC 1939 §7)' },
    { protocol: 'smtp', state: 'MAIL', expected: 'RCPT TO:<alice@maillab.test>', typed: 'DATA', why: 'DATA with no accepted recipient (RFC 5321 §3.3)' },
    { protocol: 'smtp', state: 'INIT', expected: 'EHLO me.example', typed: 'BDAT 10 LAST', why: 'BDAT before EHLO (RFC 3030 §2)' },
  ] as const;
  it.each(refused)('never recommend what the server would refuse: $why', ({ protocol, state, expected, typed }) => {
    const hint = hintFor(expected, typed, { protocol, state, input: 'command' });
    expect(hint.text).not.toMatch(/would be (understood|accepted)|is valid here|you may send/i);
    // Either another valid step, or (BDAT before a recipient) a command not valid in this state at all.
    expect(hint.text).toMatch(/not what the lesson does next|the session is in \w+, so the server would refuse it/);
  });
});

describe('the APOP lessons', () => {
  it("carry RFC 1939's own warnings: short secrets, offline attacks on an overheard digest (§7, §13)", () => {
    const apop = lessons.filter(({ name, lesson }) => name.startsWith('rfc1939/') && lesson.sessions.some((session) => session.steps.some((step) => step.client.some((line) => /^APOP /.test(line.text)))));
    expect(apop.map(({ name }) => name).sort()).toEqual(['rfc1939/s10-example-session.lesson', 'rfc1939/s7-apop.lesson']);
    for (const { name, lesson } of apop) {
      const text = narration(lesson).join(' ');
      expect(text, name).toMatch(/offline/);
      expect(text, name).toMatch(/considerably longer than the 8-character example/);
      expect(text, name).toMatch(/§13/);
    }
  });
});

describe('the lesson fields these fixes added', () => {
  const lessonWith = (fields: string) =>
    parseLesson(`id: x\ntitle: x\nprotocol: smtp\nrfc: RFC 2034 §6\nlistener: submission\n${fields}\n\n== session ==\nS: 220 maillab.test ESMTP maillab ready\n`);
  it('plaintext-auth, auth-before-tls and data-ok-enhanced reach the persona', () => {
    const parsed = lessonWith('plaintext-auth: off\nauth-before-tls: encryption-required\ndata-ok-enhanced: 2.6.0');
    expect(parsed.ok ? parsed.lesson.servers[0] : parsed.problems).toMatchObject({ plaintextAuth: false, authBeforeTls: 'encryption-required', dataOkEnhancedCode: '2.6.0' });
  });
  it('refuse values outside their RFC meaning', () => {
    const parsed = lessonWith('auth-before-tls: 538\ndata-ok-enhanced: 5.0.0');
    expect(parsed.ok ? [] : parsed.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^auth-before-tls is "starttls-first" \(530 5\.7\.0, RFC 3207 §4; the default\) or "encryption-required"/),
      expect.stringMatching(/^data-ok-enhanced "5\.0\.0" is not a success enhanced code/),
    ]);
  });
});
