/**
 * Delivery status notifications as a real MTA sends them (RFC 3461, RFC 3464):
 * who asked for which report (NOTIFY), and the report itself, a
 * multipart/report (RFC 6522) with a human-readable part, the
 * message/delivery-status part (per-message fields, one block per recipient)
 * and the original, whole (RET=FULL) or its header only. The queue runner and
 * the lab's backends call it where a delivery succeeds, is delayed or fails;
 * the MIME is nodemailer's (MimeNode).
 */
import MimeNode from 'nodemailer/lib/mime-node';
import { formatMailbox } from '../smtp/address.js';
import type { Envelope } from '../smtp/backend.js';
import { checkEnvid, checkNotify, checkOrcpt } from '../smtp/dsn-parameters.js';
import type { QueuedDsn } from './queue-types.js';
import { headerSection, rfc5322Date } from './bounce.js';

/**
 * The Action of a recipient block (RFC 3464 §2.3.3) maillab reports:
 * "relayed" when the message went on to a server that will not report
 * success itself (the lab's client does not pass NOTIFY on).
 */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed';

export interface DsnRecipient {
  /** The address delivery was attempted to (Final-Recipient, RFC 3464 §2.3.2). */
  readonly recipient: string;
  /** NOTIFY= and ORCPT= as the client gave them at RCPT (RFC 3461 §4.1, §4.2). */
  readonly notify?: string;
  readonly orcpt?: string;
  readonly action: DsnAction;
  /** The RFC 3463 status, "2.0.0", "4.4.1", "5.1.1" (RFC 3464 §2.3.4). */
  readonly status: string;
  /** The remote server's reply, "550 5.1.1 No such user" (Diagnostic-Code, RFC 3464 §2.3.6). */
  readonly diagnostic?: string;
  /** The diagnostic's type: "smtp" for a server's reply (the default), "X-maillab" for the lab's own words (no connection, DNS). */
  readonly diagnosticType?: string;
  /** The server that gave it (Remote-MTA, RFC 3464 §2.3.5). */
  readonly remoteMta?: string;
}

export interface DsnInput {
  /** The reporting MTA (Reporting-MTA, RFC 3464 §2.2.2; MAILER-DAEMON@ it). */
  readonly hostname: string;
  /** The original reverse-path: the report's recipient. */
  readonly sender: string;
  /** RET= and ENVID= as the client gave them at MAIL (RFC 3461 §4.3, §4.4). */
  readonly ret?: string;
  readonly envid?: string;
  readonly arrivalDate: Date;
  readonly date: Date;
  readonly recipients: readonly DsnRecipient[];
  /** For delayed recipients: until when delivery will still be tried (Will-Retry-Until, RFC 3464 §2.3.9). */
  readonly willRetryUntil?: Date;
  readonly original: Buffer;
  /** The report's Message-ID and MIME boundary, for a report that must come out the same every time (lessons); random otherwise. */
  readonly messageId?: string;
  readonly baseBoundary?: string;
}

/**
 * Whether a recipient's NOTIFY asks for a report of this kind (RFC 3461 §4.1,
 * §5.2.2): NEVER, none; SUCCESS (delivered or relayed) only when asked;
 * FAILURE and DELAY when asked, and when NOTIFY was not given at all (the
 * MTA's default, which for the lab is "FAILURE,DELAY").
 */
export function reportWanted(notify: string | undefined, action: DsnAction): boolean {
  const byDefault = action === 'failed' || action === 'delayed';
  if (notify === undefined) return byDefault;
  const checked = checkNotify(notify);
  if (!checked.ok) return byDefault;
  const wanted = { delivered: 'SUCCESS', relayed: 'SUCCESS', delayed: 'DELAY', failed: 'FAILURE' }[action];
  return (checked.value as readonly string[]).includes(wanted);
}

/** The recipients a report is owed to, and the report; undefined when nobody asked for one (or the sender is <>). */
export async function buildDsn(input: DsnInput): Promise<Buffer | undefined> {
  // RFC 5321 §4.5.5: never a report about a report (the null reverse-path).
  if (input.sender === '') return undefined;
  const recipients = input.recipients.filter((recipient) => reportWanted(recipient.notify, recipient.action));
  if (recipients.length === 0) return undefined;
  const kind = (['failed', 'delayed', 'relayed', 'delivered'] as const).find((action) => recipients.some((recipient) => recipient.action === action))!;
  const root = new MimeNode('multipart/report; report-type=delivery-status', input.baseBoundary !== undefined ? { baseBoundary: input.baseBoundary } : {});
  if (input.messageId !== undefined) root.setHeader('Message-ID', input.messageId);
  root.setHeader({
    From: `Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    To: input.sender,
    Subject: SUBJECTS[kind],
    Date: rfc5322Date(input.date),
    // RFC 3834 §5: an automatic reply; no one should answer it automatically.
    'Auto-Submitted': 'auto-replied',
  });
  const headers = headerSection(input.original);
  const originalId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(headers.toString('latin1'));
  if (originalId) root.setHeader({ 'In-Reply-To': originalId[1]!, References: originalId[1]! });
  plain(root, 'text/plain; charset=utf-8', explanation(input, recipients));
  root.createChild('message/delivery-status').setContent(deliveryStatus(input, recipients));
  // RET=FULL asks for the whole message back with a failure (RFC 3461 §4.3); other reports carry the header only.
  if (kind === 'failed' && input.ret?.toUpperCase() === 'FULL') root.createChild('message/rfc822').setContent(input.original);
  else plain(root, 'text/rfc822-headers', headers.toString('latin1'));
  return root.build();
}

/**
 * A text part. ASCII in lines of at most 998 octets goes as 7bit (RFC 5322
 * §2.1.1), readable as it is (MimeNode would quote a header line longer than
 * 76); anything else as MimeNode chooses.
 */
function plain(root: MimeNode, type: string, text: string): void {
  const node = root.createChild(type);
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (/^[\x09\x0a\x0d\x20-\x7e]*$/.test(text) && lines.every((line) => line.length <= 998)) node.setRaw(`Content-Type: ${type}\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${lines.join('\r\n')}\r\n`);
  else node.setContent(text);
}

/** Words wrapped at 72 columns, so that the text part reads well in any client. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > 72) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

const SUBJECTS: Record<DsnAction, string> = {
  failed: 'Delivery Status Notification (Failure)',
  delayed: 'Delivery Status Notification (Delay)',
  delivered: 'Delivery Status Notification (Success)',
  relayed: 'Delivery Status Notification (Relayed)',
};

/** The message/delivery-status body (RFC 3464 §2): per-message fields, a blank line, then one block per recipient. */
export function deliveryStatus(input: DsnInput, recipients: readonly DsnRecipient[] = input.recipients): string {
  const lines: string[] = [];
  const envid = input.envid !== undefined ? checkEnvid(input.envid) : undefined;
  if (envid?.ok) lines.push(`Original-Envelope-Id: ${envid.value}`);
  lines.push(`Reporting-MTA: dns; ${input.hostname}`, `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`, '');
  for (const recipient of recipients) {
    const orcpt = recipient.orcpt !== undefined ? checkOrcpt(recipient.orcpt) : undefined;
    if (orcpt?.ok) lines.push(`Original-Recipient: ${orcpt.value.type}; ${orcpt.value.address}`);
    lines.push(`Final-Recipient: rfc822; ${recipient.recipient}`, `Action: ${recipient.action}`, `Status: ${recipient.status}`);
    if (recipient.remoteMta) lines.push(`Remote-MTA: dns; ${recipient.remoteMta}`);
    if (recipient.diagnostic) lines.push(`Diagnostic-Code: ${recipient.diagnosticType ?? 'smtp'}; ${recipient.diagnostic.replace(/[\r\n]+/g, ' ')}`);
    lines.push(`Last-Attempt-Date: ${rfc5322Date(input.date)}`);
    if (recipient.action === 'delayed' && input.willRetryUntil) lines.push(`Will-Retry-Until: ${rfc5322Date(input.willRetryUntil)}`);
    lines.push('');
  }
  return lines.join('\r\n');
}

function explanation(input: DsnInput, recipients: readonly DsnRecipient[]): string {
  const line = (recipient: DsnRecipient) => `<${recipient.recipient}>: ${WHAT[recipient.action]}${recipient.diagnostic ? ` (${recipient.diagnostic}${recipient.remoteMta ? `, from ${recipient.remoteMta}` : ''})` : ''}`;
  const envid = input.envid !== undefined ? checkEnvid(input.envid) : undefined;
  return [
    `This is the mail system at ${input.hostname}.`,
    '',
    ...wrap(`A report on your message${envid?.ok ? ` (your envelope id ${envid.value})` : ''}, as you asked with NOTIFY or as the mail system does by default (RFC 3461):`),
    '',
    ...recipients.flatMap((recipient) => wrap(line(recipient))),
    '',
    ...wrap('The machine-readable report (RFC 3464) and your message, or its header, are attached.'),
    '',
  ].join('\r\n');
}

const WHAT: Record<DsnAction, string> = {
  delivered: 'delivered to the mailbox',
  relayed: 'passed on to the next server, which will not report its delivery',
  delayed: 'not delivered yet; the mail system keeps trying',
  failed: 'could not be delivered; the mail system has given up',
};

/** The DSN fields of one envelope recipient, from what the queue or the envelope kept (RFC 3461 §4.1, §4.2). */
export function recipientRequest(dsn: { recipients?: Record<string, { notify?: string; orcpt?: string }> } | undefined, address: string): { notify?: string; orcpt?: string } {
  return dsn?.recipients?.[address] ?? {};
}

/** An envelope's DSN parameters, to keep with a queued message (RFC 3461 §4); undefined when the client gave none. */
export function envelopeDsn(envelope: Envelope): QueuedDsn | undefined {
  const recipients = Object.fromEntries(
    envelope.recipients
      .filter((recipient) => recipient.notify !== undefined || recipient.orcpt !== undefined)
      .map((recipient) => [formatMailbox(recipient.mailbox), { ...(recipient.notify !== undefined ? { notify: recipient.notify } : {}), ...(recipient.orcpt !== undefined ? { orcpt: recipient.orcpt } : {}) }]),
  );
  const any = envelope.ret !== undefined || envelope.envid !== undefined || Object.keys(recipients).length > 0;
  if (!any) return undefined;
  return { ...(envelope.ret !== undefined ? { ret: envelope.ret } : {}), ...(envelope.envid !== undefined ? { envid: envelope.envid } : {}), ...(Object.keys(recipients).length > 0 ? { recipients } : {}) };
}

/**
 * The success report owed for the local recipients of a message just stored
 * in their maildrops (action "delivered", RFC 3464 §2.3.3): only for those
 * that asked NOTIFY=SUCCESS; undefined when none did.
 */
export async function deliveredReport(envelope: Envelope, message: Buffer, hostname: string, date: Date, fixed: { messageId?: string; baseBoundary?: string } = {}): Promise<Buffer | undefined> {
  if (envelope.from === null) return undefined;
  const recipients = envelope.recipients
    .filter((recipient) => recipient.route.kind === 'local')
    .map((recipient): DsnRecipient => ({
      recipient: formatMailbox(recipient.mailbox),
      ...(recipient.notify !== undefined ? { notify: recipient.notify } : {}),
      ...(recipient.orcpt !== undefined ? { orcpt: recipient.orcpt } : {}),
      action: 'delivered',
      status: '2.0.0',
    }));
  return buildDsn({
    hostname,
    sender: formatMailbox(envelope.from),
    ...(envelope.ret !== undefined ? { ret: envelope.ret } : {}),
    ...(envelope.envid !== undefined ? { envid: envelope.envid } : {}),
    arrivalDate: date,
    date,
    recipients,
    original: message,
    ...fixed,
  });
}

/** What a scripted next hop answers for a domain (lessons): a 4xx defers, a 5xx refuses. */
export interface NextHopReply {
  readonly code: number;
  readonly enhanced?: string;
  readonly text: string;
  readonly host: string;
}

/**
 * The reports owed for relayed recipients whose next hop answered at once
 * (a lesson's scripted next hop): one "failed" report for the 5xx answers,
 * one "delayed" report for the 4xx ones, each as the recipients' NOTIFY asks.
 */
export async function nextHopReports(
  envelope: Envelope,
  message: Buffer,
  answers: readonly { address: string; reply: NextHopReply }[],
  hostname: string,
  date: Date,
  fixed: (action: 'failed' | 'delayed') => { messageId?: string; baseBoundary?: string; willRetryUntil?: Date } = () => ({}),
): Promise<Buffer[]> {
  if (envelope.from === null || answers.length === 0) return [];
  const byAddress = new Map(envelope.recipients.map((recipient) => [formatMailbox(recipient.mailbox), recipient]));
  const recipients = answers.map(({ address, reply }): DsnRecipient & { action: 'failed' | 'delayed' } => {
    const asked = byAddress.get(address);
    return {
      recipient: address,
      ...(asked?.notify !== undefined ? { notify: asked.notify } : {}),
      ...(asked?.orcpt !== undefined ? { orcpt: asked.orcpt } : {}),
      action: reply.code >= 500 ? 'failed' : 'delayed',
      status: reply.enhanced ?? (reply.code >= 500 ? '5.0.0' : '4.0.0'),
      diagnostic: `${reply.code} ${reply.enhanced ? `${reply.enhanced} ` : ''}${reply.text}`,
      remoteMta: reply.host,
    };
  });
  const reports: Buffer[] = [];
  for (const action of ['failed', 'delayed'] as const) {
    const report = await buildDsn({
      hostname,
      sender: formatMailbox(envelope.from),
      ...(envelope.ret !== undefined ? { ret: envelope.ret } : {}),
      ...(envelope.envid !== undefined ? { envid: envelope.envid } : {}),
      arrivalDate: date,
      date,
      recipients: recipients.filter((recipient) => recipient.action === action),
      original: message,
      ...fixed(action),
    });
    if (report) reports.push(report);
  }
  return reports;
}
