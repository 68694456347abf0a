/**
 * What the SMTP dispatcher checks on every command line before any handler
 * runs, and how it words the answers: the bytes a command may hold, the 503
 * text for a command out of sequence, and the masked form a line is shown in.
 */
import type { ErrorCode } from '../errors.js';
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

/** Command lines are US-ASCII, except UTF-8 in MAIL/RCPT addresses under SMTPUTF8 (RFC 6531 §3.3). */
export function checkCommandBytes(bytes: Buffer, bareCr: boolean): { code: ErrorCode; message: string } | undefined {
  if (bareCr) return { code: 'BARE_CR', message: 'Bare CR in a command line: SMTP lines end with CRLF (RFC 5321 §2.3.8)' };
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { code: 'NUL_BYTE', message: `NUL byte at position ${nul + 1} of the command line` };
  // ESC and the other C0 controls have no place in a command (RFC 5321 §4.1.1: SP-separated printable text), as in POP3.
  const control = bytes.findIndex((byte) => byte < 0x20 || byte === 0x7f);
  if (control !== -1) {
    const byte = bytes[control]!;
    return { code: 'CONTROL_CHARACTER', message: `control character 0x${byte.toString(16).padStart(2, '0')} at position ${control + 1}: commands are printable US-ASCII separated by spaces (RFC 5321 §4.1.1)` };
  }
  const eightBit = bytes.findIndex((byte) => byte >= 0x80);
  if (eightBit !== -1) {
    const verb = bytes.subarray(0, 4).toString('latin1').toUpperCase();
    const valid = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
    if (!(verb === 'MAIL' || verb === 'RCPT')) return { code: 'EIGHT_BIT', message: `8-bit byte at position ${eightBit + 1}: commands are US-ASCII except SMTPUTF8 addresses` };
    if (!valid) return { code: 'EIGHT_BIT', message: 'the command line is not valid UTF-8 (RFC 6531 §3.3)' };
  }
  return undefined;
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
