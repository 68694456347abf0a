/**
 * How maillab writes an address and its port, everywhere it prints one: an
 * IPv6 address in brackets (`[::1]:2525`, as in URLs, RFC 3986 §3.2.2), so the
 * port cannot be read as the address's last group; a name or an IPv4 address
 * as it is (`127.0.0.1:2525`). Browser-safe: no Node built-ins.
 */

/** An IPv6 address in brackets; anything else (a name, IPv4, already bracketed) as it is. */
export function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `host:port`, with an IPv6 address bracketed: `[::1]:2525`, `127.0.0.1:2525`, `mx.example.org:25`. */
export function hostPort(host: string, port: number | string | undefined): string {
  return port === undefined || port === '' ? bracketed(host) : `${bracketed(host)}:${port}`;
}

/** "mx1.example.test [127.0.0.2]:25", or "127.0.0.1:2525" / "[::1]:2525" when the name is the address. */
export function hostLabel(host: string, address: string, port: number): string {
  return host === address ? hostPort(address, port) : `${host} [${address}]:${port}`;
}
