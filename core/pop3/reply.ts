/**
 * POP3 replies are values (docs/ARCHITECTURE.md, "Replies"); this file is the one place that turns
 * them into bytes on the wire.
 */
import { stuffBody } from '../framing/dot-stuffing.js';

/** RFC 2449 §8 response codes, plus AUTH from RFC 3206. */
export type Pop3ResponseCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH';

export type Pop3Reply =
  | {
      kind: 'status';
      ok: boolean;
      text: string;
      code?: Pop3ResponseCode;
      /** A multi-line body: a wire-format message (CRLF, terminated) or lines of text. */
      body?: Uint8Array | readonly string[];
    }
  /** A SASL continuation (RFC 5034 §4): "+ " and a base64 challenge, possibly empty. */
  | { kind: 'continue'; challenge: string }
  /** A status line sent exactly as written: a lab fault rule's reply (core/faults). */
  | { kind: 'raw'; line: string };

export const ok = (text: string, body?: Uint8Array | readonly string[]): Pop3Reply =>
  body === undefined ? { kind: 'status', ok: true, text } : { kind: 'status', ok: true, text, body };

export const err = (text: string, code?: Pop3ResponseCode): Pop3Reply =>
  code === undefined ? { kind: 'status', ok: false, text } : { kind: 'status', ok: false, text, code };

/** A fault rule's reply line, already checked by its parser to be one "+OK …" or "-ERR …" line. */
export const rawReply = (line: string): Pop3Reply => ({ kind: 'raw', line });

/** The first line of a reply, as sent (without CRLF). */
export function statusLine(reply: Pop3Reply): string {
  if (reply.kind === 'continue') return `+ ${reply.challenge}`;
  if (reply.kind === 'raw') return reply.line;
  const code = reply.code ? `[${reply.code}] ` : '';
  const text = `${code}${reply.text}`;
  return (reply.ok ? '+OK' : '-ERR') + (text ? ` ${text}` : '');
}

/** The whole reply as bytes: status line, then the byte-stuffed body and "." if any. */
export function serializeReply(reply: Pop3Reply): Buffer {
  const head = Buffer.from(`${statusLine(reply)}\r\n`, 'latin1');
  if (reply.kind !== 'status' || reply.body === undefined) return head;
  const body = isLines(reply.body) ? Buffer.from(reply.body.map((line) => `${line}\r\n`).join(''), 'latin1') : reply.body;
  return stuffBody(body, head);
}

function isLines(body: Uint8Array | readonly string[]): body is readonly string[] {
  return Array.isArray(body);
}
