/**
 * What the SMTP dispatcher checks on every command line before any handler
 * runs, and how it words the answers: the 503 text for a command out of
 * sequence, and the printable form of peer text echoed in a reply. The bytes a
 * command may hold are core/engine/line-policy.ts's.
 */
import type { SmtpState } from '../protocols/smtp.js';

/** The 503 text for a command the state does not allow (RFC 5321 §4.1.4). */
export function sequenceError(verb: string, state: SmtpState): string {
  if (state === 'INIT') return `Send EHLO or HELO first (${verb} needs a greeting, RFC 5321 §4.1.4)`;
  if (state === 'BDAT') return `${verb} not allowed while BDAT chunks are being sent; finish with BDAT n LAST or RSET (RFC 3030 §2)`;
  switch (verb) {
    case 'MAIL':
      return 'Nested MAIL command: a transaction is already open; finish it or RSET';
    case 'RCPT':
      return 'Need MAIL before RCPT';
    case 'DATA':
    case 'BDAT':
      return state === 'READY' ? `Need MAIL and RCPT before ${verb}` : `Need RCPT before ${verb}`;
    default:
      return `${verb} is not allowed in state ${state}`;
  }
}

/** Shortens and cleans peer text echoed in a reply: reply text is printable US-ASCII (RFC 5321 §4.2). */
/** Peer text echoed in a reply: shortened, control characters replaced. */
export function printable(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return shown.replace(/[^\x20-\x7e]/g, '?');
}

/** Lines of a message (one per LF). */
export function countCrlf(bytes: Buffer): number {
  let lines = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) lines++;
  return lines;
}
