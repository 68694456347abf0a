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
import { TranscriptModel, type TranscriptUpdate } from '../models/transcript.js';
import { renderNote, renderRowHead } from './transcript.js';

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
 * transcript. Notes on the client's lines follow the client side; notes on
 * the server's lines, bodies and TLS follow the server side, so every
 * explanation comes after the line it explains.
 */
export function createLessonStepRenderer(): LessonStepRenderer {
  const model = new TranscriptModel();
  /** Notes on server lines a later step shows (a lesson may put narration between a command and its reply). */
  let carried: string[] = [];
  const chunks = (step: PlayedStep, options: StepRenderOptions = {}): RenderedChunk[] => {
    const first: string[] = [];
    if (step.opensSession) first.push(MESSAGES.connectionOpened(step.server.host ?? (step.server.name || undefined), step.server.protocol));
    first.push(...step.step.narration);
    if (step.step.narration.length > 0 && (step.sent.length > 0 || step.received.length > 0)) first.push('');
    const clientLines = collapse(step.step.client, step.sent).filter((line) => options.typedClientLines !== false || line.placeholder);
    first.push(...clientLines.map((line) => (line.placeholder && options.typedClientLines === false ? MESSAGES.sentForYou(line.text) : `C: ${line.text}`)));
    const split = splitUpdates(model.applyAll(step.events));
    const { client, tlsShown } = split;
    let server = [...carried, ...split.server];
    carried = [];
    if (step.received.length === 0 && !step.closesSession && !step.step.tls && server.length > 0) {
      carried = server;
      server = [];
    }
    first.push(...client);
    const predict = options.predictions === false ? undefined : step.step.predict;
    if (predict) first.push(MESSAGES.predictShown(MESSAGES.predictAsk(predict.kind, step.server.protocol, predict.question)));
    // `== tls ==` with no handshake event (a watch-only lesson's trackers were told late): shown after the reply.
    const reply = step.step.tls && !tlsShown ? [...server, MESSAGES.tlsHandshake] : server;
    const second = [...collapse(step.step.server, step.received).map((line) => `S: ${line.text}`), ...reply];
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
 * A step's rows as text, client side and server side. Wire lines are left out
 * (the step shows the lesson's own lines, placeholders kept); errors and
 * notices go with the side whose line came last; the TLS handshake gets the
 * lesson's divider before it.
 */
function splitUpdates(updates: readonly TranscriptUpdate[]): { client: string[]; server: string[]; tlsShown: boolean } {
  const client: string[] = [];
  const server: string[] = [];
  let serverStarted = false;
  let tlsShown = false;
  for (const update of updates) {
    if (update.kind === 'final') continue;
    const row = update.row;
    if (update.kind === 'note') {
      const text = renderNote(update.note);
      if (text === undefined) continue;
      if (row.kind === 'line' && row.from === 'client') client.push(text);
      else server.push(text);
      continue;
    }
    if (row.kind === 'line' || row.kind === 'body') {
      if (row.from === 'server') serverStarted = true;
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
  return { client, server, tlsShown };
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
