/**
 * What the SMTP tracker remembers of a command it saw sent: the masked line to
 * show, how much it would weigh as message content (a 354 can turn pipelined
 * "commands" into content), the SASL exchange it opens, the BDAT chunk it
 * announces. Bounded: long lines are cut.
 */
import type { BodyText } from '../framing/body-text.js';
import { utf8Length } from '../text-bytes.js';
import { SaslWatch } from './sasl-watch.js';

/** The longest text kept per pending command, keyword or parameter list. */
export const MAX_KEPT = 200;

/** What a line sent as a command would be as DATA content, in case a 354 shows it was content. */
export interface AsContent {
  readonly octets: number;
  /** The start of the line (enough to spot "." and dot-stuffing). */
  readonly line: string;
}

/** One command whose reply has not (fully) arrived; "." stands for the end of DATA content. */
export interface SentCommand {
  readonly verb: string;
  /** The line as shown in events (masked), cut to a bounded length. */
  readonly shown: string;
  readonly asContent: AsContent;
  readonly sasl?: SaslWatch;
  /** BDAT with a valid size: its chunk follows at once (RFC 3030 §2). */
  readonly bdat?: { readonly size: number; readonly last: boolean };
}

/** DATA content or a BDAT chunk being sent: counted, not stored. */
export interface ContentCount {
  lines: number;
  /** DATA: octets after unstuffing, CRLF included (what the server stores). BDAT: octets sent. */
  octets: number;
  /** The lines as the server stores them (unstuffed), bounded: a transcript shows what was typed. */
  readonly text: BodyText;
}

export interface ChunkCount extends ContentCount {
  readonly size: number;
  readonly owner: SentCommand;
}

/** Reads a sent command line into what the tracker keeps of it. */
export function describeCommand(verb: string, args: string, shown: string, line: string): SentCommand {
  const base: SentCommand = {
    verb,
    shown: shown.length > MAX_KEPT ? `${shown.slice(0, MAX_KEPT)}…` : shown,
    // Enough of the line to spot "." and dot-stuffing; a masked line is kept as its length only.
    asContent: { octets: sentOctets(line), line: shown === line ? line.slice(0, 41) : '' },
  };
  if (verb === 'AUTH') {
    const [mechanism, initial] = args.split(' ').filter((part) => part !== '');
    return mechanism === undefined ? base : { ...base, sasl: new SaslWatch(mechanism.toUpperCase(), initial) };
  }
  if (verb === 'BDAT') {
    const match = /^(\d{1,15})(?: (LAST))?$/i.exec(args);
    if (match) return { ...base, bdat: { size: Number(match[1]), last: match[2] !== undefined } };
  }
  return base;
}

/** Octets of a sent line: written as UTF-8. */
export function sentOctets(line: string): number {
  return utf8Length(line);
}

