/**
 * Where mail for a domain goes (RFC 5321 §5.1): its MX records sorted by
 * preference, the domain itself as an "implicit MX" when it has none, nowhere
 * when it publishes a null MX (RFC 7505). The DNS is behind a small port so the
 * ordering rules are unit-tested without a network; `nodeDns()` is the real one
 * (node:dns `Resolver`, optionally pointed at one server such as a test DNS).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

/** The look-ups direct delivery needs. Rejections carry node:dns codes (ENODATA, ENOTFOUND, ETIMEOUT, …). */
export interface DnsPort {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
}

export interface MxHost {
  /** The exchange's host name (or the address itself, for an address literal). */
  name: string;
  preference: number;
  /** True for the implicit MX: the domain has no MX records, so its own address records are used. */
  implicit: boolean;
}

export type MxPlan =
  | { kind: 'hosts'; hosts: MxHost[] }
  /** RFC 7505: a single MX of preference 0 and exchange "." — the domain accepts no mail. */
  | { kind: 'null-mx' }
  | { kind: 'failed'; temporary: boolean; reason: string; enhanced: string };

/** The codes node:dns uses for "this name does not exist" and "exists, but has no such record". */
const NO_SUCH_DOMAIN = new Set(['ENOTFOUND', 'NXDOMAIN']);
const NO_DATA = new Set(['ENODATA']);

/** A real resolver; `server` ("127.0.0.1:5353", "[::1]:53") replaces the system's servers. */
export function nodeDns(options: { server?: string; timeoutMs?: number; tries?: number } = {}): DnsPort {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 5000, tries: options.tries ?? 2 });
  if (options.server) resolver.setServers([options.server]);
  return {
    resolveMx: (domain) => resolver.resolveMx(domain),
    resolve4: (host) => resolver.resolve4(host),
    resolve6: (host) => resolver.resolve6(host),
  };
}

/** True for "HOST:PORT" / "[IPv6]:PORT" / a bare address, the forms `Resolver.setServers` takes. */
export function isDnsServerSpec(text: string): boolean {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return isIP(bracketed[1]!) === 6 && (bracketed[2] === undefined || Number(bracketed[2]) <= 65535);
  if (isIP(text) !== 0) return true;
  const withPort = /^([0-9.]+):(\d{1,5})$/.exec(text);
  return withPort !== null && isIP(withPort[1]!) === 4 && Number(withPort[2]) <= 65535;
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

/**
 * Looks up the mail exchangers of `domain`, most preferred first. Hosts of
 * equal preference are shuffled with `random` (RFC 5321 §5.1: "MUST
 * randomize"); pass `() => 0` to keep the DNS answer order in tests.
 */
export async function planMx(domain: string, dns: DnsPort, random: () => number = Math.random): Promise<MxPlan> {
  const literal = /^\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]$/.exec(domain);
  if (literal) {
    // An address literal (RFC 5321 §4.1.3) names the host directly: no DNS.
    if (isIP(literal[1]!) === 0) return { kind: 'failed', temporary: false, reason: `${domain} is not a valid address literal`, enhanced: '5.1.2' };
    return { kind: 'hosts', hosts: [{ name: literal[1]!, preference: 0, implicit: true }] };
  }
  let records: { exchange: string; priority: number }[];
  try {
    records = await dns.resolveMx(domain);
  } catch (error) {
    const code = codeOf(error);
    if (NO_SUCH_DOMAIN.has(code)) return { kind: 'failed', temporary: false, reason: `the domain ${domain} does not exist (DNS: ${code})`, enhanced: '5.1.2' };
    if (!NO_DATA.has(code)) return { kind: 'failed', temporary: true, reason: `DNS look-up of the MX records of ${domain} failed (${code})`, enhanced: '4.4.3' };
    records = [];
  }
  // RFC 7505 §3: a null MX is one record, preference 0, exchange "." (node:dns gives "" for the root).
  // It says the domain accepts no mail at all, so its presence wins over any other record.
  if (records.some((record) => record.exchange === '' || record.exchange === '.')) return { kind: 'null-mx' };
  if (records.length === 0) {
    // RFC 5321 §5.1: no MX records → the domain itself is the implicit MX, preference 0.
    return { kind: 'hosts', hosts: [{ name: domain, preference: 0, implicit: true }] };
  }
  return { kind: 'hosts', hosts: sortByPreference(records, random) };
}

/** Lowest preference first; equal preferences in random order; each exchange once. */
export function sortByPreference(records: readonly { exchange: string; priority: number }[], random: () => number = Math.random): MxHost[] {
  const seen = new Set<string>();
  const unique = records.filter((record) => {
    const key = record.exchange.toLowerCase().replace(/\.$/, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((record) => ({ record, key: random() }))
    .sort((a, b) => a.record.priority - b.record.priority || a.key - b.key)
    .map(({ record }) => ({ name: record.exchange.replace(/\.$/, ''), preference: record.priority, implicit: false }));
}

export type AddressLookup = { ok: true; addresses: string[] } | { ok: false; temporary: boolean; reason: string };

/** The addresses of one exchange: A records first, then AAAA, in the order the resolver gave them. */
export async function addressesOf(host: string, dns: DnsPort): Promise<AddressLookup> {
  if (isIP(host) !== 0) return { ok: true, addresses: [host] };
  const addresses: string[] = [];
  const failures: string[] = [];
  let temporary = false;
  for (const lookup of [dns.resolve4.bind(dns), dns.resolve6.bind(dns)]) {
    try {
      addresses.push(...(await lookup(host)));
    } catch (error) {
      const code = codeOf(error);
      if (!NO_DATA.has(code) && !NO_SUCH_DOMAIN.has(code)) temporary = true;
      failures.push(code);
    }
  }
  if (addresses.length > 0) return { ok: true, addresses };
  return { ok: false, temporary, reason: `${host} has no address record (DNS: ${[...new Set(failures)].join(', ')})` };
}

/**
 * RFC 5321 §5.1: an MTA that finds itself among a domain's MX hosts must not
 * send to itself or to any host of equal or worse preference (that would loop);
 * only better-preferred hosts remain. Undefined when nothing remains: the
 * message has nowhere to go from here (a routing loop, 5.4.6).
 */
export function withoutSelfAndWorse(hosts: readonly MxHost[], selfNames: readonly string[]): MxHost[] | undefined {
  const self = new Set(selfNames.map((name) => name.toLowerCase().replace(/\.$/, '')));
  const mine = hosts.filter((host) => self.has(host.name.toLowerCase()));
  if (mine.length === 0) return [...hosts];
  const cutoff = Math.min(...mine.map((host) => host.preference));
  const better = hosts.filter((host) => host.preference < cutoff);
  return better.length > 0 ? better : undefined;
}
