/**
 * What practice mode tells a learner whose line the server answered but that
 * is not the lesson's step (./practice.ts): the server's real answer in words,
 * what the lesson does next and why, and that the line is undone.
 */
import { describeKey } from '../annotations/describe.js';
import type { Protocol } from '../events.js';
import { splitCommand } from './equivalence.js';
import { hintFor, type Hint, type HintKind } from './hints.js';
import { lineDifference } from './line-difference.js';
import type { ServerInputKind } from './lab-connection.js';
import { MESSAGES } from './messages.js';
import { refuses, replyStatus, showStatus, type Verdict } from './outcome.js';

/** Why a line the server answered does not count as the lesson's step. */
export type PracticeHintKind = HintKind | 'other-reply' | 'other-state' | 'other-target' | 'other-command-taken' | 'other-command-refused';

export interface PracticeHint extends Omit<Hint, 'kind'> {
  readonly kind: PracticeHintKind;
}

/** The lines the learner typed for the exchange being judged, and where the session stood. */
export interface TypedExchange {
  readonly lines: readonly string[];
  readonly state: string;
  readonly input: ServerInputKind;
}

/** The hint for a line that did something other than the lesson's step. */
export function outcomeHint(protocol: Protocol, verdict: Verdict & { same: false }, open: TypedExchange, lessonLine: string, received: readonly string[]): PracticeHint {
  const typed = open.lines[0]!.trim();
  const status = replyStatus(protocol, received);
  // What exactly differs from the lesson's line (mechanism, mailbox, the case of a local part…), before "undone".
  const differs = open.input === 'command' ? lineDifference(protocol, lessonLine, typed) : undefined;
  const undone = differs ? `${differs} ${MESSAGES.outcomeUndone}` : MESSAGES.outcomeUndone;
  switch (verdict.reason) {
    case 'other-command': {
      const base = hintFor(lessonLine, typed, { protocol, state: open.state, input: open.input });
      if (base.kind === 'unknown-command' || base.kind === 'wrong-state') return { ...base, text: `${base.text} ${undone}` };
      const verb = splitCommand(typed).verb;
      const wanted = splitCommand(lessonLine).verb;
      const entry = describeKey(`${protocol}.command.${wanted}`);
      const refused = status !== undefined && refuses(status);
      const text = refused
        ? MESSAGES.outcomeOtherCommandRefused(verb, showStatus(status), wanted, entry?.summary ?? '', entry?.rfc ?? '')
        : MESSAGES.outcomeOtherCommandTaken(verb, showStatus(status), wanted, entry?.summary ?? '', entry?.rfc ?? '');
      return { kind: refused ? 'other-command-refused' : 'other-command-taken', text: `${text} ${undone}`, entries: base.entries };
    }
    case 'other-reply': {
      const what = open.input === 'data' ? MESSAGES.outcomeYourMessage : open.input === 'sasl' ? MESSAGES.outcomeYourResponse : splitCommand(typed).verb;
      const text = MESSAGES.outcomeOtherReply(what, showStatus(verdict.expected), showStatus(verdict.actual));
      const syntax = open.input === 'command' ? hintFor(lessonLine, typed, { protocol, state: open.state, input: open.input }) : undefined;
      const more = syntax?.kind === 'wrong-arguments' && !differs ? ` ${syntax.text}` : '';
      return { kind: 'other-reply', text: `${text}${more} ${undone}`, entries: syntax?.entries ?? [] };
    }
    case 'other-state':
      return { kind: 'other-state', text: `${MESSAGES.outcomeOtherState(verdict.actual, verdict.expected)} ${undone}`, entries: [] };
    case 'other-target':
      return { kind: 'other-target', text: `${MESSAGES.outcomeOtherTarget(verdict.needed)} ${undone}`, entries: [] };
  }
}
