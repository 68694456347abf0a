/**
 * A delivery status notification (RFC 3464) for mail the lab could not
 * deliver: multipart/report (RFC 6522) with a human-readable part, a
 * message/delivery-status part (one block per failed recipient) and the
 * original header section as text/rfc822-headers. Built with nodemailer's
 * MimeNode; sent from MAILER-DAEMON with the null reverse-path.
 */
import MimeNode from 'nodemailer/lib/mime-node';
import type { QueuedFailure } from './queue-types.js';

export interface BounceInput {
  /** The reporting MTA's host name. */
  hostname: string;
  /** The original sender: the bounce's recipient. */
  sender: string;
  /** When the original message was queued. */
  arrivalDate: Date;
  /** When the bounce is made. */
  date: Date;
  failures: readonly { recipient: string; failure: QueuedFailure }[];
  /** True when the recipients failed only temporarily and the retries ran out. */
  expired: boolean;
  attempts: number;
  original: Buffer;
}

/** The header section of the original is returned, up to this many octets (RFC 3462 §1: headers only keeps it small). */
const MAX_RETURNED_HEADERS = 64 * 1024;

/** The original's header section, without the blank line that ends it. */
export function headerSection(message: Buffer): Buffer {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  const candidates = [crlf === -1 ? -1 : crlf + 2, lf === -1 ? -1 : lf + 1].filter((at) => at >= 0);
  const end = candidates.length > 0 ? Math.min(...candidates) : message.length;
  const headers = message.subarray(0, Math.min(end, MAX_RETURNED_HEADERS));
  return Buffer.from(headers);
}

/** The RFC 3463 status of a failure: its enhanced code, else one derived from its reply code. */
export function statusOf(failure: QueuedFailure): string {
  if (failure.enhanced) return failure.enhanced;
  if (failure.code >= 500) return '5.0.0';
  if (failure.code >= 400) return '4.0.0';
  return '4.4.1'; // no answer from host
}

function remoteMta(host: string): string | undefined {
  const name = host.split(' ')[0]!.replace(/:\d+$/, '');
  return /^[A-Za-z0-9.-]+$/.test(name) && name.includes('.') ? name : undefined;
}

/** The message/delivery-status body (RFC 3464 §2): per-message fields, then one block per recipient. */
export function deliveryStatus(input: BounceInput): string {
  const lines = [`Reporting-MTA: dns; ${input.hostname}`, `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`, ''];
  for (const { recipient, failure } of input.failures) {
    lines.push(`Final-Recipient: rfc822; ${recipient}`, 'Action: failed', `Status: ${statusOf(failure)}`);
    const mta = remoteMta(failure.host);
    if (mta) lines.push(`Remote-MTA: dns; ${mta}`);
    const diagnostic = failure.code > 0 ? `smtp; ${failure.code} ${failure.enhanced ? `${failure.enhanced} ` : ''}${failure.text}` : `X-maillab; ${failure.text}`;
    lines.push(`Diagnostic-Code: ${diagnostic.replace(/[\r\n]+/g, ' ')}`, `Last-Attempt-Date: ${rfc5322Date(input.date)}`, '');
  }
  return lines.join('\r\n');
}

function explanation(input: BounceInput): string {
  const why = input.expired
    ? `after ${input.attempts} attempt${input.attempts === 1 ? '' : 's'} the message could still not be delivered, and the lab gave up`
    : 'the receiving server refused the message permanently';
  // A server's reply is shown with the server's name; a local reason ("cannot connect to …") names it already.
  const list = input.failures.map(({ recipient, failure }) =>
    failure.code > 0 ? `<${recipient}>: ${failure.code} ${failure.enhanced ? `${failure.enhanced} ` : ''}${failure.text} (${failure.host})` : `<${recipient}>: ${failure.text}`,
  );
  return [
    `This is the mail system at ${input.hostname}.`,
    '',
    `Your message could not be delivered to ${input.failures.length === 1 ? 'this recipient' : 'these recipients'}: ${why}.`,
    '',
    ...list,
    '',
    'The delivery report and the header of your message are attached (RFC 3464).',
    '',
  ].join('\r\n');
}

/** Builds the whole bounce message. */
export async function buildBounce(input: BounceInput): Promise<Buffer> {
  const root = new MimeNode('multipart/report; report-type=delivery-status');
  root.setHeader({
    From: `Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    To: input.sender,
    Subject: input.expired ? 'Undelivered Mail Returned to Sender (retries expired)' : 'Undelivered Mail Returned to Sender',
    Date: rfc5322Date(input.date),
    // RFC 3834 §5: an automatic reply; no one should answer it automatically.
    'Auto-Submitted': 'auto-replied',
  });
  const originalId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(headerSection(input.original).toString('latin1'));
  if (originalId) root.setHeader({ 'In-Reply-To': originalId[1]!, References: originalId[1]! });
  root.createChild('text/plain; charset=utf-8').setContent(explanation(input));
  root.createChild('message/delivery-status').setContent(deliveryStatus(input));
  root.createChild('text/rfc822-headers').setContent(headerSection(input.original));
  return root.build();
}

/** "Tue, 01 Jul 2025 12:00:00 +0000" (RFC 5322 §3.3). */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000').replace(/^(\w{3}), (\d) /, '$1, 0$2 ');
}
