/**
 * Replies explained in their context, not only by their code (issue 22): what
 * "+OK 4 2129" means after STAT, which message a LIST/UIDL line names, what a
 * SIZE or LOGIN-DELAY number amounts to, and why a -ERR names a message DELE
 * marked. One set of functions for the lab's engines and the client trackers,
 * so a reply reads the same whichever side maillab is on; the words live in
 * messages/en/reply-context.json.
 */
import type { AnnotationEvent } from '../events.js';
import messages from './messages/en/reply-context.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

/** The catalogue entries of the context notes. */
export const REPLY_CONTEXT_ENTRIES: readonly CatalogueEntry[] = messages.entries;

type Unit = keyof typeof messages.texts.units;

/** What the caller knows beyond the reply line. */
export interface Pop3ReplyKnowledge {
  /** True if DELE of this message number was accepted in this session (and no RSET since). */
  readonly markedDeleted?: (message: number) => boolean;
}

/** The verbs whose argument is a message number that DELE may have marked (RFC 1939 §5). */
const NAMES_A_MESSAGE = new Set(['RETR', 'DELE', 'TOP', 'LIST', 'UIDL']);

/**
 * Context notes for a POP3 status line answering `command` (the line as sent,
 * verb and arguments): STAT's drop listing, a single LIST/UIDL scan line, and
 * a -ERR naming a message marked deleted.
 */
export function pop3ReplyContext(command: string, statusLine: string, known: Pop3ReplyKnowledge = {}): AnnotationEvent[] {
  const [verb = '', arg] = command.trim().split(/ +/);
  const upper = verb.toUpperCase();
  if (statusLine.startsWith('+OK')) {
    // RFC 1939 §5: "+OK nn mm" for STAT, "+OK n m" / "+OK n uid" for LIST/UIDL with an argument.
    const words = statusLine.slice(3).trim().split(/ +/);
    const [first, second] = words;
    if (upper === 'STAT' && isNumber(first) && isNumber(second)) {
      return [note('pop3.context.stat', fill(messages.texts.stat, { count: grouped(first), messages: unit('message', first), octets: grouped(second), octetWord: unit('octet', second) }))];
    }
    if (arg === undefined || !isNumber(first) || second === undefined) return [];
    if (upper === 'LIST' && isNumber(second)) {
      return [note('pop3.context.scan', fill(messages.texts.scanSize, { number: first, octets: grouped(second), octetWord: unit('octet', second) }))];
    }
    if (upper === 'UIDL') return [note('pop3.context.scan', fill(messages.texts.scanUid, { number: first, uid: second.slice(0, 70) }))];
    return [];
  }
  if (statusLine.startsWith('-ERR') && NAMES_A_MESSAGE.has(upper) && isNumber(arg) && known.markedDeleted?.(Number(arg))) {
    return [note('pop3.context.deleted', fill(messages.texts.deleted, { number: String(Number(arg)) }))];
  }
  return [];
}

/**
 * One note for the body of a LIST or UIDL without an argument: how many
 * messages, and for LIST their total size. One note rather than one per line:
 * a line already says "2 200" next to the note on the single-message form, and
 * forty notes for forty messages would bury the listing a learner came to
 * read; what the lines do not say at a glance is how many there are in all.
 * `octets` is the sum of the sizes (LIST only).
 */
export function pop3ListingContext(verb: string, count: number, octets?: number): AnnotationEvent | undefined {
  const upper = verb.toUpperCase();
  const counted = String(count);
  if (upper === 'LIST' && octets !== undefined) {
    return note('pop3.context.listing', fill(messages.texts.listingSize, { count: grouped(counted), messages: unit('message', counted), octets: grouped(String(octets)), octetWord: unit('octet', String(octets)) }));
  }
  if (upper === 'UIDL') return note('pop3.context.listing', fill(messages.texts.listingUid, { count: grouped(counted), messages: unit('message', counted), their: unit('their', counted) }));
  return undefined;
}

/** Sums the sizes of LIST body lines ("n size"); a line that is not one is not counted. */
export class ListingTally {
  count = 0;
  octets = 0;

  add(line: string): void {
    this.count++;
    const size = /^\d+ +(\d{1,15})\b/.exec(line)?.[1];
    if (size !== undefined) this.octets += Number(size);
  }
}

/** What an EHLO keyword line's number means (RFC 1870 §4: SIZE); undefined for keywords without one. */
export function smtpKeywordContext(line: string): AnnotationEvent | undefined {
  const [keyword = '', value] = line.trim().split(/ +/);
  if (keyword.toUpperCase() !== 'SIZE') return undefined;
  // RFC 1870 §4: no parameter, or 0, means no fixed maximum.
  if (value === undefined || (isNumber(value) && Number(value) === 0)) return note('smtp.context.size', messages.texts.sizeNoLimit, 'RFC 1870 §4', 'keyword');
  if (!isNumber(value)) return undefined;
  if (Number(value) < 1024) return note('smtp.context.size', fill(messages.texts.sizeLimitSmall, { octets: grouped(value), octetWord: unit('octet', value) }), 'RFC 1870 §4', 'keyword');
  return note('smtp.context.size', fill(messages.texts.sizeLimit, { amount: bytesInWords(Number(value)), octets: grouped(value) }), 'RFC 1870 §4', 'keyword');
}

/** What a CAPA tag's number means (RFC 2449 §6.5 LOGIN-DELAY seconds, §6.7 EXPIRE days); undefined otherwise. */
export function pop3CapaContext(line: string): AnnotationEvent | undefined {
  const [tag = '', value, user] = line.trim().split(/ +/);
  const perUser = user?.toUpperCase() === 'USER' ? messages.texts.perUser : '';
  const upper = tag.toUpperCase();
  if (upper === 'LOGIN-DELAY' && isNumber(value)) {
    if (Number(value) === 0) return note('pop3.context.capa-time', messages.texts.loginNoDelay + perUser, 'RFC 2449 §6.5', 'keyword');
    return note('pop3.context.capa-time', fill(messages.texts.loginDelay, { amount: secondsInWords(Number(value)) }) + perUser, 'RFC 2449 §6.5', 'keyword');
  }
  if (upper !== 'EXPIRE' || value === undefined) return undefined;
  if (value.toUpperCase() === 'NEVER') return note('pop3.context.capa-time', messages.texts.expireNever + perUser, 'RFC 2449 §6.7', 'keyword');
  if (!isNumber(value)) return undefined;
  const text = Number(value) === 0 ? messages.texts.expireNow : fill(messages.texts.expire, { amount: `${grouped(value)} ${unit('day', value)}` });
  return note('pop3.context.capa-time', text + perUser, 'RFC 2449 §6.7', 'keyword');
}

function note(key: string, detail: string, rfc = 'RFC 1939 §5', about: AnnotationEvent['about'] = 'reply'): AnnotationEvent {
  return { kind: 'annotation', about, key, rfc, detail };
}

function isNumber(word: string | undefined): word is string {
  return word !== undefined && /^\d{1,15}$/.test(word);
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function unit(name: Unit, count: string): string {
  const [one, many] = messages.texts.units[name];
  return Number(count) === 1 ? one! : many!;
}

/** "2129" → "2,129": digits grouped by three, as a learner reads them. */
function grouped(digits: string): string {
  return String(Number(digits)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 10485760 → "10 MB", 10240000 → "9.8 MB": binary units, as servers pick their limits (the exact octets follow in the note). */
function bytesInWords(octets: number): string {
  for (const [size, name] of [[1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB']] as const) {
    if (octets >= size) {
      const amount = octets / size;
      return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${name}`;
    }
  }
  return `${grouped(String(octets))} ${unit('octet', String(octets))}`;
}

/** 900 → "15 minutes", 3600 → "1 hour", 90 → "90 seconds": the largest unit the number is a whole count of. */
function secondsInWords(seconds: number): string {
  for (const [size, name] of [[86400, 'day'], [3600, 'hour'], [60, 'minute']] as const) {
    if (seconds >= size && seconds % size === 0) return `${grouped(String(seconds / size))} ${unit(name, String(seconds / size))}`;
  }
  return `${grouped(String(seconds))} ${unit('second', String(seconds))}`;
}
