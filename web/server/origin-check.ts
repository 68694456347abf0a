/**
 * Who may use the bridge: a WebSocket upgrade (and every HTTP request) must
 * name one of the host names this server answers to in `Host`, and an upgrade
 * must come from a page of that same origin. The first defeats DNS rebinding
 * (a hostile name that resolves to 127.0.0.1 is not one of ours); the second
 * defeats cross-site WebSocket hijacking (a page elsewhere opening our /ws in
 * a learner's browser). Both are decided before the upgrade.
 */

export interface HostPolicy {
  /** Host names (and addresses) this server answers to, lower case, without port. */
  readonly names: ReadonlySet<string>;
  readonly port: number;
}

/** The names a server bound to `bindHost` answers to: loopback always, the bound address, and what the operator adds. */
export function hostPolicy(bindHost: string, port: number, extra: readonly string[] = []): HostPolicy {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...extra.map((name) => name.toLowerCase())]);
  if (bindHost !== '0.0.0.0' && bindHost !== '::') names.add(bindHost.toLowerCase());
  return { names, port };
}

/** Splits a Host header ("example:8025", "[::1]:8025") into name and port. */
export function splitHost(header: string | undefined): { name: string; port: number | undefined } | undefined {
  if (!header) return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match) return undefined;
  return { name: match[1]!.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * True when `Host` names this server. Behind a trusted reverse proxy
 * (`viaProxy`) the port is the proxy's (443 for https), not ours: only the
 * name must match.
 */
export function hostAllowed(policy: HostPolicy, header: string | undefined, viaProxy = false): boolean {
  const host = splitHost(header);
  return host !== undefined && policy.names.has(host.name) && (viaProxy || (host.port ?? 80) === policy.port);
}

/** True when `Origin` is this server's own page: http://<the Host header> (or https:// through a proxy). */
export function originAllowed(policy: HostPolicy, origin: string | undefined, hostHeader: string | undefined, viaProxy = false): boolean {
  if (!origin || !hostAllowed(policy, hostHeader, viaProxy)) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return parsed.host.toLowerCase() === hostHeader!.trim().toLowerCase() || `${parsed.hostname}:${parsed.port || 80}`.toLowerCase() === hostHeader!.trim().toLowerCase();
}
