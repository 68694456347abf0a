/**
 * SMTP as data (RFC 5321 with the extensions of core/protocols/smtp-extensions.ts):
 * states, transitions, commands. The engine's handlers (core/smtp/commands)
 * attach to these entries by name.
 */
import type { CommandSpec, ProtocolData, TransitionSpec } from './protocol-data.js';

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

export const SMTP_STATES: readonly SmtpState[] = ['INIT', 'READY', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'CLOSED'];

export type SmtpTransitionCause =
  | 'ehlo' | 'helo' | 'mail' | 'rcpt' | 'data' | 'data-end' | 'data-rejected' | 'bdat' | 'bdat-last' | 'bdat-failed'
  | 'rset' | 'quit' | 'starttls' | 'dropped' | 'too-many-errors' | 'timeout';

/** States in which the client may greet again or give up: a session that is open and not inside message content. */
const COMMAND_STATES: readonly SmtpState[] = ['INIT', 'READY', 'MAIL', 'RCPT'];

export const SMTP_TRANSITIONS: Readonly<Record<SmtpTransitionCause, TransitionSpec<SmtpState>>> = {
  // RFC 5321 §4.1.4: EHLO/HELO may come again, and ends any transaction in progress.
  ehlo: { from: COMMAND_STATES, to: 'READY', rfc: 'RFC 5321 §4.1.1.1' },
  helo: { from: COMMAND_STATES, to: 'READY', rfc: 'RFC 5321 §4.1.1.1' },
  mail: { from: ['READY'], to: 'MAIL', rfc: 'RFC 5321 §4.1.1.2' },
  // The first accepted recipient moves MAIL to RCPT; more recipients leave the state as it is.
  rcpt: { from: ['MAIL'], to: 'RCPT', rfc: 'RFC 5321 §4.1.1.3' },
  // From MAIL only for a server told to take DATA without recipients (RFC 2920 §3.1's example server).
  data: { from: ['MAIL', 'RCPT'], to: 'DATA', rfc: 'RFC 5321 §4.1.1.4' },
  'data-end': { from: ['DATA'], to: 'READY', rfc: 'RFC 5321 §4.1.1.4' },
  'data-rejected': { from: ['DATA', 'BDAT'], to: 'READY', rfc: 'RFC 5321 §4.1.1.4' },
  bdat: { from: ['MAIL', 'RCPT'], to: 'BDAT', rfc: 'RFC 3030 §2', followsClientData: true },
  'bdat-last': { from: ['BDAT'], to: 'READY', rfc: 'RFC 3030 §2' },
  'bdat-failed': { from: ['MAIL', 'RCPT', 'BDAT'], to: 'READY', rfc: 'RFC 3030 §2' },
  rset: { from: ['READY', 'MAIL', 'RCPT', 'BDAT'], to: 'READY', rfc: 'RFC 5321 §4.1.1.5' },
  quit: { from: ['INIT', 'READY', 'MAIL', 'RCPT', 'BDAT'], to: 'CLOSED', rfc: 'RFC 5321 §4.1.1.10' },
  starttls: { from: ['READY'], to: 'INIT', rfc: 'RFC 3207 §4.2' },
  dropped: { from: '*', to: 'CLOSED', rfc: 'RFC 5321 §3.8' },
  'too-many-errors': { from: '*', to: 'CLOSED', rfc: 'RFC 5321 §4.2.2' },
  timeout: { from: '*', to: 'CLOSED', rfc: 'RFC 5321 §4.5.3.2' },
};

export type SmtpVerb = 'EHLO' | 'HELO' | 'MAIL' | 'RCPT' | 'DATA' | 'BDAT' | 'RSET' | 'NOOP' | 'QUIT' | 'VRFY' | 'EXPN' | 'HELP' | 'STARTTLS' | 'AUTH';

type Spec = CommandSpec<SmtpState, SmtpTransitionCause>;
const ANYTIME: readonly SmtpState[] = ['INIT', 'READY', 'MAIL', 'RCPT', 'BDAT'];
const GREETING: readonly SmtpState[] = ['INIT', 'READY', 'MAIL', 'RCPT'];

/**
 * The SMTP commands. `waitAfter` follows RFC 2920 §3.1: EHLO, DATA, VRFY,
 * EXPN, QUIT and NOOP end a pipelined group, and so do commands of other
 * extensions unless they say otherwise (STARTTLS, RFC 3207 §4.2; AUTH,
 * RFC 4954 §4). RFC 3030 does allow BDAT inside a group; maillab's raw
 * client still waits after it, so the chunk a learner types is counted
 * against the size that BDAT announced before anything else is sent.
 */
export const SMTP_COMMAND_SPECS: Readonly<Record<SmtpVerb, Spec>> = {
  EHLO: { name: 'EHLO', states: GREETING, syntax: 'EHLO domain', rfc: 'RFC 5321 §4.1.1.1', multiLine: 'never', waitAfter: true, leadsTo: ['READY'], onSuccess: ['ehlo'] },
  HELO: { name: 'HELO', states: GREETING, syntax: 'HELO domain', rfc: 'RFC 5321 §4.1.1.1', multiLine: 'never', waitAfter: true, leadsTo: ['READY'], onSuccess: ['helo'] },
  MAIL: { name: 'MAIL', states: ['READY'], syntax: 'MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8]', rfc: 'RFC 5321 §4.1.1.2', multiLine: 'never', waitAfter: false, leadsTo: ['MAIL'], onSuccess: ['mail'] },
  RCPT: { name: 'RCPT', states: ['MAIL', 'RCPT'], syntax: 'RCPT TO:<forward-path> [NOTIFY=…] [ORCPT=…]', rfc: 'RFC 5321 §4.1.1.3', multiLine: 'never', waitAfter: false, leadsTo: ['RCPT'], onSuccess: ['rcpt'] },
  DATA: { name: 'DATA', states: ['MAIL', 'RCPT'], syntax: 'DATA', rfc: 'RFC 5321 §4.1.1.4', multiLine: 'never', waitAfter: true, leadsTo: ['DATA'] },
  // Valid once a recipient is accepted (RFC 3030 §2, like DATA, RFC 5321 §3.3); the engine still takes BDAT everywhere
  // to read the announced octets, and refuses it with 503 in the other states (core/smtp/commands/bdat.ts).
  BDAT: { name: 'BDAT', states: ['RCPT', 'BDAT'], syntax: 'BDAT chunk-size [LAST]', rfc: 'RFC 3030 §2', multiLine: 'never', waitAfter: true, leadsTo: ['BDAT', 'READY'] },
  RSET: { name: 'RSET', states: ANYTIME, syntax: 'RSET', rfc: 'RFC 5321 §4.1.1.5', multiLine: 'never', waitAfter: false, leadsTo: ['READY'], onSuccess: ['rset'] },
  NOOP: { name: 'NOOP', states: ANYTIME, syntax: 'NOOP [string]', rfc: 'RFC 5321 §4.1.1.9', multiLine: 'never', waitAfter: true, leadsTo: [] },
  QUIT: { name: 'QUIT', states: ANYTIME, syntax: 'QUIT', rfc: 'RFC 5321 §4.1.1.10', multiLine: 'never', waitAfter: true, leadsTo: ['CLOSED'], onSuccess: ['quit'] },
  // Defined in §4.1.1.6 and §4.1.1.7; their replies in §3.5 (the catalogue summaries say so).
  VRFY: { name: 'VRFY', states: ANYTIME, syntax: 'VRFY string', rfc: 'RFC 5321 §4.1.1.6', multiLine: 'never', waitAfter: true, leadsTo: [] },
  EXPN: { name: 'EXPN', states: ANYTIME, syntax: 'EXPN list-name', rfc: 'RFC 5321 §4.1.1.7', multiLine: 'never', waitAfter: true, leadsTo: [] },
  HELP: { name: 'HELP', states: ANYTIME, syntax: 'HELP [command]', rfc: 'RFC 5321 §4.1.1.8', multiLine: 'never', waitAfter: false, leadsTo: [] },
  STARTTLS: { name: 'STARTTLS', states: ['READY'], syntax: 'STARTTLS', rfc: 'RFC 3207 §4', multiLine: 'never', waitAfter: true, leadsTo: ['INIT'] },
  AUTH: { name: 'AUTH', states: ['READY'], syntax: 'AUTH mechanism [initial-response]', rfc: 'RFC 4954 §4', multiLine: 'never', waitAfter: true, leadsTo: [] },
};

export const SMTP: ProtocolData<SmtpState, SmtpTransitionCause> = {
  protocol: 'smtp',
  states: SMTP_STATES,
  initial: 'INIT',
  stateRfc: {
    INIT: 'RFC 5321 §4.1.4',
    READY: 'RFC 5321 §3.3',
    MAIL: 'RFC 5321 §3.3',
    RCPT: 'RFC 5321 §3.3',
    DATA: 'RFC 5321 §4.1.1.4',
    BDAT: 'RFC 3030 §2',
    CLOSED: 'RFC 5321 §4.1.1.10',
  },
  commands: Object.values(SMTP_COMMAND_SPECS),
  transitions: SMTP_TRANSITIONS,
};
