/**
 * Renders a played lesson step as transcript text: the narration, the client
 * lines, what the command means, the server lines, what the reply means and
 * the state changes. Lines a placeholder stands for (a whole message) are
 * shown as the lesson wrote the placeholder. Which note explains which line
 * comes from the transcript model; the wording from the catalogue through the
 * row renderer; the player's own from messages.ts.
 */
import type { WireLine } from '../lessons/lesson.js';
import { MESSAGES } from '../lessons/messages.js';
import { predictionAnswer } from '../lessons/predictions.js';
import type { StepIntro } from '../lessons/practice.js';
import type { Difference, PlayedStep } from '../lessons/replay.js';
import { TranscriptModel, type TranscriptModelOptions, type TranscriptUpdate } from '../models/transcript.js';
import { escapeControls, escapeFoldedLine } from '../escape-text.js';
import { renderBody, renderNote, renderRowHead } from './transcript.js';

/** One part of a step a stepping front end shows per key press. */
export interface RenderedChunk {
  readonly lines: readonly string[];
}

export interface StepRenderOptions {
  /** False leaves out client lines the learner typed (practice on a terminal, where they are on screen already). */
  typedClientLines?: boolean;
  /** A reply that differs from the lesson's is a note, not an error (practice: the learner's own wording may be echoed). */
  differencesAsNotes?: boolean;
  /** False leaves out a step's prediction question and answer (practice asks and judges them itself). */
  predictions?: boolean;
  /** Fold a message after this many lines (a terminal); every line when left out. */
  foldAfter?: number;
}

export interface LessonStepRenderer {
  /** The step in chunks: narration and client side first, then the server side. */
  chunks(step: PlayedStep, options?: StepRenderOptions): RenderedChunk[];
  /** The whole step as lines. */
  lines(step: PlayedStep, options?: StepRenderOptions): string[];
  /** What practice shows before the learner types a step: the connection, the narration. */
  intro(intro: StepIntro): string[];
}

/**
 * A renderer for one lesson: one transcript model for the whole lesson, so an
 * explanation is whole the first time and short after, as in every other
 * transcript, at the chosen annotations level (`lesson play --annotations`). Notes on the client's lines follow the client side; notes on
 * the server's lines, bodies and TLS follow the server side, so every
 * explanation comes after the line it explains.
 */
export function createLessonStepRenderer(options: TranscriptModelOptions = {}): LessonStepRenderer {
  const model = new TranscriptModel(options);
  /** Server-side updates a later step shows (a lesson may put narration between a command and its reply). */
  let carried: TranscriptUpdate[] = [];
  const chunks = (step: PlayedStep, options: StepRenderOptions = {}): RenderedChunk[] => {
    const first: string[] = [];
    if (step.opensSession) first.push(MESSAGES.connectionOpened(step.server.host ?? (step.server.name || undefined), step.server.protocol));
    first.push(...step.step.narration);
    if (step.step.narration.length > 0 && (step.sent.length > 0 || step.received.length > 0)) first.push('');
    // The lines as sent, a message's too; only practice on a terminal (where the learner typed them) names a placeholder run instead.
    if (options.typedClientLines === false) first.push(...collapse(step.step.client, step.sent).filter((line) => line.placeholder).map((line) => MESSAGES.sentForYou(line.text)));
    const updates = model.applyAll(step.events);
    const cursor = { next: 0 };
    const early = splitUpdates(carried, step.received, options.foldAfter, cursor, false, undefined);
    const split = splitUpdates(updates, step.received, options.foldAfter, cursor, true, options.typedClientLines === false ? undefined : step.sent);
    const { client } = split;
    const tlsShown = early.tlsShown || split.tlsShown;
    let server = [...early.server, ...split.server];
    carried = [];
    if (step.received.length === 0 && !step.closesSession && !step.step.tls && split.server.length > 0) {
      carried = updates.slice(split.serverFrom);
      server = early.server;
    }
    first.push(...client);
    const predict = options.predictions === false ? undefined : step.step.predict;
    if (predict) first.push(MESSAGES.predictShown(MESSAGES.predictAsk(predict.kind, step.server.protocol, predict.question)));
    // `== tls ==` with no handshake event (a watch-only lesson's trackers were told late): shown after the reply.
    const reply = step.step.tls && !tlsShown ? [...server, MESSAGES.tlsHandshake] : server;
    const second = [...reply];
    const answer = predict && predictionAnswer(predict.kind, step.server.protocol, step.received, step.state);
    if (answer !== undefined) second.push(MESSAGES.predictAnswer(answer));
    const difference = step.difference;
    if (difference && options.differencesAsNotes && difference.reason === 'mismatch') second.push(MESSAGES.replyDiffers(difference.expected ?? '', difference.actual ?? ''));
    else if (difference) second.push(`   !! line ${difference.line}: ${describeDifference(difference)}`);
    if (step.closesSession && !step.step.hidden) second.push(MESSAGES.connectionClosed);
    return [first, second].filter((lines) => lines.length > 0).map((lines) => ({ lines }));
  };
  return {
    chunks,
    lines: (step, options) => chunks(step, options).flatMap((chunk) => chunk.lines),
    intro: (intro) => [
      ...(intro.opensSession ? [MESSAGES.connectionOpened(intro.server.host ?? (intro.server.name || undefined), intro.server.protocol)] : []),
      ...intro.narration,
    ],
  };
}

/**
 * A lesson's line for a screen: escaped like every transcript line, and a
 * line that starts with whitespace (a folded header field, RFC 5322 §2.2.3)
 * with its TABs shown as spaces (core/escape-text.ts).
 */
function shown(line: string): string {
  return /^[ \t]/.test(line) ? escapeFoldedLine(line) : escapeControls(line);
}

/**
 * A step's rows as text, client side and server side. The server side is the
 * lines as received, each followed by what explains it: a line row takes the
 * next received line, a body row the lines of the body (to its "." when this
 * step has it), so a note on "+OK" comes right after "+OK" and a transition
 * after the line that caused it. Lines the rows do not cover (a tracker sees a
 * body only at its end) are shown where they come. Errors and notices go with
 * the side whose line came last; the TLS handshake gets the lesson's divider.
 */
function splitUpdates(
  updates: readonly TranscriptUpdate[],
  received: readonly string[],
  foldAfter: number | undefined,
  cursor: { next: number },
  last: boolean,
  sent: readonly string[] | undefined,
): { client: string[]; server: string[]; tlsShown: boolean; serverFrom: number } {
  const client: string[] = [];
  /** Where each client row's lines (and notes so far) end in `client`. */
  const clientEnds = new Map<number, number>();
  let sentNext = 0;
  const takeSent = (count: number) => {
    if (!sent) return [];
    const lines = sent.slice(sentNext, sentNext + count).map((line) => `C: ${shown(line)}`);
    sentNext += lines.length;
    return lines;
  };
  const server: string[] = [];
  let serverStarted = false;
  let serverFrom = updates.length;
  let tlsShown = false;
  /** Where each server row's lines (and notes so far) end in `server`. */
  const rowEnds = new Map<number, number>();
  const take = (count: number) => {
    const lines = received.slice(cursor.next, cursor.next + count).map((line) => `S: ${shown(line)}`);
    cursor.next += lines.length;
    return lines;
  };
  for (const [index, update] of updates.entries()) {
    if (!serverStarted && update.kind !== 'final' && (update.row.kind === 'tls' || ((update.row.kind === 'line' || update.row.kind === 'body') && update.row.from === 'server'))) serverFrom = Math.min(serverFrom, index);

    if (update.kind === 'final') continue;
    const row = update.row;
    if (update.kind === 'note') {
      const text = renderNote(update.note);
      if (text === undefined) continue;
      // Right after the lines of the row it explains (a status note comes after the body that followed it).
      if ((row.kind === 'line' || row.kind === 'body') && row.from === 'client') insertAfter(client, clientEnds, row.id, text);
      else insertAfter(server, rowEnds, row.id, text);
      continue;
    }
    if (row.kind === 'line' || row.kind === 'body') {
      if (row.from === 'client') {
        if (row.kind === 'line') client.push(...takeSent(1));
        else client.push(...fold(takeSent(row.body.lines), foldAfter), ...(row.body.ending === 'chunk' ? renderBody(row.body).slice(-1) : []));
        clientEnds.set(row.id, client.length);
        continue;
      }
      serverStarted = true;
      if (row.kind === 'line') {
        // Lines no row covered so far (a body a tracker has not closed yet) come before this one.
        const at = received.indexOf(row.text, cursor.next);
        server.push(...fold(take(at === -1 ? 1 : at - cursor.next + 1), foldAfter));
      } else server.push(...fold(take(row.body.lines + (row.body.ending === 'chunk' ? 0 : 1)), foldAfter));
      rowEnds.set(row.id, server.length);
      continue;
    }
    if (row.kind === 'tls') {
      server.push(MESSAGES.tlsHandshake, ...renderRowHead(row));
      tlsShown = true;
      serverStarted = true;
      continue;
    }
    (serverStarted ? server : client).push(...renderRowHead(row));
  }
  // What no row covered: the body lines a tracker will count at its ".", or a "." the engine counted a step before.
  if (!last) return { client, server, tlsShown, serverFrom };
  const unsent = fold(takeSent(Infinity), foldAfter);
  if (sentNext > unsent.length) client.push(...unsent);
  else client.unshift(...unsent);
  // After the lines rows covered; before the notes when no row covered any (they explain these lines).
  const covered = cursor.next > 0;
  const rest = fold(take(received.length - cursor.next), foldAfter);
  if (covered) server.push(...rest);
  else server.unshift(...rest);
  return { client, server, tlsShown, serverFrom };
}

/** Puts a note after the lines of its row (and the notes before it), or at the end when the row is not in this list. */
function insertAfter(lines: string[], ends: Map<number, number>, id: number, text: string): void {
  const end = ends.get(id);
  if (end === undefined) {
    lines.push(text);
    return;
  }
  lines.splice(end, 0, text);
  for (const [other, at] of ends) if (at >= end) ends.set(other, at + 1);
  ends.set(id, end + 1);
}

/** The first `after` lines and one line saying how many more there are (a terminal); all when `after` is undefined. */
function fold(lines: string[], after: number | undefined): string[] {
  if (after === undefined || lines.length <= after + 1) return lines;
  return [...lines.slice(0, after), MESSAGES.foldedLines(lines.length - after - 1), lines[lines.length - 1]!];
}

/** The lines as shown: actual text, except runs that came from one placeholder, shown once as the lesson wrote it. */
function collapse(lesson: readonly WireLine[], actual: readonly string[]): { text: string; placeholder: boolean }[] {
  const out: { text: string; placeholder: boolean }[] = [];
  let index = 0;
  while (index < actual.length) {
    const source = lesson[index];
    if (source?.placeholder !== undefined && actual[index] === source.text) {
      let end = index;
      while (end < actual.length && lesson[end]?.placeholder === source.placeholder && lesson[end]?.line === source.line && actual[end] === lesson[end]!.text) end++;
      out.push({ text: MESSAGES.placeholderLine(source.placeholder, end - index), placeholder: true });
      index = end;
      continue;
    }
    out.push({ text: actual[index]!, placeholder: false });
    index++;
  }
  return out;
}

/** What differs, in words: expected and actual, quoted so blanks and line ends show. */
export function describeDifference(difference: Difference): string {
  switch (difference.reason) {
    case 'mismatch':
      return MESSAGES.differenceMismatch(difference.expected, difference.actual);
    case 'missing':
      return MESSAGES.differenceMissing(difference.expected);
    case 'extra':
      return MESSAGES.differenceExtra(difference.actual);
    case 'closed':
      return MESSAGES.differenceClosed(difference.expected);
  }
}
