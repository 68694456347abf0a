/**
 * Every string the lesson player, the practice hints and `lesson check` show.
 * The words live in the message file messages/en/player.json (templates with
 * `{name}` placeholders, `.one`/`.other` for counts), so they can be
 * translated; this module only picks templates and fills them in. Lesson text
 * (narration) lives in the lesson files; what commands and replies mean lives
 * in the annotation catalogue.
 */
import text from './messages/en/player.json' with { type: 'json' };
import type { Protocol } from '../events.js';

type Key = keyof typeof text;
type CountedKey = Extract<Key, `${string}.one`> extends `${infer Base}.one` ? Base : never;

/** A template with its `{name}` placeholders filled in. */
function fill(key: Key, values: Record<string, string | number> = {}): string {
  return text[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The `.one` or `.other` form of a counted message. */
function counted(key: CountedKey, count: number, values: Record<string, string | number> = {}): string {
  return fill(`${key}.${count === 1 ? 'one' : 'other'}` as Key, { count, ...values });
}

const protocolName = (protocol: Protocol) => fill(`protocol.${protocol}`);
const labName = (lab: string) => fill(lab === 'tcp' ? 'lab.tcp' : 'lab.in-process');

/** Quotes a wire line for a message, showing CR, LF, tabs and trailing blanks. */
export function shown(line: string | undefined): string {
  if (line === undefined) return fill('nothing');
  const visible = line.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/ +$/, (blanks) => '·'.repeat(blanks.length));
  return `"${visible}"`;
}

export const MESSAGES = {
  // ---- player ----
  lessonHeading: (id: string, title: string, rfc: string) => fill('lessonHeading', { id, title, rfc }),
  watchOnly: (reason: string) => fill('watchOnly', { reason }),
  connectionOpened: (host: string | undefined, protocol: Protocol) =>
    host === undefined ? fill('connectionOpenedNoHost', { protocol: protocolName(protocol) }) : fill('connectionOpened', { host, protocol: protocolName(protocol) }),
  connectionClosed: fill('connectionClosed'),
  tlsHandshake: fill('tlsHandshake'),
  placeholderLine: (placeholder: string, lines: number) => counted('placeholderLine', lines, { placeholder }),
  foldedLines: (lines: number) => counted('foldedLines', lines),
  lessonEnd: fill('lessonEnd'),
  watchKeys: fill('watchKeys'),
  stepKeys: fill('stepKeys'),
  paused: fill('paused'),
  speed: (linesPerSecond: number) => counted('speed', linesPerSecond),
  practiceIntro: fill('practiceIntro'),
  practicePrompt: (state: string) => fill('practicePrompt', { state }),
  practicePromptProgress: (state: string, step: number, steps: number) => fill('practicePromptProgress', { state, step, steps }),
  stepProgress: (step: number, steps: number) => fill('stepProgress', { step, steps }),
  stoppedAt: (id: string, step: number, steps: number) => fill('stoppedAt', { id, step, steps }),
  practiceDone: fill('practiceDone'),
  practiceWatchOnly: fill('practiceWatchOnly'),
  revealed: (line: string) => fill('revealed', { line }),
  sentForYou: (what: string) => fill('sentForYou', { what }),
  unknownMeta: (command: string) => fill('unknownMeta', { command }),
  noTty: fill('noTty'),
  replyDiffers: (expected: string, actual: string) => fill('replyDiffers', { expected: shown(expected), actual: shown(actual) }),

  // ---- practice hints ----
  hintUnknownCommand: (verb: string, protocol: Protocol, suggestions: readonly string[]) =>
    suggestions.length === 0
      ? fill('hintUnknownCommand', { verb, protocol: protocolName(protocol) })
      : fill('hintUnknownCommandSuggest', { verb, protocol: protocolName(protocol), suggestions: suggestions.join(fill('hintSuggestionSeparator')) }),
  hintWrongState: (verb: string, states: readonly string[], rfc: string, state: string) =>
    fill('hintWrongState', { verb, states: states.join(fill('hintStateSeparator')), rfc, state }),
  hintOtherCommand: (typed: string, expected: string, summary: string, rfc: string) => fill('hintOtherCommand', { typed, expected, summary, rfc }),
  hintWrongArguments: (verb: string, syntax: string, rfc: string) => fill('hintWrongArguments', { verb, syntax, rfc }),
  hintDataLine: fill('hintDataLine'),
  hintSaslLine: fill('hintSaslLine'),
  hintEmpty: fill('hintEmpty'),
  hintNext: (verb: string, summary: string, rfc: string) => fill('hintNext', { verb, summary, rfc }),
  hintNextRefused: (verb: string, status: string, summary: string, rfc: string) => fill('hintNextRefused', { verb, status, summary, rfc }),
  hintReveal: fill('hintReveal'),

  // ---- practice by outcome, predictions, score ----
  outcomeUndone: fill('outcomeUndone'),
  differsMechanism: (wanted: string, typed: string) => fill('differsMechanism', { wanted, typed }),
  differsMailbox: (wanted: string, typed: string) => fill('differsMailbox', { wanted, typed }),
  differsMailboxCase: (wanted: string, typed: string) => fill('differsMailboxCase', { wanted, typed }),
  differsAddress: (wanted: string, typed: string) => fill('differsAddress', { wanted, typed }),
  differsLocalPartCase: (wanted: string, typed: string) => fill('differsLocalPartCase', { wanted, typed }),
  differsParameters: (wanted: string, typed: string) => fill('differsParameters', { wanted, typed }),
  differsArguments: (verb: string, wanted: string, typed: string) => fill('differsArguments', { verb, wanted, typed }),
  differsNothing: fill('differsNothing'),
  routeLogin: (typed: string, wanted: string) => fill('routeLogin', { typed, wanted }),
  routeSasl: (typed: string, wanted: string) => fill('routeSasl', { typed, wanted }),
  routeAccepted: (typed: string, wanted: string) => fill('routeAccepted', { typed, wanted }),
  detourKept: (typed: string, status: string, expected: string) => fill('detourKept', { typed, status, expected }),
  outcomeOtherCommandTaken: (typed: string, status: string, expected: string, summary: string, rfc: string) =>
    fill('outcomeOtherCommandTaken', { typed, status, expected, summary, rfc }),
  outcomeOtherCommandRefused: (typed: string, status: string, expected: string, summary: string, rfc: string) =>
    fill('outcomeOtherCommandRefused', { typed, status, expected, summary, rfc }),
  outcomeOtherReply: (what: string, expected: string, actual: string) => fill('outcomeOtherReply', { what, expected, actual }),
  outcomeYourMessage: fill('outcomeYourMessage'),
  outcomeYourResponse: fill('outcomeYourResponse'),
  outcomeOtherState: (actual: string, expected: string) => fill('outcomeOtherState', { actual, expected }),
  outcomeOtherTarget: (needed: string) => fill('outcomeOtherTarget', { needed }),
  practiceScore: (score: { exchanges: number; firstTry: number; refused: number; revealed: number; predictions: number; predictionsRight: number }) =>
    fill('practiceScore', { ...score }) + (score.predictions > 0 ? ` ${fill('practiceScorePredictions', { right: score.predictionsRight, count: score.predictions })}` : ''),
  predictAsk: (kind: 'code' | 'state' | 'verdict', protocol: Protocol, question?: string) =>
    question ?? fill(kind === 'code' ? `predictAsk.code.${protocol}` : `predictAsk.${kind}`),
  predictPrompt: fill('predictPrompt'),
  predictShown: (question: string) => fill('predictShown', { question }),
  predictAnswer: (answer: string) => fill('predictAnswer', { answer }),
  predictRight: (answer: string) => fill('predictRight', { answer }),
  predictWrong: (typed: string, answer: string) => fill('predictWrong', { typed, answer }),
  predictPending: (question: string) => fill('predictPending', { question }),

  // ---- lesson check and list ----
  checkOk: (id: string, runs: readonly { lab: string; steps: number }[]) =>
    fill('checkOk', { id, runs: runs.map((run) => fill('checkRun', { count: run.steps, lab: labName(run.lab) })).join(fill('checkRunSeparator')) }),
  checkWatchOnly: (id: string) => fill('checkWatchOnly', { id }),
  checkFailed: (id: string) => fill('checkFailed', { id }),
  checkDifference: (file: string, line: number, lab: string, reason: string) => fill('checkDifference', { file, line, lab: labName(lab), reason }),
  differenceMismatch: (expected: string | undefined, actual: string | undefined) => fill('differenceMismatch', { expected: shown(expected), actual: shown(actual) }),
  differenceMissing: (expected: string | undefined) => fill('differenceMissing', { expected: shown(expected) }),
  differenceExtra: (actual: string | undefined) => fill('differenceExtra', { actual: shown(actual) }),
  differenceClosed: (expected: string | undefined) => fill('differenceClosed', { expected: shown(expected) }),
  checkBroken: (file: string) => fill('checkBroken', { file }),
  checkSummary: (passed: number, total: number) => counted('checkSummary', total, { passed, total }),
  unknownLesson: (id: string, nearest: readonly string[], total: number, broken: number) =>
    fill('unknownLesson', { id }) +
    (nearest.length > 0 ? fill('unknownLessonNearest', { nearest: nearest.join(', ') }) : '') +
    (total > 0 ? counted('unknownLessonAll', total) : '') +
    (broken > 0 ? counted('unknownLessonBroken', broken) : ''),
  cannotReadLessons: (folder: string, reason: string | undefined) => fill('cannotReadLessons', { folder, reason: reason ?? fill('noSuchFolder') }),
  noLessons: (folder: string) => fill('noLessons', { folder }),
} as const;
