/**
 * The one place that decides what of a client line is a secret, for every
 * transcript, log and screen (server engines, client trackers, `send`, the
 * console model that hides a password while it is typed).
 *
 * Masking is a property of what *could* be a secret, not of an exchange that
 * succeeded: a PASS line is masked whatever follows the verb (a NUL, a tab,
 * junk), an AUTH line's initial response whatever the mechanism, and every
 * line of a SASL exchange whole. A line that has no secret keeps its text.
 * Browser-safe: no Node built-ins.
 */
import type { Protocol, WireEvent } from './events.js';

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
  const pass = protocol === 'pop3' ? PASS.exec(line) : null;
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
  const pass = protocol === 'pop3' ? PASS.exec(line) : null;
  if (pass) return { text: `${pass[1]} ${MASK}`, masked: true };
  const auth = AUTH_WITH_RESPONSE.exec(line);
  if (auth) return { text: `${auth[1]} ${MASK}`, masked: true };
  return { text: line, masked: false };
}

/** The `line` event for a client line, masked where it could carry a secret. */
export function clientLineEvent(protocol: Protocol, line: string, role: LineRole): Extract<WireEvent, { kind: 'line' }> {
  const { text, masked } = maskClientLine(protocol, line, role);
  return masked ? { kind: 'line', from: 'client', text, masked: true } : { kind: 'line', from: 'client', text };
}
