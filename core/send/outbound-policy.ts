/**
 * What the lab may deliver outward, and to where. Outbound delivery is off
 * unless the operator names what is allowed (`serve --deliver-outbound`): a
 * lab whose demo logins are published must not become a relay (RFC 5321
 * §3.6.2: relaying is a policy decision, and the default is no) nor a way to
 * make the host connect to its own private network or a cloud metadata
 * service (169.254.169.254).
 *
 * The list holds recipient domains (`example.org`, or `*` for any domain
 * name) and addresses or ranges (`127.0.0.2`, `10.0.0.0/8`). Two checks use
 * it: at RCPT, is this recipient's domain allowed; and before each connection
 * the queue runner makes, is that address allowed. An address literal
 * (`x@[10.0.0.5]`, RFC 5321 §4.1.3) is allowed only when its address is named;
 * a name resolving to a loopback, link-local, private, shared or otherwise
 * special address is connected to only when that address is named.
 */
import { BlockList, isIP } from 'node:net';
import { domainOf } from './direct-delivery.js';
import type { RecipientResult } from './smtp-dialogue.js';

export interface OutboundPolicy {
  /** Recipient domains mail may be delivered to, lower-case; "*" for every domain name (never an address literal). */
  readonly domains: readonly string[];
  /** Addresses and CIDR ranges the lab may connect to even when special, and deliver address literals to. */
  readonly addresses: readonly string[];
}

export type OutboundVerdict = { ok: true } | { ok: false; reason: string };

/** Parses the `--deliver-outbound` list ("example.org,127.0.0.2,10.0.0.0/8"); a one-line reason when an entry is not a domain, an address or a range. */
export function parseOutboundList(entries: readonly string[]): { ok: true; policy: OutboundPolicy } | { ok: false; reason: string } {
  const domains: string[] = [];
  const addresses: string[] = [];
  for (const raw of entries.flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter((entry) => entry !== '')) {
    const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(raw);
    const text = literal ? literal[1]! : raw;
    const range = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(text);
    if (isIP(text) !== 0) addresses.push(text.toLowerCase());
    else if (range && isIP(range[1]!) !== 0 && Number(range[2]) <= (isIP(range[1]!) === 4 ? 32 : 128)) addresses.push(text.toLowerCase());
    else if (!literal && (raw === '*' || /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(raw))) domains.push(raw.toLowerCase());
    else return { ok: false, reason: `"${raw}" is not a domain, "*", an IP address or an address range like 10.0.0.0/8` };
  }
  if (domains.length === 0 && addresses.length === 0) return { ok: false, reason: 'name at least one domain ("*" for any), address or range' };
  return { ok: true, policy: { domains, addresses } };
}

/** One line for the start-up banner: what the lab will deliver outward. */
export function describeOutbound(policy: OutboundPolicy | undefined): string {
  if (!policy) return 'outbound delivery: off — mail for other domains is refused at RCPT (turn it on with --deliver-outbound)';
  const domains = policy.domains.includes('*') ? 'any domain' : policy.domains.length > 0 ? policy.domains.join(', ') : 'no domain names';
  const addresses = policy.addresses.length > 0 ? `; special or literal addresses allowed: ${policy.addresses.join(', ')}` : '; never to loopback, link-local, private or metadata addresses';
  return `outbound delivery: on, for authenticated users, to ${domains}${addresses}`;
}

/** Is mail for `domain` (a recipient's, possibly an address literal) allowed out? */
export function recipientAllowed(policy: OutboundPolicy | undefined, domain: string): OutboundVerdict {
  if (!policy) return { ok: false, reason: 'this lab delivers no mail to other domains (outbound delivery is off)' };
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(domain);
  if (literal) {
    const address = literal[1]!;
    if (isIP(address) !== 0 && named(policy, address)) return { ok: true };
    return { ok: false, reason: `address literal ${domain} is not an allowed destination of this lab` };
  }
  const lower = domain.toLowerCase().replace(/\.$/, '');
  if (policy.domains.includes('*') || policy.domains.includes(lower)) return { ok: true };
  return { ok: false, reason: `${lower} is not among the domains this lab delivers to` };
}

/** May the queue runner connect to `address`? Public addresses yes (the domain was allowed at RCPT); special ones only when named. */
export function connectionAllowed(policy: OutboundPolicy | undefined, address: string): OutboundVerdict {
  if (!policy) return { ok: false, reason: 'outbound delivery is off' };
  if (named(policy, address)) return { ok: true };
  const range = specialRange(address);
  if (range) return { ok: false, reason: `${address} is a ${range} address, not allowed for outbound delivery unless named in --deliver-outbound` };
  return { ok: true };
}

const SPECIAL_V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const SPECIAL_V6: readonly [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b::', 96, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

/** The kind of special address `address` is (loopback, private, link-local, …), or undefined for an ordinary public one. */
export function specialRange(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'invalid';
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches the IPv4 address inside it.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return specialRange(mapped[1]!);
  const table = family === 4 ? SPECIAL_V4 : SPECIAL_V6;
  for (const [network, prefix, kind] of table) {
    const list = new BlockList();
    list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    if (list.check(address, family === 4 ? 'ipv4' : 'ipv6')) return kind;
  }
  return undefined;
}

/** Is `address` named in the policy, itself or within a named range? */
function named(policy: OutboundPolicy, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const entry of policy.addresses) {
    const [network, prefix] = entry.split('/') as [string, string | undefined];
    if (isIP(network) !== family) continue;
    const list = new BlockList();
    if (prefix === undefined) list.addAddress(network, type);
    else list.addSubnet(network, Number(prefix), type);
    if (list.check(address, type)) return true;
  }
  return false;
}

/**
 * Delivers only to the recipients whose domain the policy allows now (the
 * policy may have changed since they were queued, or the queue holds entries
 * from before outbound delivery was switched off); the others fail for good
 * (5.7.1) without a connection, and their sender gets a bounce.
 */
export async function deliverAllowed(
  policy: OutboundPolicy | undefined,
  recipients: readonly string[],
  deliver: (allowed: readonly string[]) => Promise<RecipientResult[]>,
): Promise<RecipientResult[]> {
  const refused = new Map<string, string>();
  for (const recipient of recipients) {
    const verdict = recipientAllowed(policy, domainOf(recipient));
    if (!verdict.ok) refused.set(recipient, verdict.reason);
  }
  const allowed = recipients.filter((recipient) => !refused.has(recipient));
  const delivered = allowed.length > 0 ? await deliver(allowed) : [];
  const byAddress = new Map(delivered.map((result) => [result.address, result]));
  return recipients.map(
    (recipient) =>
      byAddress.get(recipient) ?? { address: recipient, ok: false, code: 0, enhanced: '5.7.1', text: `not delivered: ${refused.get(recipient) ?? 'no result'}`, host: 'outbound policy', temporary: false, stage: 'dns' },
  );
}
