/**
 * What exactly differs between the lesson's line and the learner's, in words
 * (practice feedback when a line is rolled back, issue 22): the SASL
 * mechanism, the mailbox, a local part that differs only in case (which may
 * name another mailbox: RFC 5321 §2.4), the message number, a parameter.
 * Secrets are never quoted (PASS, APOP's digest, SASL responses).
 */
import type { Protocol } from '../events.js';
import { splitCommand } from './equivalence.js';
import { MESSAGES } from './messages.js';

/** The difference in words, or undefined when the lines do not differ in a way worth naming. */
export function lineDifference(protocol: Protocol, lessonLine: string, typedLine: string): string | undefined {
  const want = splitCommand(lessonLine.trim());
  const got = splitCommand(typedLine.trim());
  if (want.verb === 'AUTH' && got.verb === 'AUTH') {
    const [wanted = ''] = want.args.trim().split(/\s+/);
    const [typed = ''] = got.args.trim().split(/\s+/);
    if (wanted.toUpperCase() !== typed.toUpperCase()) return MESSAGES.differsMechanism(wanted.toUpperCase(), typed.toUpperCase());
    return undefined;
  }
  if (want.verb !== got.verb) return undefined;
  if (protocol === 'smtp' && (want.verb === 'MAIL' || want.verb === 'RCPT')) return pathDifference(want.args, got.args);
  if (protocol === 'pop3' && (want.verb === 'USER' || want.verb === 'APOP')) {
    const wanted = want.args.trim().split(/\s+/)[0] ?? '';
    const typed = got.args.trim().split(/\s+/)[0] ?? '';
    if (wanted === typed) return undefined;
    return wanted.toLowerCase() === typed.toLowerCase() ? MESSAGES.differsMailboxCase(wanted, typed) : MESSAGES.differsMailbox(wanted, typed);
  }
  if (protocol === 'pop3' && ['RETR', 'DELE', 'LIST', 'TOP', 'UIDL'].includes(want.verb) && want.args.trim() !== got.args.trim()) {
    return MESSAGES.differsArguments(want.verb, want.args.trim(), got.args.trim() || MESSAGES.differsNothing);
  }
  return undefined;
}

/** "TO:<Bob@example.org> NOTIFY=…" against the learner's: the address (its local part's case above all), then the parameters. */
function pathDifference(wantArgs: string, gotArgs: string): string | undefined {
  const want = /^\s*(?:FROM|TO):\s*<([^>]*)>(.*)$/i.exec(wantArgs);
  const got = /^\s*(?:FROM|TO):\s*<([^>]*)>(.*)$/i.exec(gotArgs);
  if (!want || !got) return undefined;
  const [wantLocal, wantDomain] = split(want[1]!);
  const [gotLocal, gotDomain] = split(got[1]!);
  if (wantDomain.toLowerCase() === gotDomain.toLowerCase() && wantLocal !== gotLocal && wantLocal.toLowerCase() === gotLocal.toLowerCase()) {
    return MESSAGES.differsLocalPartCase(want[1]!, got[1]!);
  }
  if (want[1]!.toLowerCase() !== got[1]!.toLowerCase()) return MESSAGES.differsAddress(want[1]!, got[1]!);
  const wantParams = want[2]!.trim().toUpperCase();
  const gotParams = got[2]!.trim().toUpperCase();
  if (wantParams !== gotParams) return MESSAGES.differsParameters(want[2]!.trim() || MESSAGES.differsNothing, got[2]!.trim() || MESSAGES.differsNothing);
  return undefined;
}

function split(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  return at === -1 ? [address, ''] : [address.slice(0, at), address.slice(at + 1)];
}
