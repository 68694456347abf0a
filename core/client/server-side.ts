/**
 * The server's why beside the client's transcript: when `maillab annotate` is
 * given a client's log and the server's log of the same sessions, each refusal
 * the client saw gets the server log line that explains it, as a notice right
 * after the reply. Matching is by what both sides wrote: Postfix logs a
 * reject with the very reply text the client got; a 535 or POP3 -ERR after
 * AUTH/PASS matches the next SASL failure or Dovecot password line; a
 * STARTTLS whose handshake never completed matches the server's TLS failure.
 * Each server line is used once, in order.
 */
import { logReadingText } from '../annotations/log-messages.js';
import type { WireEvent } from '../events.js';
import type { ServerLogLine } from './server-log.js';

const AUTH_FAILURES = new Set(['postfix.sasl-failed', 'dovecot.password-mismatch', 'dovecot.unknown-user', 'dovecot.login-auth-failed']);
const TLS_FAILURES = new Set(['postfix.lost-connection.STARTTLS', 'dovecot.login-tls-failed']);

/** `events` with a notice after each client-visible failure the server's log explains. */
export function withServerSide(events: readonly WireEvent[], serverLines: readonly ServerLogLine[], file: string): WireEvent[] {
  const explained = serverLines.filter((line) => line.explanation !== undefined);
  const used = new Set<ServerLogLine>();
  const take = (matches: (line: ServerLogLine) => boolean) => {
    const line = explained.find((candidate) => !used.has(candidate) && matches(candidate));
    if (line) used.add(line);
    return line;
  };
  const out: WireEvent[] = [];
  for (const event of events) {
    out.push(event);
    const line = matchFor(event, take);
    if (!line) continue;
    const explanation = line.explanation!;
    out.push({ kind: 'notice', text: logReadingText('server-side', { file, line: line.lineNumber, title: explanation.title, meaning: explanation.meaning, check: explanation.check }) });
  }
  return out;
}

function matchFor(event: WireEvent, take: (matches: (line: ServerLogLine) => boolean) => ServerLogLine | undefined): ServerLogLine | undefined {
  if (event.kind === 'line' && event.from === 'server') {
    const smtp = /^([45]\d\d)[ -](.*)$/.exec(event.text);
    if (smtp) {
      const reply = `${smtp[1]} ${smtp[2]}`;
      if (smtp[1] === '535') return take((line) => AUTH_FAILURES.has(line.explanation!.key));
      return take((line) => line.explanation!.key.startsWith('postfix.reject') && line.message.includes(reply));
    }
    if (/^-ERR\b/.test(event.text) && /\[AUTH\]|auth|password|login/i.test(event.text)) return take((line) => AUTH_FAILURES.has(line.explanation!.key));
    return undefined;
  }
  if (event.kind === 'notice' && event.text === logReadingText('tls.no-handshake')) return take((line) => TLS_FAILURES.has(line.explanation!.key));
  return undefined;
}
