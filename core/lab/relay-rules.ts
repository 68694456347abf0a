/**
 * Who may relay through the lab: the operator's outbound policy decides which
 * domains mail may go out to (core/send/outbound-policy.ts), and a demo login
 * (a demo user whose password is still the published one) never relays while
 * the lab listens beyond loopback: anyone who can read the page could send
 * mail through the host.
 */
import { isLoopback } from '../net/connection-limiter.js';
import { recipientAllowed, type OutboundPolicy, type OutboundVerdict } from '../send/outbound-policy.js';
import type { UserDirectory } from '../store/user-directory.js';
import { DEMO_USERS } from '../sandbox/demo-messages.js';

/** True when every listener of a lab on `host` is reachable from this machine only. */
export function listensOnLoopbackOnly(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

/** A user whose password is still the demo one published on the page and at start. */
export async function isDemoLogin(users: UserDirectory, user: string): Promise<boolean> {
  const demo = (DEMO_USERS as Record<string, string | undefined>)[user];
  return demo !== undefined && (await users.secretOf(user)) === demo;
}

/** The lab's `relayAllowed`: the outbound policy, then the demo-login rule. */
export function relayPolicy(config: { outbound?: OutboundPolicy; host: string }, users: UserDirectory): (domain: string, user: string) => Promise<OutboundVerdict> {
  return async (domain, user) => {
    const verdict = recipientAllowed(config.outbound, domain);
    if (!verdict.ok || listensOnLoopbackOnly(config.host) || !(await isDemoLogin(users, user))) return verdict;
    return { ok: false, reason: `${user} is a demo login (its password is published), and demo logins send to the lab's own domains only while the lab listens beyond loopback` };
  };
}
