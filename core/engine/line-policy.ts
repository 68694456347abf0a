/**
 * Line hygiene, once for both engines: what bytes a command line or a SASL
 * response may hold, and how a refusal is worded. The rules are the same for
 * POP3 and SMTP (lines end with CRLF, commands are printable US-ASCII, the
 * first offending byte is named with its position); a protocol supplies only
 * its RFC's words for the syntax, and the commands whose arguments may be
 * UTF-8 (SMTPUTF8 addresses, RFC 6531 §3.3). Each engine wraps the message in
 * its own reply shape (-ERR, 500 5.5.2).
 */
import type { ErrorCode } from '../errors.js';
import type { AnnotationEvent, Protocol } from '../events.js';

/** What a protocol says about its command lines. */
export interface LinePolicy {
  readonly protocol: Protocol;
  /** Where the protocol says lines end with CRLF. */
  readonly lineEndRfc: string;
  /** The rule a control character breaks, in the RFC's words, with its section (spelt out: reply text is US-ASCII). */
  readonly printableRule: string;
  /** The rule an 8-bit byte breaks. */
  readonly asciiRule: string;
  /** Verbs whose arguments may carry UTF-8, when it is valid UTF-8. */
  readonly utf8Verbs: readonly string[];
}

export const POP3_LINE_POLICY: LinePolicy = {
  protocol: 'pop3',
  lineEndRfc: 'RFC 1939 §3',
  printableRule: 'keywords and arguments are printable ASCII separated by single spaces (RFC 1939 section 3)',
  asciiRule: 'commands must be US-ASCII (RFC 1939 section 3)',
  utf8Verbs: [],
};

export const SMTP_LINE_POLICY: LinePolicy = {
  protocol: 'smtp',
  lineEndRfc: 'RFC 5321 §2.3.8',
  printableRule: 'commands are printable US-ASCII separated by spaces (RFC 5321 section 4.1.1)',
  asciiRule: 'commands are US-ASCII except SMTPUTF8 addresses (RFC 6531 section 3.3)',
  utf8Verbs: ['MAIL', 'RCPT'],
};

/** A command line as the framer gives it: its bytes without the terminator, and whether a CR stood alone in it. */
export interface FramedLine {
  readonly bytes: Buffer;
  readonly bareCr: boolean;
  readonly bareLf: boolean;
}

/** Why a command line is refused before any handler sees it, or undefined when its bytes are fine. */
export function commandLineProblem(policy: LinePolicy, line: FramedLine): { code: ErrorCode; message: string } | undefined {
  const { bytes } = line;
  if (line.bareCr) return { code: 'BARE_CR', message: `Bare CR in a command line: ${policy.protocol.toUpperCase()} lines end with CRLF (${policy.lineEndRfc.replace('§', 'section ')})` };
  const verb = bytes.subarray(0, Math.max(0, bytes.indexOf(0x20))).toString('latin1').toUpperCase() || bytes.toString('latin1').toUpperCase();
  const utf8 = policy.utf8Verbs.includes(verb);
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    const position = index + 1;
    if (byte === 0) return { code: 'NUL_BYTE', message: `NUL byte at position ${position} of the command line` };
    if (byte < 0x20 || byte === 0x7f) return { code: 'CONTROL_CHARACTER', message: `control character 0x${byte.toString(16).padStart(2, '0')} at position ${position}: ${policy.printableRule}` };
    if (byte >= 0x80 && !utf8) return { code: 'EIGHT_BIT', message: `8-bit byte 0x${byte.toString(16)} at position ${position}: ${policy.asciiRule}` };
  }
  if (utf8 && !Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) return { code: 'EIGHT_BIT', message: 'the command line is not valid UTF-8 (RFC 6531 section 3.3)' };
  return undefined;
}

/** A SASL response is base64 (RFC 4422 §3): printable ASCII on a line of its own; anything else aborts the exchange. */
export function saslLineUsable(line: FramedLine): boolean {
  return !line.bareCr && line.bytes.every((byte) => byte >= 0x20 && byte < 0x7f);
}

/** The note for a command line that ended in LF alone: accepted, and shown for what it is. */
export function bareLfWarning(policy: LinePolicy): AnnotationEvent {
  return { kind: 'annotation', about: 'warning', key: `${policy.protocol}.warning.bare-lf-command`, rfc: policy.lineEndRfc, detail: `this command ended with LF alone; ${policy.protocol.toUpperCase()} lines end with CRLF` };
}
