/**
 * The command table the console model reads (names, states, syntax, RFC), in
 * ONE function. Today it is the engines' own command tables; a
 * `core/protocols/` data module will replace them, and `commandTable` then
 * reads that in one line (and the console model becomes browser-safe all the
 * way down: the POP3 table pulls in node:crypto through its APOP handler).
 */
import type { Protocol } from '../events.js';
import { POP3_COMMANDS } from '../pop3/commands/index.js';
import { SMTP_COMMANDS } from '../smtp/commands/index.js';

/** What the console needs to know about one command. */
export interface CommandFacts {
  readonly name: string;
  /** The states it is valid in (engine state names, as the trackers use them). */
  readonly states: readonly string[];
  readonly syntax: string;
  readonly rfc: string;
}

/** The one source of command metadata for the console model (see the file comment). */
export function commandTable(protocol: Protocol): readonly CommandFacts[] {
  return protocol === 'pop3' ? POP3_COMMANDS : SMTP_COMMANDS;
}
