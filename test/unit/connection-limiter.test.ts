import { describe, expect, it } from 'vitest';
import { ConnectionLimiter, isLoopback } from '../../core/net/connection-limiter.js';

describe('isLoopback: who may send plaintext passwords without --allow-plaintext-auth', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('%s is loopback', (address) => {
    expect(isLoopback(address)).toBe(true);
  });
  it.each(['10.0.0.1', '192.168.1.20', '::ffff:10.1.1.1', '2001:db8::1', '128.0.0.1', '', undefined])('%s is not', (address) => {
    expect(isLoopback(address)).toBe(false);
  });
});

describe('ConnectionLimiter', () => {
  it('caps per address and overall, and frees a slot exactly once', () => {
    const limiter = new ConnectionLimiter({ maxConnections: 3, maxPerAddress: 2 });
    const a1 = limiter.admit('10.0.0.1');
    const a2 = limiter.admit('10.0.0.1');
    expect(limiter.admit('10.0.0.1')).toEqual({ ok: false, reason: 'too many connections from 10.0.0.1 (limit 2)' });
    const b1 = limiter.admit('10.0.0.2');
    expect(limiter.admit('10.0.0.3')).toEqual({ ok: false, reason: 'the server is at its limit of 3 connections' });
    expect(a1.ok && b1.ok && a2.ok).toBe(true);
    if (a1.ok) {
      a1.release();
      a1.release();
    }
    expect(limiter.open).toBe(2);
    expect(limiter.admit('10.0.0.1').ok).toBe(true);
  });
});

describe('ConnectionLimiter: connections of our own (the classroom bridge)', () => {
  it('counts them against the global cap only', () => {
    const limiter = new ConnectionLimiter({ maxConnections: 4, maxPerAddress: 1 });
    const outside = limiter.admit('127.0.0.1');
    expect(outside.ok).toBe(true);
    expect(limiter.admit('127.0.0.1')).toMatchObject({ ok: false });
    const own = [limiter.admit('127.0.0.1', { own: true }), limiter.admit('127.0.0.1', { own: true }), limiter.admit('127.0.0.1', { own: true })];
    expect(own.every((slot) => slot.ok)).toBe(true);
    expect(limiter.admit('127.0.0.1', { own: true })).toEqual({ ok: false, reason: 'the server is at its limit of 4 connections' });
    if (own[0]!.ok) own[0]!.release();
    // Releasing one of ours frees a global slot, not the outside client's per-address one.
    expect(limiter.admit('127.0.0.1')).toMatchObject({ ok: false });
    expect(limiter.admit('127.0.0.1', { own: true }).ok).toBe(true);
  });
});
