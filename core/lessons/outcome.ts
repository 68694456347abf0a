/**
 * Practice judges a learner's line by what it did, not by its text: the
 * server's reply (the SMTP code and enhanced code, RFC 5321 §4.2 and RFC 3463;
 * POP3's +OK/-ERR and response code, RFC 1939 §3 and RFC 2449 §8), the state
 * the session reached, and what the rest of the lesson needs to have
 * happened (the same user logged in, the same message read or deleted, the
 * same recipient accepted). Anything else the learner chooses — their own EHLO
 * name, sender, message text, parameters — is theirs. Pure functions; the
 * practice engine (practice.ts) supplies the replies and states.
 */
import type { Protocol } from '../events.js';
import { sameLine, splitCommand } from './equivalence.js';
import type { ServerInputKind } from './lab-connection.js';

/** What a reply says, for comparing: the code and its finer code. */
export interface ReplyStatus {
  /** SMTP: the last line's three digits; POP3: `+OK`, `-ERR` or `+` (a SASL challenge). */
  readonly code: string;
  /** SMTP: the enhanced status code (RFC 3463); POP3: the response code in brackets (RFC 2449 §8). */
  readonly detail?: string;
}

/** What one exchange did: the reply, the state after it, whether the server hung up. */
export interface ExchangeOutcome {
  readonly received: readonly string[];
  readonly state: string;
  readonly closed: boolean;
}

/** The exchange as the learner made it: their first line, and how the server read it. */
export interface TypedExchange {
  /** The first line of the exchange (a command, or the first message or SASL line). */
  readonly first: string;
  /** How the server read that first line. */
  readonly input: ServerInputKind;
}

export type Verdict =
  | { readonly same: true }
  /** Another command than the lesson's. */
  | { readonly same: false; readonly reason: 'other-command' }
  /** The lesson's command, but the server answered otherwise. */
  | { readonly same: false; readonly reason: 'other-reply'; readonly expected: ReplyStatus; readonly actual: ReplyStatus | undefined }
  /** The same reply, but the session is somewhere else (or closed). */
  | { readonly same: false; readonly reason: 'other-state'; readonly expected: string; readonly actual: string }
  /** The same reply, but not on what the lesson needs: another user, message or recipient. */
  | { readonly same: false; readonly reason: 'other-target'; readonly needed: string };

const SMTP_REPLY = /^(\d{3})[ -]?(?:([245]\.\d{1,3}\.\d{1,3})(?:\s|$))?/;
const POP3_REPLY = /^(\+OK|-ERR|\+)(?:\s+\[([^\]]+)\])?/i;

/** The status of a whole reply (a multi-line SMTP reply's last line carries the result, RFC 5321 §4.2.1). */
export function replyStatus(protocol: Protocol, lines: readonly string[]): ReplyStatus | undefined {
  if (protocol === 'smtp') {
    const last = [...lines].reverse().find((line) => SMTP_REPLY.test(line));
    const match = last === undefined ? null : SMTP_REPLY.exec(last);
    if (!match) return undefined;
    return match[2] ? { code: match[1]!, detail: match[2] } : { code: match[1]! };
  }
  const match = POP3_REPLY.exec(lines[0] ?? '');
  if (!match) return undefined;
  const code = match[1]!.toUpperCase();
  return match[2] ? { code, detail: match[2].split('/')[0]!.toUpperCase() } : { code };
}

/** True for a reply that refuses (SMTP 4xx/5xx, POP3 -ERR). */
export function refuses(status: ReplyStatus): boolean {
  return status.code === '-ERR' || status.code.startsWith('4') || status.code.startsWith('5');
}

/** A reply status as the learner reads it: `550 5.1.1`, `-ERR [IN-USE]`. */
export function showStatus(status: ReplyStatus | undefined): string {
  if (!status) return '(no reply)';
  if (status.detail === undefined) return status.code;
  return status.code.startsWith('+') || status.code.startsWith('-') ? `${status.code} [${status.detail}]` : `${status.code} ${status.detail}`;
}

/**
 * Whether the learner's exchange did what the lesson's did. `lesson` is the
 * lesson's own first line of the exchange and the outcome it had on a lab that
 * followed the lesson to the letter.
 */
export function judgeExchange(protocol: Protocol, lesson: { first: string; outcome: ExchangeOutcome }, typed: TypedExchange, outcome: ExchangeOutcome): Verdict {
  if (typed.input === 'command') {
    const want = splitCommand(lesson.first);
    const got = splitCommand(typed.first.trim());
    // Another route to the same login (USER/PASS for APOP, another SASL mechanism) is judged by where it leads.
    if (want.verb !== got.verb && !loginRoute(protocol, want.verb, got.verb)) return { same: false, reason: 'other-command' };
  }
  const expected = replyStatus(protocol, lesson.outcome.received);
  const actual = replyStatus(protocol, outcome.received);
  if (expected && !sameStatus(expected, actual)) return { same: false, reason: 'other-reply', expected, actual };
  const expectedState = lesson.outcome.closed ? 'CLOSED' : lesson.outcome.state;
  const actualState = outcome.closed ? 'CLOSED' : outcome.state;
  if (expectedState !== actualState) return { same: false, reason: 'other-state', expected: expectedState, actual: actualState };
  if (typed.input === 'command') {
    const needed = neededTarget(protocol, lesson.first, typed.first, expected);
    if (needed !== undefined) return { same: false, reason: 'other-target', needed };
  }
  return { same: true };
}

/**
 * Commands that log in, for the same result by another route: POP3's USER
 * (then PASS), APOP and AUTH (RFC 1939 §7, RFC 5034); the lesson's APOP or
 * AUTH may be done with any of them. (A lesson's USER is not replaced: its
 * next line is PASS.) SMTP's AUTH with another mechanism is the same verb.
 */
export function loginRoute(protocol: Protocol, lessonVerb: string, typedVerb: string): boolean {
  if (protocol !== 'pop3') return false;
  return (lessonVerb === 'APOP' || lessonVerb === 'AUTH') && (typedVerb === 'USER' || typedVerb === 'APOP' || typedVerb === 'AUTH');
}

function sameStatus(expected: ReplyStatus, actual: ReplyStatus | undefined): boolean {
  if (!actual || expected.code !== actual.code) return false;
  return expected.detail === undefined || actual.detail === undefined || expected.detail === actual.detail;
}

/**
 * What the rest of the lesson depends on, when the learner's line chose
 * otherwise: the mailbox logged into, the message acted on, a recipient the
 * server accepted. Undefined when the learner's choice is as good.
 */
function neededTarget(protocol: Protocol, lessonLine: string, typedLine: string, expected: ReplyStatus | undefined): string | undefined {
  const want = splitCommand(lessonLine);
  const got = splitCommand(typedLine.trim());
  if (protocol === 'pop3') {
    switch (want.verb) {
      case 'USER':
      case 'APOP':
        return firstWord(want.args) === firstWord(got.args) ? undefined : `the mailbox ${firstWord(want.args)}`;
      case 'LIST':
      case 'RETR':
      case 'DELE':
      case 'TOP':
      case 'UIDL':
        return sameLine(protocol, lessonLine, typedLine, 'command') ? undefined : `${want.verb} ${want.args.trim()}`.trim();
      default:
        return undefined;
    }
  }
  // An accepted recipient is where the message goes; a refused one may be any that is refused alike.
  if (want.verb === 'RCPT' && expected && !refuses(expected)) {
    const wanted = mailbox(want.args);
    return wanted !== undefined && wanted === mailbox(got.args) ? undefined : `the recipient <${wanted ?? want.args}>`;
  }
  return undefined;
}

function firstWord(text: string): string {
  return text.trim().split(/\s+/)[0] ?? '';
}

/** `TO:<Jones@Foo.COM> NOTIFY=…` → `Jones@foo.com`: the local part exact, the domain in any case (RFC 5321 §2.4). */
function mailbox(args: string): string | undefined {
  const match = /^\s*(?:FROM|TO):\s*<([^>]*)>/i.exec(args);
  if (!match) return undefined;
  const address = match[1]!;
  const at = address.lastIndexOf('@');
  return at === -1 ? address : `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}
