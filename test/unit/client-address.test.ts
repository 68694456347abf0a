import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { badProxyAddress, clientAddress, forwardedFor, xForwardedFor } from '../../web/server/client-address.js';

const request = (remoteAddress: string, headers: Record<string, string | string[]>) => ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('clientAddress (--trust-proxy)', () => {
  it('takes the address a trusted proxy forwarded: the rightmost entry, the one the proxy added', () => {
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' }), ['127.0.0.1'])).toBe('203.0.113.9');
    expect(clientAddress(request('::ffff:10.0.0.2', { forwarded: 'for=198.51.100.1, for="[2001:db8::7]:4711";proto=https' }), ['10.0.0.2'])).toBe('2001:db8::7');
    expect(clientAddress(request('10.0.0.2', { forwarded: 'for=192.0.2.60:1234;proto=http;by=203.0.113.43' }), ['10.0.0.2'])).toBe('192.0.2.60');
  });

  it('ignores the headers from anyone else, and keeps the socket address when the header names no address', () => {
    expect(clientAddress(request('127.0.0.2', { 'x-forwarded-for': '203.0.113.9' }), ['127.0.0.1'])).toBe('127.0.0.2');
    expect(clientAddress(request('127.0.0.2', { 'x-forwarded-for': '203.0.113.9' }), [])).toBe('127.0.0.2');
    expect(clientAddress(request('127.0.0.1', { forwarded: 'for=unknown' }), ['127.0.0.1'])).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': 'evil.example' }), ['127.0.0.1'])).toBe('127.0.0.1');
  });

  it('parses the header forms of RFC 7239 §4 and X-Forwarded-For', () => {
    expect(forwardedFor('for=_hidden')).toBeUndefined();
    expect(forwardedFor('proto=https')).toBeUndefined();
    expect(forwardedFor('For="[::1]"')).toBe('::1');
    expect(xForwardedFor(' 192.0.2.1 ')).toBe('192.0.2.1');
    expect(badProxyAddress(['127.0.0.1', 'proxy.example'])).toBe('proxy.example');
    expect(badProxyAddress(['::1'])).toBeUndefined();
  });
});
