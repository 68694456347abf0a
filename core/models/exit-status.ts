/**
 * The exit status of `maillab connect`, one per stage that can fail, so a
 * script tells from `$?` what went wrong. swaks is the model (2 connect,
 * 6 timeout, 21 greeting, 28 AUTH, 29 TLS); maillab adds one status for any
 * other refused command and one for a dropped connection. The first failure
 * decides. Pure: it reads transcript rows (core/models/transcript.ts).
 */
import type { TranscriptRow } from './transcript.js';

export const EXIT_CODES = {
  OK: 0,
  /** A usage error, or maillab's own failure. */
  USAGE: 1,
  /** The server could not be reached: refused, no such host, unreachable. */
  CONNECT: 2,
  /** A reply did not come within --timeout. */
  TIMEOUT: 6,
  /** No greeting, a negative one, or another protocol answered (TLS, HTTP, the other mail protocol). */
  GREETING: 21,
  /** The server refused a command (-ERR, 4yz, 5yz) other than a login or TLS command. */
  REFUSED: 25,
  /** A login was refused (USER, PASS, APOP, AUTH, or a SASL exchange). */
  AUTH: 28,
  /** TLS failed: the handshake, or STLS/STARTTLS refused. */
  TLS: 29,
  /** The server closed the connection before the session ended (no QUIT answered). */
  DROPPED: 30,
  /** Interrupted with Ctrl-C. */
  INTERRUPTED: 130,
} as const;

export type ExitStage = keyof typeof EXIT_CODES;

/** What `--help` and the README say about the exit statuses. */
export const EXIT_HELP = [
  'Exit status (the first failure decides):',
  '  0   the session ran to its end (QUIT answered, or end of input)',
  '  1   usage error or maillab\'s own failure',
  '  2   could not connect (refused, unknown host, unreachable)',
  '  6   no complete reply within --timeout',
  '  21  no greeting, a negative greeting, or another protocol answered (TLS, HTTP, POP3 vs SMTP)',
  '  25  the server refused a command (-ERR, 4yz or 5yz), other than a login or TLS command',
  '  28  a login was refused (USER, PASS, APOP, AUTH)',
  '  29  TLS failed (the handshake, or STLS/STARTTLS refused)',
  '  30  the server closed the connection before QUIT was answered',
  '  130 interrupted (Ctrl-C)',
].join('\n');

/** What an exit status means, in the words of EXIT_HELP ("a login was refused (USER, PASS, APOP, AUTH)"). */
export function exitMeaning(code: number): string {
  for (const line of EXIT_HELP.split('\n')) {
    const match = /^ {2}(\d+)\s+(.*)$/.exec(line);
    if (match && Number(match[1]) === code) return match[2]!;
  }
  return 'unknown status';
}

const LOGIN_VERBS = new Set(['USER', 'PASS', 'APOP', 'AUTH']);
const TLS_VERBS = new Set(['STLS', 'STARTTLS']);

/**
 * The stage that failed first in a session's rows, or undefined when every
 * reply was positive. A reply is negative when its status line starts with
 * "-ERR" or a 4 or 5; SASL continuation lines and the greeting count for their stage.
 */
export function failedStage(rows: readonly TranscriptRow[]): ExitStage | undefined {
  let greeted = false;
  for (const row of rows) {
    if (row.kind !== 'line' || row.from !== 'server' || /^\d{3}-/.test(row.text)) continue;
    const negative = /^-ERR\b/i.test(row.text) || /^[45]\d\d\b/.test(row.text);
    const asked = row.answers === undefined ? undefined : rows[row.answers];
    if (!greeted && (asked === undefined || asked.kind !== 'line')) {
      greeted = true;
      if (negative || !/^(\+OK|2\d\d)\b/i.test(row.text)) return 'GREETING';
      continue;
    }
    greeted = true;
    if (!negative) continue;
    const verb = asked?.kind === 'line' ? (/^\S*/.exec(asked.text)?.[0] ?? '').toUpperCase() : '';
    if (TLS_VERBS.has(verb)) return 'TLS';
    // A SASL response line has no verb of ours: the exchange it belongs to is a login.
    if (LOGIN_VERBS.has(verb) || (asked?.kind === 'line' && asked.masked && !/\s/.test(asked.text))) return 'AUTH';
    return 'REFUSED';
  }
  return undefined;
}
