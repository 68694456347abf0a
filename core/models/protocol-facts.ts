/**
 * Protocol facts the two models need that are not in a table yet: which
 * replies carry a body, after which commands a pipelining client must wait.
 * A `core/protocols/` data module (command metadata: multi-line reply, wait
 * after) will replace them; then each function here reads it in one line.
 * No imports: the transcript model stays browser-safe through this file.
 */

/** Commands after which a pipelining client must wait for the reply (RFC 2920 §3.1; RFC 2449 §6.6). */
const WAIT_AFTER = /^(DATA|STARTTLS|STLS|AUTH|BDAT|QUIT|EHLO|HELO)\b/i;

/** True when a pipelining client must wait for the reply to `line` before sending more. */
export function mustWaitAfter(line: string): boolean {
  return WAIT_AFTER.test(line);
}

/**
 * True when a positive POP3 reply to `commandLine` is followed by a multi-line
 * body ended by "." (RFC 1939 §3; RFC 2449 §5 CAPA; bare AUTH lists mechanisms).
 */
export function pop3ReplyHasBody(commandLine: string): boolean {
  const [verb = '', ...rest] = commandLine.trim().split(/\s+/);
  const hasArguments = rest.length > 0;
  switch (verb.toUpperCase()) {
    case 'RETR':
    case 'TOP':
    case 'CAPA':
      return true;
    case 'LIST':
    case 'UIDL':
    case 'AUTH':
      return !hasArguments;
    default:
      return false;
  }
}
