/**
 * Direct delivery, as an MTA does it (RFC 5321 §5.1, §4.5.4): recipients are
 * grouped by domain; each domain's exchangers are tried in preference order,
 * every address of each; a host that cannot be reached or answers 4xx passes
 * the recipients it did not take to the next one, and a 5xx is final. Used by
 * `maillab send --direct` and by the lab's queue runner.
 */
import { addressesOf, planMx, withoutSelfAndWorse, type DnsPort } from './mx.js';
import type { TlsClientSettings } from '../net/tls-verification.js';
import { sendOverSmtp, type SmtpClientOptions, type SmtpObserver } from './smtp-client.js';
import type { RecipientResult, StartTlsPolicy } from './smtp-dialogue.js';

export interface DirectDeliveryOptions {
  from: string;
  recipients: readonly string[];
  message: Uint8Array;
  heloName: string;
  dns: DnsPort;
  /** The port every exchanger is tried on; 25 in the real world. */
  port: number;
  /** Default 'opportunistic': STARTTLS when offered, unverified (RFC 7435), plaintext if the handshake fails. */
  startTls?: StartTlsPolicy;
  /** With startTls 'required': accept certificates that do not verify. */
  insecure?: boolean;
  /** A CA file and a minimum TLS version for every exchanger (no --servername: each MX host is checked by its own name). */
  tls?: Omit<TlsClientSettings, 'servername'>;
  /** Shuffles exchangers of equal preference; tests pass `() => 0`. */
  random?: () => number;
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
  /** Called once per connection attempt, for transcripts. */
  observe?: (target: { domain: string; host: string; address: string }) => SmtpObserver | undefined;
  /** The names this MTA is known by: MX hosts of equal or worse preference than any of them are skipped (RFC 5321 §5.1). */
  selfNames?: readonly string[];
  /**
   * Asked before each connection: a refused address is never connected to (the lab's outbound policy keeps
   * its queue away from loopback, private and metadata addresses). Absent: every address is allowed.
   */
  allowAddress?: (address: string) => { ok: true } | { ok: false; reason: string };
  /** Stops at once (the lab is shutting down): open connections end, no further host is tried. */
  signal?: AbortSignal;
  /** The SMTP transaction; replaced in unit tests. */
  send?: (options: SmtpClientOptions) => Promise<RecipientResult[]>;
}

/** The domain of an address (after the last "@"), lower-cased; "" when it has none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
}

/** Delivers to every recipient; one result per recipient, in the order given. */
export async function deliverDirect(options: DirectDeliveryOptions): Promise<RecipientResult[]> {
  const byDomain = new Map<string, string[]>();
  for (const recipient of new Set(options.recipients)) {
    const domain = domainOf(recipient);
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), recipient]);
  }
  const results = new Map<string, RecipientResult>();
  for (const [domain, recipients] of byDomain) {
    for (const result of await deliverToDomain(domain, recipients, options)) results.set(result.address, result);
  }
  return options.recipients.map((address) => results.get(address)!);
}

function localResult(address: string, text: string, fields: { temporary: boolean; enhanced: string; host: string; code?: number }): RecipientResult {
  return { address, ok: false, code: fields.code ?? 0, enhanced: fields.enhanced, text, host: fields.host, temporary: fields.temporary, stage: 'dns' };
}

async function deliverToDomain(domain: string, recipients: string[], options: DirectDeliveryOptions): Promise<RecipientResult[]> {
  if (domain === '') return recipients.map((address) => localResult(address, `${address} has no domain`, { temporary: false, enhanced: '5.1.3', host: '-' }));
  const plan = await planMx(domain, options.dns, options.random);
  if (plan.kind === 'null-mx') {
    // RFC 7505 §4.1: no delivery attempt; the failure is reported as 556 5.1.10.
    return recipients.map((address) => localResult(address, `${domain} does not accept mail (null MX, RFC 7505)`, { temporary: false, enhanced: '5.1.10', host: 'null MX', code: 556 }));
  }
  if (plan.kind === 'failed') {
    return recipients.map((address) => localResult(address, plan.reason, { temporary: plan.temporary, enhanced: plan.enhanced, host: 'DNS' }));
  }
  const hosts = options.selfNames && options.selfNames.length > 0 ? withoutSelfAndWorse(plan.hosts, options.selfNames) : plan.hosts;
  if (!hosts) {
    const text = `${domain}'s best MX host is this server itself: delivering would loop (RFC 5321 section 5.1)`;
    return recipients.map((address) => localResult(address, text, { temporary: false, enhanced: '5.4.6', host: 'MX' }));
  }
  const final = new Map<string, RecipientResult>();
  const latest = new Map<string, RecipientResult>();
  let remaining = recipients;
  for (const host of hosts) {
    const lookup = await addressesOf(host.name, options.dns);
    if (!lookup.ok) {
      // An implicit MX without addresses means the domain has no mail host (RFC 5321 §5.1);
      // an MX naming an unresolvable host is skipped for the next one.
      const permanent = host.implicit && !lookup.temporary;
      const text = host.implicit ? `${domain} has no MX record and no address record` : lookup.reason;
      for (const address of remaining) latest.set(address, localResult(address, text, { temporary: !permanent, enhanced: permanent ? '5.1.2' : '4.4.3', host: host.name }));
      continue;
    }
    for (const address of lookup.addresses) {
      const allowed = options.allowAddress?.(address) ?? { ok: true };
      if (!allowed.ok) {
        // Not connected to: kept as this host's result, so another exchanger may still take the mail.
        for (const recipient of remaining) latest.set(recipient, localResult(recipient, allowed.reason, { temporary: false, enhanced: '5.7.1', host: `${host.name} [${address}]` }));
        continue;
      }
      for (const result of await attempt(domain, host.name, address, remaining, options)) {
        if (result.ok || !result.temporary) final.set(result.address, result);
        else latest.set(result.address, result);
      }
      remaining = remaining.filter((recipient) => !final.has(recipient));
      if (remaining.length === 0 || options.signal?.aborted) break;
    }
    if (remaining.length === 0 || options.signal?.aborted) break;
  }
  return recipients.map((address) => final.get(address) ?? latest.get(address)!);
}

/** One connection; with opportunistic TLS, a failed handshake is retried once in plaintext (as MTAs do). */
async function attempt(domain: string, host: string, address: string, recipients: string[], options: DirectDeliveryOptions): Promise<RecipientResult[]> {
  const send = options.send ?? sendOverSmtp;
  const policy = options.startTls ?? 'opportunistic';
  const run = (startTls: StartTlsPolicy) => {
    const observer = options.observe?.({ domain, host, address });
    return send({
      host,
      address,
      port: options.port,
      implicitTls: false,
      startTls,
      insecure: options.insecure ?? false,
      ...(options.tls ? { tls: options.tls } : {}),
      heloName: options.heloName,
      from: options.from,
      recipients,
      message: options.message,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.replyTimeoutMs !== undefined ? { replyTimeoutMs: options.replyTimeoutMs } : {}),
      ...(observer ? { observer } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
  const results = await run(policy);
  const handshakeFailed = results.some((result) => result.stage === 'starttls' && result.code === 0);
  if (policy === 'opportunistic' && handshakeFailed) return run('none');
  return results;
}
