/**
 * A session's transcript, cut into steps: narration, the client lines sent
 * together, the server lines that follow. `S: ` and `C: ` take the rest of
 * the line byte for byte (one space after the colon, nothing trimmed);
 * placeholders expand to a fixture message's byte-stuffed lines; lines
 * between `== hidden ==` and `== shown ==` replay silently.
 */
import type { FixtureMessage, LessonSession, TranscriptStep, WireLine } from './lesson.js';
import { expandPlaceholder, literalText, readPlaceholder } from './placeholders.js';
import { PREDICTION_KINDS, type Prediction, type PredictionKind } from './predictions.js';

export interface RawTranscriptLine {
  readonly text: string;
  readonly line: number;
  readonly marker?: 'hidden' | 'shown' | 'tls';
}

export interface RawSession {
  readonly server: string;
  readonly line: number;
  readonly lines: RawTranscriptLine[];
}

type Report = (line: number, message: string) => void;

/** `S:` or `C:`, possibly indented as pasted from an RFC, then one space and the line. */
const WIRE = /^\s*([SC]):([\s\S]*)$/;
/** `predict: code|state|verdict [the question]`: an assessment of the step it belongs to. */
const PREDICT = /^predict:\s*(\S*)\s*(.*)$/i;

interface Building {
  narration: string[];
  client: WireLine[];
  server: WireLine[];
  hidden: boolean;
  line: number;
  tls?: boolean;
  predict?: Prediction;
}

/** Cuts one session into steps, expanding placeholders; problems are reported with their lines. */
export function buildSession(raw: RawSession, messages: readonly FixtureMessage[], report: Report): LessonSession {
  const steps: TranscriptStep[] = [];
  let hidden = false;
  let pendingNarration: string[] = [];
  let current: Building | undefined;
  let sawWire = false;
  /** A `predict:` line before the step it belongs to. */
  let pendingPredict: Prediction | undefined;

  const flush = () => {
    if (current && (current.client.length > 0 || current.server.length > 0)) {
      if (current.predict && current.client.length === 0) report(current.predict.line, 'a prediction belongs to a step with C: lines: the learner predicts the reply to what the client sends');
      else if (current.predict && current.server.length === 0) report(current.predict.line, 'this step has no S: lines: there is no reply to predict');
      steps.push(finish(current));
    }
    current = undefined;
  };
  const start = (line: number) => {
    current = { narration: hidden ? [] : trimBlank(pendingNarration), client: [], server: [], hidden, line };
    if (!hidden) pendingNarration = [];
    if (pendingPredict && hidden) report(pendingPredict.line, 'a prediction inside a hidden block would never be asked; put it after "== shown =="');
    else if (pendingPredict) current.predict = pendingPredict;
    pendingPredict = undefined;
  };
  const predict = (match: RegExpExecArray, line: number) => {
    const kind = match[1]!.toLowerCase();
    if (!PREDICTION_KINDS.includes(kind as PredictionKind)) {
      report(line, `predict: "${match[1]}" is not ${PREDICTION_KINDS.join(', ').replace(/, (?=[^,]*$)/, ' or ')} (write "predict: code Which code comes back?")`);
      return;
    }
    if (hidden) {
      report(line, 'a prediction inside a hidden block would never be asked; put it after "== shown =="');
      return;
    }
    const prediction: Prediction = { kind: kind as PredictionKind, line, ...(match[2]!.trim() !== '' ? { question: match[2]!.trim() } : {}) };
    // Between a step's C: lines and its S: lines it is that step's; elsewhere, the next step's.
    const open = current && current.client.length > 0 && current.server.length === 0 ? current : undefined;
    if ((open && open.predict) || (!open && pendingPredict)) report(line, 'one prediction per step: this step already has one');
    else if (open) open.predict = prediction;
    else pendingPredict = prediction;
  };

  for (const entry of raw.lines) {
    if (entry.marker === 'hidden') {
      if (hidden) report(entry.line, 'already in a hidden block; end it with "== shown ==" first');
      flush();
      hidden = true;
      continue;
    }
    if (entry.marker === 'shown') {
      if (!hidden) report(entry.line, '"== shown ==" ends a hidden block, but none is open');
      flush();
      hidden = false;
      continue;
    }
    if (entry.marker === 'tls') {
      // The handshake follows the reply just read: the marker ends that step.
      if (current && current.client.length > 0 && current.server.length > 0) current.tls = true;
      else report(entry.line, '"== tls ==" goes right after the server\'s positive reply to STLS or STARTTLS (narration comes after the marker)');
      flush();
      continue;
    }
    const trimmed = entry.text.trim();
    if (trimmed.startsWith('#')) continue;
    const wire = WIRE.exec(entry.text);
    const prediction = wire ? null : PREDICT.exec(trimmed);
    if (prediction) {
      predict(prediction, entry.line);
      continue;
    }
    if (!wire) {
      if (trimmed === '') {
        if (pendingNarration.length > 0 && !current) pendingNarration.push('');
        continue;
      }
      if (hidden) {
        report(entry.line, 'narration inside a hidden block would never be shown; put it after "== shown =="');
        continue;
      }
      // Narration interrupts a step: what follows starts a new one.
      flush();
      pendingNarration.push(trimmed);
      continue;
    }
    const side = wire[1] as 'S' | 'C';
    const rest = wire[2]!;
    if (rest.includes('\r')) {
      // Lines are read from a text file: a lone CR would be taken as a line end by some editors and silently lost by others.
      report(entry.line, `this ${side}: line holds a bare CR, which a lesson file cannot carry; a lesson line is sent with CRLF, nothing else`);
      continue;
    }
    if (rest !== '' && !rest.startsWith(' ')) {
      report(entry.line, `put one space after "${side}:" (the rest of the line is sent byte for byte)`);
      continue;
    }
    const lines = expandLine(rest.slice(1), entry.line, messages, report);
    if (!lines) continue;
    if (side === 'C' && !sawWire) report(entry.line, 'a session starts with the server speaking (its greeting on an S: line) before any C: line');
    sawWire = true;
    if (side === 'C' && current && current.server.length > 0) flush();
    if (!current) start(entry.line);
    (side === 'C' ? current!.client : current!.server).push(...lines);
  }
  flush();
  if (pendingPredict) report(pendingPredict.line, 'a prediction needs a step after it: the C: lines whose reply the learner predicts');
  if (trimBlank(pendingNarration).length > 0) {
    steps.push({ narration: trimBlank(pendingNarration), client: [], server: [], hidden: false, line: raw.line });
  }
  if (!sawWire) report(raw.line, 'this session has no S: or C: lines');
  return { server: raw.server, line: raw.line, steps };
}

/** One `S:`/`C:` line's text: itself, or the lines its placeholder stands for. */
function expandLine(text: string, line: number, messages: readonly FixtureMessage[], report: Report): WireLine[] | undefined {
  const placeholder = readPlaceholder(text);
  if (placeholder === undefined) return [{ text: literalText(text), line }];
  if (typeof placeholder === 'string') {
    report(line, placeholder);
    return undefined;
  }
  const message = messages.find((entry) => entry.number === placeholder.number);
  if (!message) {
    report(line, `there is no message ${placeholder.number}: the header declares ${messages.length} message: line${messages.length === 1 ? '' : 's'}`);
    return undefined;
  }
  return expandPlaceholder(placeholder, message).map((expanded) => ({ text: expanded, line, placeholder: text }));
}

function finish(step: Building): TranscriptStep {
  return {
    narration: step.narration,
    client: step.client,
    server: step.server,
    hidden: step.hidden,
    line: step.line,
    ...(step.tls ? { tls: true } : {}),
    ...(step.predict ? { predict: step.predict } : {}),
  };
}

/** Narration without leading or trailing paragraph breaks. */
function trimBlank(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start] === '') start++;
  while (end > start && lines[end - 1] === '') end--;
  return lines.slice(start, end);
}
