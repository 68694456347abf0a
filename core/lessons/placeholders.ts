/**
 * Fixture messages and the placeholders that stand for them in a transcript.
 * RFC 1939 §10 writes "S: <the POP3 server sends message 1>"; a lesson writes
 * `S: {message 1}` (or the RFC's own words) and gets the message's lines,
 * byte-stuffed, exactly as the server sends them.
 */
import { stuffBody } from '../framing/dot-stuffing.js';
import { topOf } from '../pop3/commands/transaction.js';
import type { FixtureMessage } from './lesson.js';

/** The shortest message `messageOfSize` can build with this subject: the header, the blank line, one empty line. */
export function smallestMessage(subject: string): number {
  return `Subject: ${subject}\r\n\r\n`.length + 2;
}

/**
 * A message of exactly `octets` octets on the wire (CRLF line ends): a Subject
 * header, a blank line, and lines of filler. Deterministic, so a lesson that
 * gives only sizes (RFC 1939's "120 octets") replays the same every time.
 */
export function messageOfSize(octets: number, subject: string): Buffer {
  const head = `Subject: ${subject}\r\n\r\n`;
  let remaining = octets - head.length;
  if (remaining < 2) throw new RangeError(`a message of ${octets} octets is too small (at least ${smallestMessage(subject)})`);
  let body = '';
  while (remaining > 74) {
    body += `${'x'.repeat(70)}\r\n`;
    remaining -= 72;
  }
  body += `${'y'.repeat(remaining - 2)}\r\n`;
  return Buffer.from(head + body, 'latin1');
}

/** A placeholder as written, before expansion. */
export type Placeholder = { kind: 'message'; number: number } | { kind: 'top'; number: number; lines: number };

/**
 * Reads a placeholder: `{message N}`, `{top N L}` (headers, blank line and L
 * body lines, as TOP sends them), or the RFC's wording
 * `<the POP3 server sends message N>`. Text that is none of these returns
 * undefined; text in braces that is not a placeholder returns an error message.
 */
export function readPlaceholder(text: string): Placeholder | string | undefined {
  const rfc = /^<the POP3 server sends message (\d+)>$/.exec(text);
  if (rfc) return { kind: 'message', number: Number(rfc[1]) };
  if (!text.startsWith('{') || text.startsWith('{{')) return undefined;
  const message = /^\{message (\d+)\}$/.exec(text);
  if (message) return { kind: 'message', number: Number(message[1]) };
  const top = /^\{top (\d+) (\d+)\}$/.exec(text);
  if (top) return { kind: 'top', number: Number(top[1]), lines: Number(top[2]) };
  return `unknown placeholder "${text}": write {message N} or {top N LINES} (a line that really starts with "{" is written "{{")`;
}

/** The text of a line that is not a placeholder: "{{" at the start stands for a literal "{". */
export function literalText(text: string): string {
  return text.startsWith('{{') ? text.slice(1) : text;
}

/** The lines a placeholder stands for: the message (or its top), byte-stuffed, without the final ".". */
export function expandPlaceholder(placeholder: Placeholder, message: FixtureMessage): string[] {
  const content = placeholder.kind === 'top' ? topOf(message.bytes, placeholder.lines) : message.bytes;
  const stuffed = stuffBody(content);
  const body = stuffed.subarray(0, stuffed.length - 3).toString('utf8');
  if (body === '') return [];
  return body.slice(0, -2).split('\r\n');
}
