/**
 * The exit statuses of `maillab connect` and `maillab send`: one table, one
 * status per stage that can fail, so a script tells from `$?` what went wrong.
 * Where swaks gives a number a meaning (2 connect, 6 unexpected close, 21
 * greeting, 22 HELO/EHLO, 23 MAIL, 24 RCPT, 25 DATA, 26 the message after
 * DATA, 27 QUIT, 28 AUTH, 29 TLS), maillab means the same by it; its own
 * statuses (40 timeout, 41 another refused command) are numbers swaks does
 * not use. The first failure decides. Pure: it reads transcript rows
 * (core/models/transcript.ts) and send's stages.
 */
import type { TranscriptRow } from './transcript.js';

export const EXIT_CODES = {
  OK: 0,
  /** A usage error, or maillab's own failure. */
  USAGE: 1,
  /** The server could not be reached: refused, no such host, unreachable. */
  CONNECT: 2,
  /** The server closed the connection before the session ended (swaks' 6). */
  DROPPED: 6,
  /** No greeting, a negative one, or another protocol answered (TLS, HTTP, the other mail protocol). */
  GREETING: 21,
  /** EHLO or HELO refused. */
  HELLO: 22,
  /** MAIL FROM refused (or, for send, the message is larger than the server's SIZE). */
  MAIL: 23,
  /** A recipient refused at RCPT TO. */
  RCPT: 24,
  /** The DATA command refused. */
  DATA: 25,
  /** The message refused after its content (the reply to the final "." or to BDAT). */
  MESSAGE: 26,
  /** QUIT answered with an error (POP3: "some deleted messages not removed"). */
  QUIT: 27,
  /** A login was refused (USER, PASS, APOP, AUTH, or a SASL exchange), or AUTH is not offered. */
  AUTH: 28,
  /** TLS failed: the handshake, the certificate, or STLS/STARTTLS refused or not offered when needed. */
  TLS: 29,
  /** A reply did not come within --timeout. */
  TIMEOUT: 40,
  /** The server refused another command (-ERR, 4yz, 5yz): RETR, DELE, RSET, VRFY … */
  REFUSED: 41,
  /** Interrupted with Ctrl-C. */
  INTERRUPTED: 130,
} as const;

export type ExitStage = keyof typeof EXIT_CODES;

type Command = 'connect' | 'send';

/** Each status, what it means, and which commands can return it. */
const EXIT_TABLE: readonly { code: number; meaning: string; commands: readonly Command[] }[] = [
  { code: 0, meaning: 'the session ran to its end (QUIT answered, or end of input); send: every recipient accepted', commands: ['connect', 'send'] },
  { code: 1, meaning: "usage error or maillab's own failure", commands: ['connect', 'send'] },
  { code: 2, meaning: 'could not connect (refused, unknown host, unreachable; send --direct: no MX host found)', commands: ['connect', 'send'] },
  { code: 6, meaning: 'the server closed the connection unexpectedly (before QUIT was answered)', commands: ['connect', 'send'] },
  { code: 21, meaning: 'no greeting, a negative greeting, or another protocol answered (TLS, HTTP, POP3 vs SMTP)', commands: ['connect', 'send'] },
  { code: 22, meaning: 'EHLO/HELO refused', commands: ['connect', 'send'] },
  { code: 23, meaning: 'MAIL FROM refused (send: or the message is larger than the SIZE the server announced)', commands: ['connect', 'send'] },
  { code: 24, meaning: 'a recipient was refused at RCPT TO', commands: ['connect', 'send'] },
  { code: 25, meaning: 'the DATA command was refused', commands: ['connect', 'send'] },
  { code: 26, meaning: 'the message was refused after its content (the reply to "." or BDAT)', commands: ['connect', 'send'] },
  { code: 27, meaning: 'QUIT answered with an error', commands: ['connect', 'send'] },
  { code: 28, meaning: 'a login was refused (USER, PASS, APOP, AUTH), or not offered, or credentials were held back', commands: ['connect', 'send'] },
  { code: 29, meaning: 'TLS failed (the handshake, an unverified certificate, STLS/STARTTLS refused or not offered)', commands: ['connect', 'send'] },
  { code: 40, meaning: 'no complete reply within --timeout', commands: ['connect', 'send'] },
  { code: 41, meaning: 'the server refused another command (-ERR, 4yz or 5yz: RETR, DELE, RSET, VRFY …)', commands: ['connect'] },
  { code: 130, meaning: 'interrupted (Ctrl-C)', commands: ['connect', 'send'] },
];

/** What `--help` and the README say about the exit statuses of one command. */
export function exitHelp(command: Command): string {
  const rows = EXIT_TABLE.filter((row) => row.commands.includes(command)).map((row) => `  ${String(row.code).padEnd(4)}${row.meaning}`);
  return ['Exit status (the first failure decides; numbers as swaks uses them where swaks has one):', ...rows].join('\n');
}

/** connect's table, as its --help prints it. */
export const EXIT_HELP = exitHelp('connect');

/** What an exit status means, in the words of the table ("a login was refused (USER, PASS, APOP, AUTH) …"). */
export function exitMeaning(code: number): string {
  return EXIT_TABLE.find((row) => row.code === code)?.meaning ?? 'unknown status';
}

const LOGIN_VERBS = new Set(['USER', 'PASS', 'APOP', 'AUTH']);
const TLS_VERBS = new Set(['STLS', 'STARTTLS']);
const STAGE_OF_VERB: Readonly<Record<string, ExitStage>> = { EHLO: 'HELLO', HELO: 'HELLO', LHLO: 'HELLO', MAIL: 'MAIL', RCPT: 'RCPT', DATA: 'DATA', BDAT: 'MESSAGE', QUIT: 'QUIT' };

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
    if (asked?.kind === 'body') return 'MESSAGE';
    const verb = asked?.kind === 'line' ? (/^\S*/.exec(asked.text)?.[0] ?? '').toUpperCase() : '';
    if (TLS_VERBS.has(verb)) return 'TLS';
    // A SASL response line has no verb of ours: the exchange it belongs to is a login.
    if (LOGIN_VERBS.has(verb) || (asked?.kind === 'line' && asked.masked && !/\s/.test(asked.text))) return 'AUTH';
    // Message content typed line by line: the reply to the final "." is the message's.
    if (asked?.kind === 'line' && asked.text === '.') return 'MESSAGE';
    return STAGE_OF_VERB[verb] ?? 'REFUSED';
  }
  return undefined;
}

/** send's stages (core/send/smtp-dialogue.ts DialogueStage) and why a connection ended, as an exit status. */
export function sendStageExit(stage: string, lost?: 'timeout' | 'closed' | 'connect' | 'tls' | 'protocol'): ExitStage {
  if (lost === 'timeout') return stage === 'greeting' ? 'GREETING' : 'TIMEOUT';
  if (lost === 'closed') return 'DROPPED';
  if (lost === 'tls') return 'TLS';
  if (lost === 'connect') return 'CONNECT';
  if (lost === 'protocol') return 'GREETING';
  switch (stage) {
    case 'dns':
    case 'connect':
      return 'CONNECT';
    case 'greeting':
      return 'GREETING';
    case 'ehlo':
    case 'helo':
      return 'HELLO';
    case 'starttls':
      return 'TLS';
    case 'auth':
      return 'AUTH';
    case 'mail':
      return 'MAIL';
    case 'rcpt':
      return 'RCPT';
    case 'data':
      return 'DATA';
    case 'message':
      return 'MESSAGE';
    case 'quit':
      return 'QUIT';
    default:
      return 'USAGE';
  }
}
