/**
 * Trace information added to a message the server accepts (RFC 5321 §4.4):
 * a Received line naming where it came from, how, and when.
 */
import type { Mailbox } from './address.js';
import { formatMailbox } from './address.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 §3.3 date-time in UTC, e.g. "Mon, 23 Nov 2026 17:30:00 +0000". */
export function formatMessageDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** The "with" protocol name (RFC 3848 §2, RFC 6531 §3.7.3): SMTP, ESMTP, +S for TLS, +A for AUTH. */
export function withProtocol(options: { extended: boolean; secure: boolean; authenticated: boolean; smtputf8: boolean }): string {
  if (!options.extended) return 'SMTP';
  const base = options.smtputf8 ? 'UTF8SMTP' : 'ESMTP';
  return `${base}${options.secure ? 'S' : ''}${options.authenticated ? 'A' : ''}`;
}

export interface ReceivedFields {
  heloName: string;
  remoteAddress: string;
  byHost: string;
  protocol: string;
  /** The user who authenticated with AUTH, named in a comment (Postfix writes "Authenticated sender:"); the protocol says ESMTPA (RFC 3848). */
  authenticatedAs?: string;
  id: string;
  /** Named in "for" when the message has exactly one recipient. */
  recipients: readonly Mailbox[];
  date: Date;
}

/** The Received header line, folded, with CRLF (RFC 5321 §4.4, Time-stamp-line). */
export function receivedHeader(fields: ReceivedFields): string {
  const forClause = fields.recipients.length === 1 ? `\r\n\tfor <${formatMailbox(fields.recipients[0]!)}>` : '';
  const authenticated = fields.authenticatedAs !== undefined ? `\r\n\t(authenticated as ${fields.authenticatedAs})` : '';
  return `Received: from ${fields.heloName} (${addressLiteral(fields.remoteAddress)})${authenticated}\r\n\tby ${fields.byHost} with ${fields.protocol} id ${fields.id}${forClause};\r\n\t${formatMessageDate(fields.date)}\r\n`;
}

/** An IP address as an RFC 5321 §4.1.3 address literal: "[192.0.2.1]", "[IPv6:2001:db8::1]". */
function addressLiteral(address: string): string {
  const bare = address.replace(/^::ffff:(?=\d{1,3}(?:\.\d{1,3}){3}$)/i, '');
  return bare.includes(':') ? `[IPv6:${bare}]` : `[${bare}]`;
}
