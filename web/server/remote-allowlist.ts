/**
 * `--allow-remote host[:port],…`: the only servers outside the lab a page may
 * make the bridge connect to. Without it the bridge opens no socket but to the
 * lab's own listeners, so it can never become a proxy into the network it
 * runs on. Hosts are compared as written (case-insensitive), never resolved:
 * allowing `mail.example.test` allows that name, not whatever else shares its
 * address.
 */
import { parseServerUrl } from '../../core/net/server-url.js';
import { hostPort } from '../../core/host-port.js';

export interface AllowedRemote {
  readonly host: string;
  /** Absent: any port of that host. */
  readonly port?: number;
}

export type ParsedAllowlist = { ok: true; entries: AllowedRemote[] } | { ok: false; reason: string };

/** Parses the comma-separated option (repeatable: the values are joined). */
export function parseAllowlist(values: readonly string[]): ParsedAllowlist {
  const entries: AllowedRemote[] = [];
  for (const item of values.flatMap((value) => value.split(',')).map((item) => item.trim()).filter(Boolean)) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(item);
    if (!match) return { ok: false, reason: `"${item}" is not host or host:port` };
    const port = match[2] === undefined ? undefined : Number(match[2]);
    if (port !== undefined && (port < 1 || port > 65535)) return { ok: false, reason: `"${item}": port out of range` };
    entries.push({ host: normaliseHost(match[1]!), ...(port !== undefined ? { port } : {}) });
  }
  return { ok: true, entries };
}

export type RemoteDecision = { ok: true; url: string; host: string; port: number } | { ok: false; reason: string };

/**
 * May a page open `url`? Only when its host (and port, if the entry names
 * one) is on the list, or it is one of `own` (the lab's listeners, "host:port").
 */
export function checkRemote(url: string, allowed: readonly AllowedRemote[], own: readonly string[] = []): RemoteDecision {
  const parsed = parseServerUrl(url);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const host = normaliseHost(parsed.endpoint.host);
  const port = parsed.endpoint.port;
  const mine = own.includes(`${host}:${port}`);
  if (!mine && !allowed.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port))) {
    return {
      ok: false,
      reason:
        allowed.length === 0
          ? `this classroom connects only to its own lab; the operator can allow other servers with --allow-remote`
          : `${hostPort(host, port)} is not on this classroom's --allow-remote list (${allowed.map(formatAllowed).join(', ')})`,
    };
  }
  return { ok: true, url, host, port };
}

export function formatAllowed(entry: AllowedRemote): string {
  return hostPort(entry.host, entry.port);
}

function normaliseHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
