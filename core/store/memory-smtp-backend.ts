/**
 * An SMTP backend over memory, for lessons and the in-process sandbox: local
 * recipients are users of a directory, their mail goes into a MailStore (so a
 * POP3 session of the same lab can fetch it); relayed mail is only collected.
 * Unlike the lab's Maildir backend it may relay for anyone when told to, as
 * the relay host of RFC 5321 Appendix D.3 does.
 */
import { formatMailbox, unquotedLocalPart, type Mailbox } from '../smtp/address.js';
import type { Envelope, RecipientVerdict, SmtpBackend } from '../smtp/backend.js';
import type { MailStore } from './mail-store.js';
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
  /** Full names for VRFY ("Mark Crispin <Admin.MRC@foo.com>", RFC 5321 D.4). */
  fullNames?: ReadonlyMap<string, string>;
  /** Where relayed messages go. */
  relayed?: RelayedMessage[];
}

/** An SMTP backend over a directory and a store in memory (see the file comment). */
export function createMemorySmtpBackend(options: MemorySmtpBackendOptions): SmtpBackend {
  const domains = options.domains.map((domain) => domain.toLowerCase());
  let deliveries = 0;

  async function findUser(localPart: string): Promise<string | undefined> {
    const users = await options.users.all();
    if (users.has(localPart)) return localPart;
    return [...users.keys()].find((name) => name.toLowerCase() === localPart.toLowerCase());
  }

  return {
    secretOf: (user) => options.users.secretOf(user),

    async senderAllowed(mailbox: Mailbox, user: string): Promise<boolean> {
      const local = mailbox.domain === '' || domains.includes(mailbox.domain.toLowerCase());
      return !local || (await findUser(unquotedLocalPart(mailbox.localPart))) === user;
    },

    async checkRecipient(mailbox: Mailbox, authenticated: boolean): Promise<RecipientVerdict> {
      const local = mailbox.domain === '' || domains.includes(mailbox.domain.toLowerCase());
      if (!local) return authenticated || options.openRelay ? { kind: 'relay' } : { kind: 'relay-denied' };
      // RFC 5321 §4.5.1: postmaster is always accepted; it goes to "postmaster" or the first user.
      const localPart = unquotedLocalPart(mailbox.localPart); // "carol" in quotes is carol (RFC 5321 §4.1.2)
      const user = localPart.toLowerCase() === 'postmaster'
        ? ((await findUser('postmaster')) ?? [...(await options.users.all()).keys()][0])
        : await findUser(localPart);
      return user ? { kind: 'local', user } : { kind: 'unknown-user' };
    },

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
      return { id: `mem${++deliveries}` };
    },
  };
}
