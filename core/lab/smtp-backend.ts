/**
 * The lab's SMTP backend: recipients in the local domains are users of the
 * users file; their mail goes to their Maildir, durably, with a Return-Path
 * (RFC 5321 §4.4). Other domains are relayed (queued) only for authenticated
 * sessions: the lab is never an open relay.
 */
import { formatMailbox, type Mailbox } from '../smtp/address.js';
import type { Envelope, RecipientVerdict, SmtpBackend } from '../smtp/backend.js';
import type { MailStore } from '../store/mail-store.js';
import type { OutboundQueue } from '../store/outbound-queue.js';
import type { UserDirectory } from '../store/user-directory.js';

export interface LabSmtpBackendOptions {
  users: UserDirectory;
  store: MailStore;
  queue: OutboundQueue;
  /** Local domains, compared case-insensitively. */
  domains: readonly string[];
  now?: () => Date;
}

export function createSmtpBackend(options: LabSmtpBackendOptions): SmtpBackend {
  const domains = options.domains.map((domain) => domain.toLowerCase());
  const now = options.now ?? (() => new Date());

  /** A user by exact name, else case-insensitively (local parts are case-sensitive, people are not). */
  async function findUser(localPart: string): Promise<string | undefined> {
    const users = await options.users.all();
    if (users.has(localPart)) return localPart;
    const lower = localPart.toLowerCase();
    return [...users.keys()].find((name) => name.toLowerCase() === lower);
  }

  /** RFC 5321 §4.5.1: postmaster must always be accepted; it goes to "postmaster" or the first user. */
  async function postmaster(): Promise<string | undefined> {
    return (await findUser('postmaster')) ?? [...(await options.users.all()).keys()][0];
  }

  return {
    secretOf: (user) => options.users.secretOf(user),

    async checkRecipient(mailbox: Mailbox, authenticated: boolean): Promise<RecipientVerdict> {
      const local = mailbox.domain === '' || domains.includes(mailbox.domain.toLowerCase());
      if (!local) return authenticated ? { kind: 'relay' } : { kind: 'relay-denied' };
      const user = mailbox.localPart.toLowerCase() === 'postmaster' ? await postmaster() : await findUser(mailbox.localPart);
      return user ? { kind: 'local', user } : { kind: 'unknown-user' };
    },

    async verify(query: string): Promise<string[]> {
      const localPart = query.includes('@') ? query.slice(0, query.lastIndexOf('@')) : query;
      const users = [...(await options.users.all()).keys()];
      return users.filter((name) => name.toLowerCase() === localPart.toLowerCase()).map((name) => `<${name}@${domains[0] ?? 'localhost'}>`);
    },

    async deliver(envelope: Envelope, message: Buffer) {
      const returnPath = Buffer.from(`Return-Path: <${formatMailbox(envelope.from)}>\r\n`, 'utf8');
      const localUsers = new Set<string>();
      const relayed: string[] = [];
      for (const recipient of envelope.recipients) {
        if (recipient.route.kind === 'local') localUsers.add(recipient.route.user);
        else relayed.push(formatMailbox(recipient.mailbox));
      }
      const ids: string[] = [];
      for (const user of localUsers) ids.push(await options.store.deliver(user, message, returnPath));
      if (relayed.length > 0) {
        const id = `q${now().getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
        await options.queue.enqueue({ id, from: formatMailbox(envelope.from), recipients: relayed, queuedAt: now().toISOString(), attempts: 0 }, message);
        ids.push(id);
      }
      return { id: ids[0] ?? 'none' };
    },
  };
}
