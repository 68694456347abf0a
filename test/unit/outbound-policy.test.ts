/** The outbound policy (core/send/outbound-policy.ts) and the lab's relay rules (core/lab/relay-rules.ts). */
import { describe, expect, it } from 'vitest';
import { connectionAllowed, deliverAllowed, describeOutbound, parseOutboundList, recipientAllowed, specialRange } from '../../core/send/outbound-policy.js';
import { relayPolicy } from '../../core/lab/relay-rules.js';
import type { UserDirectory } from '../../core/store/user-directory.js';

function users(entries: Record<string, string>): UserDirectory {
  const map = new Map(Object.entries(entries));
  return { all: async () => map, secretOf: async (user) => map.get(user) } as UserDirectory;
}

describe('parseOutboundList', () => {
  it('sorts domains from addresses and ranges, literals included', () => {
    expect(parseOutboundList(['example.org,[127.0.0.2]', '10.0.0.0/8', '*', 'fd00::/8'])).toEqual({ ok: true, policy: { domains: ['example.org', '*'], addresses: ['127.0.0.2', '10.0.0.0/8', 'fd00::/8'] } });
  });
  it('refuses what is none of them, and an empty list', () => {
    expect(parseOutboundList(['exa mple'])).toEqual({ ok: false, reason: expect.stringContaining('"exa mple" is not a domain') });
    expect(parseOutboundList(['10.0.0.0/33'])).toMatchObject({ ok: false });
    expect(parseOutboundList([','])).toMatchObject({ ok: false, reason: expect.stringContaining('at least one') });
  });
});

describe('specialRange', () => {
  it.each([
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['127.0.0.1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.20.1.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.100.100.200', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique local (private)'],
    ['::ffff:127.0.0.1', 'loopback'],
  ])('%s is %s', (address, kind) => expect(specialRange(address)).toBe(kind));
  it('an ordinary public address is not special', () => {
    expect(specialRange('93.184.216.34')).toBeUndefined();
    expect(specialRange('2606:2800:220:1::1')).toBeUndefined();
  });
});

describe('recipientAllowed and connectionAllowed', () => {
  const policy = { domains: ['example.org'], addresses: ['127.0.0.2', '10.1.0.0/16'] };
  it('off when there is no policy', () => {
    expect(recipientAllowed(undefined, 'example.org')).toMatchObject({ ok: false, reason: expect.stringContaining('outbound delivery is off') });
    expect(connectionAllowed(undefined, '93.184.216.34')).toMatchObject({ ok: false });
    expect(describeOutbound(undefined)).toMatch(/^outbound delivery: off/);
  });
  it('domains listed, literals only when named', () => {
    expect(recipientAllowed(policy, 'Example.ORG')).toEqual({ ok: true });
    expect(recipientAllowed(policy, 'victim.example')).toMatchObject({ ok: false });
    expect(recipientAllowed(policy, '[127.0.0.2]')).toEqual({ ok: true });
    expect(recipientAllowed(policy, '[10.1.2.3]')).toEqual({ ok: true });
    expect(recipientAllowed(policy, '[10.0.0.5]')).toMatchObject({ ok: false });
    expect(recipientAllowed({ domains: ['*'], addresses: [] }, '[93.184.216.34]')).toMatchObject({ ok: false });
  });
  it('connections: public yes, special only when named', () => {
    expect(connectionAllowed(policy, '93.184.216.34')).toEqual({ ok: true });
    expect(connectionAllowed(policy, '169.254.169.254')).toMatchObject({ ok: false, reason: expect.stringContaining('link-local') });
    expect(connectionAllowed(policy, '127.0.0.2')).toEqual({ ok: true });
    expect(connectionAllowed(policy, '127.0.0.3')).toMatchObject({ ok: false });
  });
  it('deliverAllowed hands only allowed recipients on, failing the rest for good', async () => {
    const handed: string[][] = [];
    const results = await deliverAllowed(policy, ['a@example.org', 'b@victim.example'], async (allowed) => {
      handed.push([...allowed]);
      return allowed.map((address) => ({ address, ok: true, code: 250, text: 'ok', host: 'h', temporary: false, stage: 'data' as const }));
    });
    expect(handed).toEqual([['a@example.org']]);
    expect(results.map((result) => [result.address, result.ok, result.temporary, result.enhanced])).toEqual([
      ['a@example.org', true, false, undefined],
      ['b@victim.example', false, false, '5.7.1'],
    ]);
  });
});

describe('relayPolicy: demo logins beyond loopback', () => {
  const everywhere = { domains: ['*'], addresses: [] };
  it('a demo login relays from a loopback-only lab, not from one listening on every interface', async () => {
    const directory = users({ alice: 'wonderland', dave: 'changed' });
    expect(await relayPolicy({ outbound: everywhere, host: '127.0.0.1' }, directory)('example.org', 'alice')).toEqual({ ok: true });
    expect(await relayPolicy({ outbound: everywhere, host: '0.0.0.0' }, directory)('example.org', 'alice')).toMatchObject({ ok: false, reason: expect.stringContaining('demo login') });
    // Not a demo user, or a demo user whose password was changed: the operator's policy alone decides.
    expect(await relayPolicy({ outbound: everywhere, host: '0.0.0.0' }, directory)('example.org', 'dave')).toEqual({ ok: true });
    expect(await relayPolicy({ outbound: everywhere, host: '0.0.0.0' }, users({ alice: 'new secret' }))('example.org', 'alice')).toEqual({ ok: true });
  });
});
