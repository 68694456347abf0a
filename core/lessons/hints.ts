/**
 * Why a learner's line is not the lesson's next line, explained from the
 * annotation catalogue: an unknown command (with close names to try), a
 * command the current state does not allow, the right command with other
 * arguments, or a valid command that is not the lesson's next step.
 */
import type { CatalogueEntry } from '../annotations/entry.js';
import { describeKey } from '../annotations/describe.js';
import { explain } from '../annotations/explain.js';
import type { Protocol } from '../events.js';
import { splitCommand } from './equivalence.js';
import type { ServerInputKind } from './lab-connection.js';
import { MESSAGES } from './messages.js';

export type HintKind = 'empty' | 'data-line' | 'sasl-line' | 'unknown-command' | 'wrong-state' | 'wrong-arguments' | 'other-command';

export interface Hint {
  readonly kind: HintKind;
  /** The explanation, in the player's words (messages.ts) and the catalogue's. */
  readonly text: string;
  /** The catalogue entries the hint is about: what was typed, then what was expected. */
  readonly entries: readonly CatalogueEntry[];
}

export interface HintContext {
  readonly protocol: Protocol;
  /** The server's state now, as the lab shows it. */
  readonly state: string;
  readonly input: ServerInputKind;
}

/** Explains why `typed` is not `expected`. */
export function hintFor(expected: string, typed: string, context: HintContext): Hint {
  if (context.input === 'data') return { kind: 'data-line', text: MESSAGES.hintDataLine, entries: [] };
  if (context.input === 'sasl') return { kind: 'sasl-line', text: MESSAGES.hintSaslLine, entries: [] };
  if (typed.trim() === '') return { kind: 'empty', text: MESSAGES.hintEmpty, entries: [] };
  const want = splitCommand(expected);
  const got = splitCommand(typed.trim());
  const typedEntry = commandEntry(context.protocol, got.verb);
  const expectedEntry = commandEntry(context.protocol, want.verb);
  if (!typedEntry) {
    const suggestions = explain(`${context.protocol} ${got.verb}`).suggestions.filter((name) => commandEntry(context.protocol, name));
    return { kind: 'unknown-command', text: MESSAGES.hintUnknownCommand(got.verb, context.protocol, suggestions), entries: expectedEntry ? [expectedEntry] : [] };
  }
  if (got.verb === want.verb) {
    return { kind: 'wrong-arguments', text: MESSAGES.hintWrongArguments(got.verb, typedEntry.syntax ?? got.verb, typedEntry.rfc), entries: [typedEntry] };
  }
  const entries = expectedEntry ? [typedEntry, expectedEntry] : [typedEntry];
  if (typedEntry.states && !typedEntry.states.includes(context.state)) {
    return { kind: 'wrong-state', text: MESSAGES.hintWrongState(got.verb, typedEntry.states, typedEntry.rfc, context.state), entries };
  }
  const summary = expectedEntry?.summary ?? '';
  return { kind: 'other-command', text: MESSAGES.hintOtherCommand(got.verb, want.verb, summary, expectedEntry?.rfc ?? ''), entries };
}

function commandEntry(protocol: Protocol, verb: string): CatalogueEntry | undefined {
  return /^[A-Z][A-Z0-9-]*$/.test(verb) ? describeKey(`${protocol}.command.${verb}`) : undefined;
}
