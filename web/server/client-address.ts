/**
 * Whose tab is this: the address of the browser, which the bridge caps,
 * penalises and logs. Behind a reverse proxy every socket comes from the
 * proxy, so with `--trust-proxy ADDRESS` the address a request names in
 * `Forwarded` (RFC 7239 §4) or `X-Forwarded-For` is taken instead, but only
 * when the socket itself comes from that proxy: anyone else could write the
 * header. The rightmost entry is the one the trusted proxy added (it appends
 * the address it saw); entries to its left were written by whoever connected
 * to it, and are not believed.
 */
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** True when `request` comes from one of the trusted proxies. */
export function fromTrustedProxy(request: IncomingMessage, trustedProxies: readonly string[]): boolean {
  const socketAddress = plain(request.socket.remoteAddress ?? 'unknown');
  return trustedProxies.some((proxy) => plain(proxy) === socketAddress);
}

/** The browser's address for `request`: the socket's, or the one a trusted proxy forwarded. */
export function clientAddress(request: IncomingMessage, trustedProxies: readonly string[]): string {
  const socketAddress = plain(request.socket.remoteAddress ?? 'unknown');
  if (!fromTrustedProxy(request, trustedProxies)) return socketAddress;
  return forwardedFor(header(request.headers.forwarded)) ?? xForwardedFor(header(request.headers['x-forwarded-for'])) ?? socketAddress;
}

/** The last `for=` of a Forwarded header, when it is an address (not "unknown" or an obfuscated name, RFC 7239 §6). */
export function forwardedFor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const last = value.split(',').at(-1)!;
  const pair = last
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.toLowerCase().startsWith('for='));
  if (!pair) return undefined;
  let node = pair.slice(4).trim().replace(/^"(.*)"$/, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
  if (bracketed) node = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(node)) node = node.replace(/:\d+$/, '');
  return address(node);
}

/** The last entry of X-Forwarded-For, when it is an address. */
export function xForwardedFor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return address(value.split(',').at(-1)!.trim());
}

/** Checks a list of proxy addresses (from --trust-proxy): the first that is not an IP address, or undefined. */
export function badProxyAddress(proxies: readonly string[]): string | undefined {
  return proxies.find((proxy) => isIP(proxy) === 0);
}

function address(text: string): string | undefined {
  return isIP(text) !== 0 ? plain(text) : undefined;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** IPv4-mapped IPv6 ("::ffff:10.0.0.5") written as the IPv4 address it is. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
