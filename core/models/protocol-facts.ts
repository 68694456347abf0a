/**
 * The protocol facts the two models need (which commands exist, in which
 * states, their syntax; which replies carry a body; after which commands a
 * pipelining client must wait), read through ONE place.
 *
 * Today the facts live in the engines' command tables; a `core/protocols/`
 * data module will replace them. When it lands, each function here switches its
 * source in one line and the models do not change.
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

/** The one source of command metadata for the models (see the file comment). */
export function commandTable(protocol: Protocol): readonly CommandFacts[] {
  return protocol === 'pop3' ? POP3_COMMANDS : SMTP_COMMANDS;
}

/** Commands after which a pipelining client must wait for the reply (RFC 2920 §3.1; RFC 2449 §6.6). */
const WAIT_AFTER = /^(DATA|STARTTLS|STLS|AUTH|BDAT|QUIT|EHLO|HELO)\b/i;

/** True when a pipelining client must wait for the reply to `line` before sending more. */
export function mustWaitAfter(line: string): boolean {
  return WAIT_AFTER.test(line);
}

/**
 * True when a positive POP3 reply to `commandLine` is followed by a multi-line
 * body ended by "." (RFC 1939 §3; RFC 2449 §5 CAPA; bare AUTH lists mechanisms).
 */
export function pop3ReplyHasBody(commandLine: string): boolean {
  const [verb = '', ...rest] = commandLine.trim().split(/\s+/);
  const hasArguments = rest.length > 0;
  switch (verb.toUpperCase()) {
    case 'RETR':
    case 'TOP':
    case 'CAPA':
      return true;
    case 'LIST':
    case 'UIDL':
    case 'AUTH':
      return !hasArguments;
    default:
      return false;
  }
}
