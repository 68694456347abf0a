/**
 * `pop3://host[:port]`, `pop3s://…`, `smtp://…`, `smtps://…` → where and how
 * to connect. Default ports: 110, 995 (RFC 8314), 25, 465 (RFC 8314).
 */
/** Where and how the raw client connects (pure data, so the browser-safe target syntax can name it). */
export interface ClientEndpoint {
  protocol: 'pop3' | 'smtp';
  host: string;
  port: number;
  /** Implicit TLS from the first byte (pop3s, smtps; RFC 8314). */
  implicitTls: boolean;
  /** Accept a certificate that does not verify (self-signed labs). */
  insecure: boolean;
  /** --ca-file, --servername, --tls-min. */
  tls?: TlsClientSettings;
}

/** The TLS versions a client may require as its minimum (`--tls-min`); the names Node's TLS uses. */
export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** The TLS settings an admin expects: a CA file, a name for SNI and verification, a minimum version. */
export interface TlsClientSettings {
  /** PEM file of the CA(s) to trust instead of the system's (NODE_EXTRA_CA_CERTS adds to the system's instead). */
  caFile?: string;
  /** The name sent in SNI and checked against the certificate; default: the host of the URL. */
  servername?: string;
  /** The oldest TLS version accepted. */
  minVersion?: TlsVersionName;
}


const SCHEMES: Record<string, { protocol: 'pop3' | 'smtp'; port: number; implicitTls: boolean }> = {
  pop3: { protocol: 'pop3', port: 110, implicitTls: false },
  pop3s: { protocol: 'pop3', port: 995, implicitTls: true },
  smtp: { protocol: 'smtp', port: 25, implicitTls: false },
  smtps: { protocol: 'smtp', port: 465, implicitTls: true },
};

export type ParsedServerUrl = { ok: true; endpoint: Omit<ClientEndpoint, 'insecure'> } | { ok: false; reason: string };

export function parseServerUrl(text: string): ParsedServerUrl {
  const match = /^([a-z0-9]+):\/\/(\[[0-9a-fA-F:.]+\]|[^/:\s[\]]+)(?::(\d{1,5}))?\/?$/i.exec(text.trim());
  if (!match) return { ok: false, reason: `"${text}" is not a server URL; expected pop3://host[:port], pop3s://, smtp:// or smtps://` };
  const scheme = SCHEMES[match[1]!.toLowerCase()];
  if (!scheme) return { ok: false, reason: `unknown scheme "${match[1]}"; use pop3, pop3s, smtp or smtps` };
  const port = match[3] === undefined ? scheme.port : Number(match[3]);
  if (port < 1 || port > 65535) return { ok: false, reason: `port ${match[3]} is out of range (1-65535)` };
  const host = match[2]!.replace(/^\[(.*)\]$/, '$1');
  return { ok: true, endpoint: { protocol: scheme.protocol, host, port, implicitTls: scheme.implicitTls } };
}
