/**
 * The lab's SMTP backend: recipients in the local domains are users of the
 * users file; their mail goes to their Maildir, durably, with a Return-Path
 * (RFC 5321 §4.4). Other domains are relayed (queued) only for authenticated
 * sessions, and only where the operator lets mail out (`relayAllowed`): the
 * lab is never an open relay. Who is local is core/store/recipient-policy.ts.
 */
import { formatMailbox } from '../smtp/address.js';
import { buildBounce } from '../send/bounce.js';
import { recipientAllowed } from '../send/outbound-policy.js';
import { deliveredReport, envelopeDsn } from '../send/dsn-report.js';
import type { DeliveryResult, Envelope, SmtpBackend } from '../smtp/backend.js';
import type { MailStore } from '../store/mail-store.js';
import type { OutboundQueue } from '../store/outbound-queue.js';
import { createRecipientPolicy, type RecipientPolicyOptions } from '../store/recipient-policy.js';
import type { UserDirectory } from '../store/user-directory.js';

export interface LabSmtpBackendOptions {
  users: UserDirectory;
  store: MailStore;
  queue: OutboundQueue;
  /** Local domains, compared case-insensitively. */
  domains: readonly string[];
  /** Our host name, for bounces (MAILER-DAEMON@…); the first domain when absent. */
  hostname?: string;
  /** May the logged-in `user` send to the non-local `domain`? Absent: never (the lab relays only what the operator allows). */
  relayAllowed?: RecipientPolicyOptions['relayAllowed'];
  now?: () => Date;
}

export function createSmtpBackend(options: LabSmtpBackendOptions): SmtpBackend {
  const domains = options.domains.map((domain) => domain.toLowerCase());
  const now = options.now ?? (() => new Date());
  const policy = createRecipientPolicy({
    users: options.users,
    domains: options.domains,
    relayAllowed: options.relayAllowed ?? (async (domain) => recipientAllowed(undefined, domain)),
  });

  const backend: SmtpBackend = {
    secretOf: (user) => options.users.secretOf(user),
    checkSender: (mailbox, user) => policy.checkSender(mailbox, user),
    checkRecipient: (mailbox, authenticatedAs) => policy.checkRecipient(mailbox, authenticatedAs),

    async verify(query: string): Promise<string[]> {
      const localPart = query.includes('@') ? query.slice(0, query.lastIndexOf('@')) : query;
      const users = [...(await options.users.all()).keys()];
      return users.filter((name) => name.toLowerCase() === localPart.toLowerCase()).map((name) => `<${name}@${domains[0] ?? 'localhost'}>`);
    },

    async deliver(envelope: Envelope, message: Buffer, trace: Buffer): Promise<DeliveryResult> {
      // The trace headers (Return-Path, then our Received) go before the message as a piece of their
      // own: the store writes both into one file, and the message itself is never copied to join them.
      const headers = Buffer.concat([Buffer.from(`Return-Path: <${formatMailbox(envelope.from)}>\r\n`, 'utf8'), trace]);
      const localUsers = new Set<string>();
      const relayed: string[] = [];
      for (const recipient of envelope.recipients) {
        if (recipient.route.kind === 'local') localUsers.add(recipient.route.user);
        else relayed.push(formatMailbox(recipient.mailbox));
      }
      const stored: { user: string; id: string }[] = [];
      let queued: string | undefined;
      try {
        for (const user of localUsers) stored.push({ user, id: await options.store.deliver(user, message, headers) });
        if (relayed.length > 0) {
          const id = `q${now().getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
          const dsn = envelopeDsn(envelope);
          await options.queue.enqueue({ id, from: formatMailbox(envelope.from), recipients: relayed, queuedAt: now().toISOString(), attempts: 0, ...(dsn ? { dsn } : {}) }, Buffer.concat([trace, message]));
          queued = id;
        }
      } catch (error) {
        // Take back what was stored, so the 451 that follows ("nothing was stored") is true and a retry duplicates nothing.
        const kept = await rollBack(stored);
        if (kept.length === 0) throw error;
        // Some copies could not be taken back: they are delivered. Accept, and report the rest (RFC 5321 §6.1: once accepted, failures are reported by a bounce).
        const keptUsers = new Set(kept.map((copy) => copy.user));
        const failed = envelope.recipients.filter(({ route }) => route.kind !== 'local' || !keptUsers.has(route.user));
        // The error names server paths: the client and the bounce get the gist only.
        const reason = `local delivery failed (${(error as NodeJS.ErrnoException).code ?? 'error'}); the message was not stored for this recipient`;
        await sendBounce(envelope, Buffer.concat([trace, message]), failed.map((recipient) => formatMailbox(recipient.mailbox)), reason);
        return { id: kept[0]!.id, failed: failed.map((recipient) => ({ address: formatMailbox(recipient.mailbox), reason })) };
      }
      // NOTIFY=SUCCESS for a local recipient: the report of its delivery to the sender (RFC 3461 §5.2.2).
      await returnReport(envelope, await deliveredReport(envelope, Buffer.concat([trace, message]), options.hostname ?? domains[0] ?? 'localhost', now()).catch(() => undefined));
      return { id: stored[0]?.id ?? queued ?? 'none' };
    },
  };
  return backend;

  /** Discards the copies already stored; returns those that could not be discarded. */
  async function rollBack(stored: readonly { user: string; id: string }[]): Promise<{ user: string; id: string }[]> {
    const kept: { user: string; id: string }[] = [];
    for (const copy of stored) {
      try {
        await options.store.discard(copy.user, copy.id);
      } catch {
        kept.push(copy);
      }
    }
    return kept;
  }

  /** A delivery status notification (RFC 3464) to the sender for recipients that did not get an accepted message; best effort. */
  async function sendBounce(envelope: Envelope, message: Buffer, recipients: readonly string[], reason: string): Promise<void> {
    if (envelope.from === null) return; // never bounce a bounce (RFC 5321 §4.5.5)
    const sender = formatMailbox(envelope.from);
    const hostname = options.hostname ?? domains[0] ?? 'localhost';
    try {
      const bounce = await buildBounce({
        hostname,
        sender,
        arrivalDate: now(),
        date: now(),
        failures: recipients.map((recipient) => ({ recipient, failure: { code: 451, enhanced: '4.3.0', text: reason, host: hostname } })),
        expired: false,
        attempts: 1,
        original: message,
      });
      const verdict = await policy.localUserOf(envelope.from);
      if (verdict) await options.store.deliver(verdict, Buffer.concat([Buffer.from('Return-Path: <>\r\n'), bounce]));
      else await options.queue.enqueue({ id: `b${now().getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`, from: '', recipients: [sender], queuedAt: now().toISOString(), attempts: 0 }, bounce);
    } catch {
      // The 250 reply already names the recipients that failed; nothing more can be done.
    }
  }

  /** A delivery report to the sender: their maildrop when local, else the queue with the null sender; best effort (the message is stored). */
  async function returnReport(envelope: Envelope, report: Buffer | undefined): Promise<void> {
    if (!report || envelope.from === null) return;
    try {
      const user = await policy.localUserOf(envelope.from);
      if (user) await options.store.deliver(user, Buffer.concat([Buffer.from('Return-Path: <>\r\n'), report]));
      else await options.queue.enqueue({ id: `r${now().getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`, from: '', recipients: [formatMailbox(envelope.from)], queuedAt: now().toISOString(), attempts: 0 }, report);
    } catch {
      // The message itself is delivered; a lost report is not worth a failure.
    }
  }

}
