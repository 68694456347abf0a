/**
 * Who a recipient is and who may send, written once for both SMTP backends
 * (the lab's Maildir one and the in-memory one of lessons and the sandbox):
 * local domains, users found case-insensitively, postmaster always accepted
 * (RFC 5321 §4.5.1), relaying only for authenticated sessions whose mail the
 * operator lets out (or for anyone on a lesson's open relay, RFC 5321 D.3),
 * and the reverse-path a logged-in user may use (Postfix's
 * reject_sender_login_mismatch).
 */
import { formatMailbox, unquotedLocalPart, type Mailbox } from '../smtp/address.js';
import type { RecipientVerdict, SenderVerdict } from '../smtp/backend.js';
import type { UserDirectory } from './user-directory.js';

export interface RecipientPolicyOptions {
  users: UserDirectory;
  /** Local domains, compared case-insensitively. */
  domains: readonly string[];
  /** Accept other domains from unauthenticated clients too, as the relay host of RFC 5321 Appendix D.3 (lessons only). */
  openRelay?: boolean;
  /**
   * May mail from the logged-in `user` for the non-local `domain` be accepted?
   * A refusal's reason goes into the 550 5.7.1. Absent: every domain may.
   */
  relayAllowed?: (domain: string, user: string) => Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * Let logged-in users send with the null sender or an address in another
   * domain, as the relaying client of RFC 4954 §5.1 does (lessons replaying
   * RFC examples); a local address must still be the user's own.
   */
  foreignSenders?: boolean;
}

export interface RecipientPolicy {
  isLocalDomain(domain: string): boolean;
  /** A user by exact name, else case-insensitively (local parts are case-sensitive, people are not). */
  findUser(localPart: string): Promise<string | undefined>;
  /** The local user an address belongs to, if any. */
  localUserOf(mailbox: Mailbox): Promise<string | undefined>;
  checkRecipient(mailbox: Mailbox, authenticatedAs: string | undefined): Promise<RecipientVerdict>;
  checkSender(mailbox: Mailbox | null, user: string): Promise<SenderVerdict>;
}

export function createRecipientPolicy(options: RecipientPolicyOptions): RecipientPolicy {
  const domains = options.domains.map((domain) => domain.toLowerCase());
  const isLocalDomain = (domain: string) => domain === '' || domains.includes(domain.toLowerCase());

  async function findUser(localPart: string): Promise<string | undefined> {
    const users = await options.users.all();
    if (users.has(localPart)) return localPart;
    const lower = localPart.toLowerCase();
    return [...users.keys()].find((name) => name.toLowerCase() === lower);
  }

  async function localUserOf(mailbox: Mailbox): Promise<string | undefined> {
    return isLocalDomain(mailbox.domain) ? findUser(unquotedLocalPart(mailbox.localPart)) : undefined;
  }

  return {
    isLocalDomain,
    findUser,
    localUserOf,

    async checkRecipient(mailbox, authenticatedAs) {
      if (!isLocalDomain(mailbox.domain)) {
        if (authenticatedAs === undefined) return options.openRelay ? { kind: 'relay' } : { kind: 'relay-denied' };
        const allowed = options.relayAllowed ? await options.relayAllowed(mailbox.domain, authenticatedAs) : { ok: true as const };
        return allowed.ok ? { kind: 'relay' } : { kind: 'relay-denied', reason: allowed.reason };
      }
      const localPart = unquotedLocalPart(mailbox.localPart); // "carol" in quotes is carol (RFC 5321 §4.1.2)
      // RFC 5321 §4.5.1: postmaster is always accepted; it goes to "postmaster" or the first user.
      const user = localPart.toLowerCase() === 'postmaster' ? ((await findUser('postmaster')) ?? [...(await options.users.all()).keys()][0]) : await findUser(localPart);
      return user ? { kind: 'local', user } : { kind: 'unknown-user' };
    },

    async checkSender(mailbox, user) {
      // RFC 6409 §6.1 lets a submission server refuse a sender the login does not authorize; a logged-in user sends as themselves. The null
      // reverse-path is for notifications the mail system itself sends (RFC 5321 §4.5.5), never a person's mail.
      if (mailbox === null) return options.foreignSenders ? { ok: true } : { ok: false, reason: `the null sender <> is for bounces the mail system sends itself, not for mail from user ${user}` };
      const address = formatMailbox(mailbox);
      if (!isLocalDomain(mailbox.domain)) return options.foreignSenders ? { ok: true } : { ok: false, reason: `<${address}> is not in a domain of this server (${domains.join(', ')}); user ${user} sends as ${user}@${domains[0] ?? 'localhost'}` };
      if ((await findUser(unquotedLocalPart(mailbox.localPart))) !== user) return { ok: false, reason: `<${address}> is not owned by user ${user}` };
      return { ok: true };
    },
  };
}
