/**
 * The one place that decides what of a client line is a secret, for every
 * transcript, log and screen (server engines, client trackers, `send`, the
 * console model that hides a password while it is typed).
 *
 * Masking is a property of what *could* be a secret, not of an exchange that
 * succeeded: a PASS line is masked whatever follows the verb (a NUL, a tab,
 * junk), an AUTH line's initial response whatever the mechanism, and every
 * line of a SASL exchange whole. A line read as a command that is no command
 * of the protocol but one base64 token is a credential sent after a refused
 * AUTH (503, 504, 530 …: the client did not wait for the 334): masked too,
 * and never echoed in an error reply. A line that has no secret keeps its text.
 * PASS is masked in both protocols: a client that sends it to an SMTP port
 * has still typed a password.
 *
 * The text an event carries is also escaped (core/escape-text.ts): no control
 * byte from the network reaches a front end.
 * Browser-safe: no Node built-ins.
 */
import { escapeControls } from './escape-text.js';
import type { Protocol, WireEvent } from './events.js';
import { commandOfLine } from './protocols/index.js';

/** What replaces a secret; the same length always, so the secret's length is not shown either. */
export const MASK = '********';

/** How the line will be read: as a command, or as a SASL response (RFC 5034 §4, RFC 4954 §4). */
export type LineRole = 'command' | 'sasl';

/** RFC 1939 §7: everything after PASS is the password, however it is separated from the verb. */
const PASS = /^(\s*PASS)(?![A-Za-z0-9])/i;
/** RFC 5034 §4, RFC 4954 §4: AUTH mechanism [initial-response]; the response is credentials. */
const AUTH_WITH_RESPONSE = /^(\s*AUTH[^A-Za-z0-9]+[^\s\x00]+)[\s\x00]+[^\s\x00]/i;

/**
 * Where the secret part of a client line starts, or undefined when it holds
 * none. `line` may be incomplete (being typed): the console model hides
 * characters from this index on, before Enter is pressed.
 */
export function secretStart(protocol: Protocol, line: string, role: LineRole): number | undefined {
  if (role === 'sasl') return 0;
  const pass = PASS.exec(line);
  if (pass) return pass[1]!.length;
  const auth = /^(\s*AUTH[^A-Za-z0-9]+[^\s\x00]+)[\s\x00]/i.exec(line);
  if (auth) return auth[1]!.length;
  return undefined;
}

/** A client line as any transcript may show it: the secret replaced by `MASK`. */
export function maskClientLine(protocol: Protocol, line: string, role: LineRole): { text: string; masked: boolean } {
  if (role === 'sasl') {
    // "*" cancels the exchange (RFC 5034 §4, RFC 4954 §4): no secret in it, and worth seeing.
    if (line === '*') return { text: line, masked: false };
    return { text: line === '' ? '(empty)' : MASK, masked: true };
  }
  const pass = PASS.exec(line);
  if (pass) return { text: `${pass[1]} ${MASK}`, masked: true };
  const auth = AUTH_WITH_RESPONSE.exec(line);
  if (auth) return { text: `${auth[1]} ${MASK}`, masked: true };
  if (looksLikeCredential(protocol, line)) return { text: MASK, masked: true };
  return { text: line, masked: false };
}

/** One base64 token (RFC 4648 §4), padded to whole quanta. */
const BASE64_TOKEN = /^\s*([A-Za-z0-9+/]{4})+([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\s*$/;

/**
 * True when a line read as a command could be a SASL credential sent without
 * its 334/+ (after a refused AUTH): one base64 token that names no command of
 * the protocol, and is not a plain upper-case word such as a mistyped verb.
 */
export function looksLikeCredential(protocol: Protocol, line: string): boolean {
  if (!BASE64_TOKEN.test(line)) return false;
  if (commandOfLine(protocol, line)) return false;
  const token = line.trim();
  return /[a-z0-9+/=]/.test(token) && !/^[a-z]+$/.test(token);
}

/** The `line` event for a client line, masked where it could carry a secret. */
export function clientLineEvent(protocol: Protocol, line: string, role: LineRole): Extract<WireEvent, { kind: 'line' }> {
  const shown = maskClientLine(protocol, line, role);
  const text = escapeControls(shown.text);
  const masked = shown.masked;
  return masked ? { kind: 'line', from: 'client', text, masked: true } : { kind: 'line', from: 'client', text };
}
