/**
 * Assessment: a lesson step may ask the learner to predict its reply before
 * showing it (`predict: code|state|verdict [question]`, lessons/README.md).
 * The right answer is never written in the lesson: it is read from what the
 * server really answered (the step's reply is checked byte for byte anyway)
 * and the state it reached, so a prediction cannot drift from the replay.
 * A score counts the predictions and the lines a learner typed in practice.
 */
import type { Protocol } from '../events.js';
import type { LessonSession, PredictionKind } from './lesson.js';

export type { Prediction, PredictionKind } from './lesson.js';
import { refuses, replyStatus } from './outcome.js';

/** `code`: the reply code (SMTP three digits, POP3 +OK/-ERR); `state`: the session's state after it; `verdict`: accepted or refused. */

export const PREDICTION_KINDS: readonly PredictionKind[] = ['code', 'state', 'verdict'];


/** The right answer to a prediction, from the reply the server sent and the state it reached. */
export function predictionAnswer(kind: PredictionKind, protocol: Protocol, received: readonly string[], state: string | undefined, closed = false): string | undefined {
  const status = replyStatus(protocol, received);
  switch (kind) {
    case 'code':
      return status?.code;
    case 'verdict':
      return status === undefined ? undefined : refuses(status) ? 'refused' : 'accepted';
    case 'state':
      return closed ? 'CLOSED' : state;
  }
}

const ACCEPT_WORDS = new Set(['accept', 'accepted', 'accepts', 'yes', 'y', 'ok', '+ok', 'success', 'succeeds']);
const REFUSE_WORDS = new Set(['refuse', 'refused', 'refuses', 'reject', 'rejected', 'no', 'n', 'err', '-err', 'failure', 'fails']);

/** A `code` or `verdict` prediction needs a reply that has a code: an SMTP reply line or a POP3 +OK/-ERR. */
export function checkPredictions(session: LessonSession, protocol: Protocol, report: (line: number, message: string) => void): void {
  for (const step of session.steps) {
    if (!step.predict || step.predict.kind === 'state' || step.server.length === 0) continue;
    if (!replyStatus(protocol, step.server.map((line) => line.text))) {
      const form = protocol === 'smtp' ? 'a three-digit code' : '+OK or -ERR';
      report(step.predict.line, `predict: ${step.predict.kind} needs a reply that starts with ${form}, and this step's S: lines have none`);
    }
  }
}

/** Whether the learner's answer says what `answer` says: codes as digits (or +OK/-ERR in any case), states in any case, verdicts in a few words. */
export function predictionRight(kind: PredictionKind, typed: string, answer: string): boolean {
  const said = typed.trim().toLowerCase();
  switch (kind) {
    case 'code': {
      if (/^\d/.test(answer)) return /^\d{3}\b/.test(said) && said.slice(0, 3) === answer;
      return said.replace(/^([+-])?/, (sign) => sign || (answer.startsWith('+') ? '+' : '-')) === answer.toLowerCase();
    }
    case 'state':
      return said === answer.toLowerCase();
    case 'verdict':
      return answer === 'accepted' ? ACCEPT_WORDS.has(said) : REFUSE_WORDS.has(said);
  }
}

/** How a learner did in one lesson. */
export interface Score {
  /** Steps the learner typed (a step of several pipelined lines counts once per reply judged). */
  readonly exchanges: number;
  /** Of those, taken the first time, with no refusal and no /reveal before. */
  readonly firstTry: number;
  /** Lines the server took otherwise than the lesson, shown and undone. */
  readonly refused: number;
  readonly revealed: number;
  readonly predictions: number;
  readonly predictionsRight: number;
}

export const EMPTY_SCORE: Score = { exchanges: 0, firstTry: 0, refused: 0, revealed: 0, predictions: 0, predictionsRight: 0 };
