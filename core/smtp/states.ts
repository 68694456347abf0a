/**
 * SMTP session states and the transitions between them, as data (RFC 5321
 * §4.1.4 command sequencing, §3.3 mail transactions). One table drives the
 * engine's sequence checks, the state panels and the docs.
 */
import { stateSummary, transitionCause } from '../annotations/messages.js';

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
  INIT: { summary: stateSummary('smtp', 'INIT'), rfc: 'RFC 5321 §4.1.4' },
  READY: { summary: stateSummary('smtp', 'READY'), rfc: 'RFC 5321 §3.3' },
  MAIL: { summary: stateSummary('smtp', 'MAIL'), rfc: 'RFC 5321 §3.3' },
  RCPT: { summary: stateSummary('smtp', 'RCPT'), rfc: 'RFC 5321 §3.3' },
  DATA: { summary: stateSummary('smtp', 'DATA'), rfc: 'RFC 5321 §4.1.1.4' },
  BDAT: { summary: stateSummary('smtp', 'BDAT'), rfc: 'RFC 3030 §2' },
  CLOSED: { summary: stateSummary('smtp', 'CLOSED'), rfc: 'RFC 5321 §4.1.1.10' },
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
  ehlo: { to: 'READY', cause: transitionCause('smtp', 'ehlo'), rfc: 'RFC 5321 §4.1.1.1' },
  helo: { to: 'READY', cause: transitionCause('smtp', 'helo'), rfc: 'RFC 5321 §4.1.1.1' },
  mail: { to: 'MAIL', cause: transitionCause('smtp', 'mail'), rfc: 'RFC 5321 §4.1.1.2' },
  rcpt: { to: 'RCPT', cause: transitionCause('smtp', 'rcpt'), rfc: 'RFC 5321 §4.1.1.3' },
  data: { to: 'DATA', cause: transitionCause('smtp', 'data'), rfc: 'RFC 5321 §4.1.1.4' },
  'data-end': { to: 'READY', cause: transitionCause('smtp', 'data-end'), rfc: 'RFC 5321 §4.1.1.4' },
  'data-rejected': { to: 'READY', cause: transitionCause('smtp', 'data-rejected'), rfc: 'RFC 5321 §4.1.1.4' },
  bdat: { to: 'BDAT', cause: transitionCause('smtp', 'bdat'), rfc: 'RFC 3030 §2' },
  'bdat-last': { to: 'READY', cause: transitionCause('smtp', 'bdat-last'), rfc: 'RFC 3030 §2' },
  'bdat-failed': { to: 'READY', cause: transitionCause('smtp', 'bdat-failed'), rfc: 'RFC 3030 §2' },
  rset: { to: 'READY', cause: transitionCause('smtp', 'rset'), rfc: 'RFC 5321 §4.1.1.5' },
  quit: { to: 'CLOSED', cause: transitionCause('smtp', 'quit'), rfc: 'RFC 5321 §4.1.1.10' },
  starttls: { to: 'INIT', cause: transitionCause('smtp', 'starttls'), rfc: 'RFC 3207 §4.2' },
  dropped: { to: 'CLOSED', cause: transitionCause('smtp', 'dropped'), rfc: 'RFC 5321 §3.8' },
  'too-many-errors': { to: 'CLOSED', cause: transitionCause('smtp', 'too-many-errors'), rfc: 'RFC 5321 §4.2.2' },
  timeout: { to: 'CLOSED', cause: transitionCause('smtp', 'timeout'), rfc: 'RFC 5321 §4.5.3.2' },
};
