/**
 * Reads a lesson file (lessons/README.md is the definition). The file is cut
 * into its parts here — the header, `== server NAME ==` blocks, `== session ==`
 * transcripts — and each part is read by its own module: lesson-fields.ts for
 * header and persona fields, transcript-steps.ts for the transcript. Every
 * malformed construct is reported with its line number; all of them, not just
 * the first, so a teacher fixes a file in one pass.
 */
import { buildHeader, type RawField, type ServerBlock } from './lesson-fields.js';
import type { LessonProblem, LessonSession, ParsedLesson } from './lesson.js';
import { checkPredictions } from './predictions.js';
import { checkTlsSteps } from './tls-steps.js';
import { buildSession, type RawSession } from './transcript-steps.js';

/** `== server foo.com ==`, `== session ==`, `== hidden ==`, `== shown ==`, `== tls ==`. */
const SECTION = /^==\s*(.*?)\s*==\s*$/;
/** `key: value`, keys in lower case with dots and dashes (`text.user-ok`). */
const FIELD = /^([a-z][a-z0-9]*(?:[.-][a-z0-9]+)*):\s*(.*)$/i;

/** Parses a lesson; `file` only labels messages. */
export function parseLesson(text: string, file?: string): ParsedLesson {
  const problems: LessonProblem[] = [];
  const problem = (line: number, message: string) => problems.push({ line, message });
  const header: RawField[] = [];
  const blocks: ServerBlock[] = [];
  const sessions: RawSession[] = [];
  let inlineTarget: RawField | undefined;

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const session = sessions[sessions.length - 1];
    const section = SECTION.exec(raw.trim());
    if (section && raw.startsWith('==')) {
      inlineTarget = undefined;
      openSection(section[1]!, line);
      return;
    }
    if (session) {
      session.lines.push({ text: raw, line });
      return;
    }
    // Header or a server block.
    const fields = blocks[blocks.length - 1]?.fields ?? header;
    if (raw.startsWith('>')) {
      if (!inlineTarget) {
        problem(line, 'a ">" line is message text, and must follow a "message: USER" line that gives no size');
        return;
      }
      inlineTarget.body!.push(raw.startsWith('> ') ? raw.slice(2) : raw.slice(1));
      return;
    }
    inlineTarget = undefined;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (/^[SC]:/.test(trimmed)) {
      problem(line, `${trimmed.slice(0, 2)} lines belong in a transcript: start it with a "== session ==" line`);
      return;
    }
    const field = FIELD.exec(trimmed);
    if (!field) {
      problem(line, `expected "key: value" in the ${blocks.length > 0 ? 'server block' : 'header'}, found "${shorten(trimmed)}"`);
      return;
    }
    const entry: RawField = { key: field[1]!.toLowerCase(), value: (field[2] ?? '').trim(), line };
    if (entry.key === 'message' && !/^\S+\s+\d/.test(entry.value)) {
      entry.body = [];
      inlineTarget = entry;
    }
    fields.push(entry);
  });

  function openSection(title: string, line: number): void {
    const [word = '', ...rest] = title.split(/\s+/);
    const name = rest.join(' ');
    const session = sessions[sessions.length - 1];
    switch (word.toLowerCase()) {
      case 'server':
        if (session) problem(line, 'server blocks come before the first "== session ==" line');
        else if (name === '') problem(line, 'a server block needs a name: == server foo.com ==');
        else if (blocks.some((block) => block.name === name)) problem(line, `server "${name}" is defined twice`);
        else blocks.push({ name, line, fields: [] });
        return;
      case 'session':
        sessions.push({ server: name, line, lines: [] });
        return;
      case 'hidden':
      case 'shown':
      case 'tls':
        if (!session) problem(line, `"== ${word} ==" belongs inside a session`);
        else if (name !== '') problem(line, `"== ${word} ==" takes nothing after "${word}"`);
        else session.lines.push({ text: '', line, marker: word.toLowerCase() as 'hidden' | 'shown' | 'tls' });
        return;
      default:
        problem(line, `unknown section "== ${title} ==": expected == server NAME ==, == session [NAME] ==, == hidden ==, == shown == or == tls ==`);
    }
  }

  const built = buildHeader(header, blocks, problem);
  const parsedSessions: LessonSession[] = [];
  if (built) {
    const names = new Set(built.servers.map((server) => server.name));
    for (const raw of sessions) {
      if (blocks.length === 0 && raw.server !== '') problem(raw.line, `this lesson has one server: write "== session ==" without a name, or add a "== server ${raw.server} ==" block`);
      else if (blocks.length > 0 && raw.server === '') problem(raw.line, `name the server this session talks to: ${[...names].map((name) => `"== session ${name} =="`).join(' or ')}`);
      else if (!names.has(raw.server)) problem(raw.line, `no server named "${raw.server}"`);
      const session = buildSession(raw, built.messages, problem);
      const persona = built.servers.find((server) => server.name === raw.server);
      if (persona) checkTlsSteps(session, persona, problem);
      if (persona) checkPredictions(session, persona.protocol, problem);
      parsedSessions.push(session);
    }
    if (sessions.length === 0) problem(lines.length === 0 ? 1 : lines.length, 'the lesson has no transcript: add a "== session ==" line and its S: and C: lines');
  }
  if (!built || problems.length > 0) return { ok: false, problems: [...problems].sort((a, b) => a.line - b.line) };
  return { ok: true, lesson: { ...built.lesson, ...(file !== undefined ? { file } : {}), sessions: parsedSessions } };
}

/** Problems as the CLI prints them: `file:line: message`, one a line. */
export function formatProblems(problems: readonly LessonProblem[], file: string): string {
  return problems.map((problem) => `${file}:${problem.line}: ${problem.message}`).join('\n');
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
