/**
 * SMTP session states and the transitions between them, as data (RFC 5321
 * §4.1.4 command sequencing, §3.3 mail transactions). One table drives the
 * engine's sequence checks, the state panels and the docs.
 */

export type SmtpState =
  /** Greeting sent; the client must EHLO or HELO. */
  | 'INIT'
  /** Greeted with EHLO/HELO; no mail transaction. */
  | 'READY'
  /** MAIL accepted: the reverse-path is set. */
  | 'MAIL'
  /** At least one RCPT accepted. */
  | 'RCPT'
  /** After 354: reading the message up to <CRLF>.<CRLF>. */
  | 'DATA'
  /** Receiving BDAT chunks (RFC 3030). */
  | 'BDAT'
  | 'CLOSED';

export const SMTP_STATE_INFO: Readonly<Record<SmtpState, { summary: string; rfc: string }>> = {
  INIT: { summary: 'connected and greeted: the client must say EHLO (or HELO) first', rfc: 'RFC 5321 §4.1.4' },
  READY: { summary: 'EHLO/HELO done, no mail transaction open: MAIL starts one', rfc: 'RFC 5321 §3.3' },
  MAIL: { summary: 'a transaction is open with its sender; RCPT adds recipients', rfc: 'RFC 5321 §3.3' },
  RCPT: { summary: 'the transaction has recipients; more RCPT, or DATA/BDAT to send the message', rfc: 'RFC 5321 §3.3' },
  DATA: { summary: 'every line is message content until a line holding only "."', rfc: 'RFC 5321 §4.1.1.4' },
  BDAT: { summary: 'message chunks of announced size are arriving; BDAT … LAST ends the message', rfc: 'RFC 3030 §2' },
  CLOSED: { summary: 'the session is over', rfc: 'RFC 5321 §4.1.1.10' },
};

export type SmtpTransitionCause =
  | 'ehlo' | 'helo' | 'mail' | 'rcpt' | 'data' | 'data-end' | 'data-rejected' | 'bdat' | 'bdat-last' | 'bdat-failed'
  | 'rset' | 'quit' | 'starttls' | 'dropped' | 'too-many-errors' | 'timeout';

export interface SmtpTransition {
  readonly to: SmtpState | 'same';
  readonly cause: string;
  readonly rfc: string;
}

export const SMTP_TRANSITIONS: Readonly<Record<SmtpTransitionCause, SmtpTransition>> = {
  ehlo: { to: 'READY', cause: 'EHLO accepted: extended SMTP, any open transaction is reset', rfc: 'RFC 5321 §4.1.1.1' },
  helo: { to: 'READY', cause: 'HELO accepted: plain SMTP without extensions', rfc: 'RFC 5321 §4.1.1.1' },
  mail: { to: 'MAIL', cause: 'MAIL accepted: a mail transaction begins with this reverse-path', rfc: 'RFC 5321 §4.1.1.2' },
  rcpt: { to: 'RCPT', cause: 'first RCPT accepted: the transaction has a recipient', rfc: 'RFC 5321 §4.1.1.3' },
  data: { to: 'DATA', cause: '354 sent: what follows is the message, up to <CRLF>.<CRLF>', rfc: 'RFC 5321 §4.1.1.4' },
  'data-end': { to: 'READY', cause: 'end of data: the message is stored and the transaction is over', rfc: 'RFC 5321 §4.1.1.4' },
  'data-rejected': { to: 'READY', cause: 'the message was refused; the transaction is over and nothing was stored', rfc: 'RFC 5321 §4.1.1.4' },
  bdat: { to: 'BDAT', cause: 'first BDAT chunk received', rfc: 'RFC 3030 §2' },
  'bdat-last': { to: 'READY', cause: 'BDAT LAST: the message is stored and the transaction is over', rfc: 'RFC 3030 §2' },
  'bdat-failed': { to: 'READY', cause: 'a BDAT chunk was refused: the transaction is abandoned', rfc: 'RFC 3030 §2' },
  rset: { to: 'READY', cause: 'RSET: the transaction is abandoned, the EHLO/HELO state is kept', rfc: 'RFC 5321 §4.1.1.5' },
  quit: { to: 'CLOSED', cause: 'QUIT: 221 and the server closes the connection', rfc: 'RFC 5321 §4.1.1.10' },
  starttls: { to: 'INIT', cause: 'TLS is up: everything learned before is discarded and the client must EHLO again', rfc: 'RFC 3207 §4.2' },
  dropped: { to: 'CLOSED', cause: 'the connection ended without QUIT; a message in progress is discarded', rfc: 'RFC 5321 §3.8' },
  'too-many-errors': { to: 'CLOSED', cause: 'too many bad commands: 421 and the server closes the connection', rfc: 'RFC 5321 §4.2.2' },
  timeout: { to: 'CLOSED', cause: 'the client was silent past the timeout: 421 and close', rfc: 'RFC 5321 §4.5.3.2' },
};
