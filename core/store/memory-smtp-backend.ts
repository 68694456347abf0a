/**
 * An SMTP backend over memory, for lessons and the in-process sandbox: local
 * recipients are users of a directory, their mail goes into a MailStore (so a
 * POP3 session of the same lab can fetch it); relayed mail is only collected.
 * Recipients and senders follow the same policy as the lab's Maildir backend
 * (core/store/recipient-policy.ts); a lesson may also make it an open relay,
 * as the relay host of RFC 5321 Appendix D.3 is.
 */
import { formatMailbox } from '../smtp/address.js';
import type { Envelope, SmtpBackend } from '../smtp/backend.js';
import { deliveredReport, nextHopReports, type NextHopReply } from '../send/dsn-report.js';
import type { MailStore } from './mail-store.js';
import { createRecipientPolicy } from './recipient-policy.js';
import type { UserDirectory } from './user-directory.js';

/** A message accepted for a non-local recipient; kept, never sent. */
export interface RelayedMessage {
  readonly envelope: Envelope;
  readonly message: Buffer;
}

export interface MemorySmtpBackendOptions {
  users: UserDirectory;
  store: MailStore;
  /** Local domains, compared case-insensitively. */
  domains: readonly string[];
  /** Accept other domains from unauthenticated clients too (authenticated ones may always relay). */
  openRelay?: boolean;
  /** Accept `<>` and other domains in MAIL FROM from logged-in users (lessons replaying RFC examples; core/store/recipient-policy.ts). */
  foreignSenders?: boolean;
  /** Full names for VRFY ("Mark Crispin <Admin.MRC@foo.com>", RFC 5321 D.4). */
  fullNames?: ReadonlyMap<string, string>;
  /** Where relayed messages go. */
  relayed?: RelayedMessage[];
  /**
   * Delivery status notifications (RFC 3464) into the sender's maildrop, when
   * the sender is local: "delivered" for local recipients that asked
   * NOTIFY=SUCCESS, and, for relayed recipients whose domain has a scripted
   * next hop, "failed" (5xx) or "delayed" (4xx) as their NOTIFY asks.
   * Reports come out the same every time: the clock is the lab's, the
   * Message-ID and MIME boundary are counted.
   */
  reports?: { hostname: string; now: () => Date; nextHop?: (domain: string) => NextHopReply | undefined };
}

/** An SMTP backend over a directory and a store in memory (see the file comment). */
export function createMemorySmtpBackend(options: MemorySmtpBackendOptions): SmtpBackend {
  const domains = options.domains.map((domain) => domain.toLowerCase());
  let deliveries = 0;
  const policy = createRecipientPolicy({
    users: options.users,
    domains: options.domains,
    ...(options.openRelay ? { openRelay: true } : {}),
    ...(options.foreignSenders ? { foreignSenders: true } : {}),
  });

  /** The reports this delivery owes (see `reports`), into the sender's maildrop. */
  async function sendReports(envelope: Envelope, message: Buffer, id: string): Promise<void> {
    const reports = options.reports;
    if (!reports || envelope.from === null) return;
    const sender = await policy.localUserOf(envelope.from);
    if (!sender) return;
    const date = reports.now();
    const fixed = (kind: string) => ({ messageId: `<${id}.${kind}@${reports.hostname}>`, baseBoundary: `${id}-${kind}` });
    const out: Buffer[] = [];
    const delivered = await deliveredReport(envelope, message, reports.hostname, date, fixed('delivered'));
    if (delivered) out.push(delivered);
    const answers = envelope.recipients.flatMap((recipient) => {
      const reply = recipient.route.kind === 'relay' ? reports.nextHop?.(recipient.mailbox.domain.toLowerCase()) : undefined;
      return reply ? [{ address: formatMailbox(recipient.mailbox), reply }] : [];
    });
    out.push(...(await nextHopReports(envelope, message, answers, reports.hostname, date, (action) => fixed(action))));
    for (const report of out) await options.store.deliver(sender, report, Buffer.from('Return-Path: <>\r\n'));
  }

  return {
    secretOf: (user) => options.users.secretOf(user),
    checkSender: (mailbox, user) => policy.checkSender(mailbox, user),
    checkRecipient: (mailbox, authenticatedAs) => policy.checkRecipient(mailbox, authenticatedAs),

    /** A user name, or a word of a full name ("Crispin"), matches; each match as "Full Name <user@domain>". */
    async verify(query: string): Promise<string[]> {
      const wanted = (query.includes('@') ? query.slice(0, query.lastIndexOf('@')) : query).toLowerCase();
      const matches: string[] = [];
      for (const name of (await options.users.all()).keys()) {
        const fullName = options.fullNames?.get(name);
        const words = fullName ? fullName.toLowerCase().split(/\s+/) : [];
        if (name.toLowerCase() !== wanted && fullName?.toLowerCase() !== wanted && !words.includes(wanted)) continue;
        const address = `<${name}@${domains[0] ?? 'localhost'}>`;
        matches.push(fullName ? `${fullName} ${address}` : address);
      }
      return matches;
    },

    async deliver(envelope: Envelope, body: Buffer, trace: Buffer) {
      const message = Buffer.concat([trace, body]); // in memory, small: joined once
      const returnPath = Buffer.from(`Return-Path: <${formatMailbox(envelope.from)}>\r\n`, 'utf8');
      const local = new Set<string>();
      let relayed = false;
      for (const recipient of envelope.recipients) {
        if (recipient.route.kind === 'local') local.add(recipient.route.user);
        else relayed = true;
      }
      for (const user of local) await options.store.deliver(user, message, returnPath);
      if (relayed) options.relayed?.push({ envelope, message });
      const id = `mem${++deliveries}`;
      await sendReports(envelope, message, id);
      return { id };
    },
  };
}
