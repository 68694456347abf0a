/**
 * MX planning (RFC 5321 §5.1, RFC 7505) and the direct-delivery loop, with a
 * scripted DNS and a scripted SMTP transaction: which hosts are tried, in
 * which order, and what each recipient ends up with.
 */
import { describe, expect, it } from 'vitest';
import { deliverDirect, domainOf } from '../../core/send/direct-delivery.js';
import { addressesOf, isDnsServerSpec, planMx, sortByPreference, withoutSelfAndWorse, type DnsPort } from '../../core/send/mx.js';
import type { SmtpClientOptions } from '../../core/send/smtp-client.js';
import type { RecipientResult } from '../../core/send/smtp-dialogue.js';

function dnsError(code: string): Error {
  return Object.assign(new Error(`query failed ${code}`), { code });
}

/** A DNS from tables; names missing from every table are NXDOMAIN, a known name without the type is NODATA. */
function fakeDns(tables: { mx?: Record<string, { exchange: string; priority: number }[]>; a?: Record<string, string[]>; aaaa?: Record<string, string[]>; fail?: Record<string, string> }): DnsPort {
  const known = (name: string) => [tables.mx, tables.a, tables.aaaa].some((table) => table && name in table);
  const answer = <T>(table: Record<string, T[]> | undefined, name: string): Promise<T[]> => {
    const failure = tables.fail?.[name];
    if (failure) return Promise.reject(dnsError(failure));
    if (!known(name)) return Promise.reject(dnsError('ENOTFOUND'));
    const records = table?.[name];
    return records && records.length > 0 ? Promise.resolve(records) : Promise.reject(dnsError('ENODATA'));
  };
  return {
    resolveMx: (domain) => answer(tables.mx, domain),
    resolve4: (host) => answer(tables.a, host),
    resolve6: (host) => answer(tables.aaaa, host),
  };
}

describe('planMx', () => {
  it('sorts by preference, lowest first, whatever order the answer had', async () => {
    const dns = fakeDns({ mx: { 'b.test': [{ exchange: 'mx30.b.test', priority: 30 }, { exchange: 'mx10.b.test', priority: 10 }, { exchange: 'mx20.b.test', priority: 20 }] } });
    const plan = await planMx('b.test', dns);
    expect(plan).toEqual({
      kind: 'hosts',
      hosts: [
        { name: 'mx10.b.test', preference: 10, implicit: false },
        { name: 'mx20.b.test', preference: 20, implicit: false },
        { name: 'mx30.b.test', preference: 30, implicit: false },
      ],
    });
  });

  it('shuffles equal preferences with the injected random source, never across preferences', () => {
    const records = [
      { exchange: 'first.test', priority: 10 },
      { exchange: 'second.test', priority: 10 },
      { exchange: 'backup.test', priority: 20 },
    ];
    const keys = [0.9, 0.1, 0.0];
    let index = 0;
    const shuffled = sortByPreference(records, () => keys[index++]!);
    expect(shuffled.map((host) => host.name)).toEqual(['second.test', 'first.test', 'backup.test']);
    expect(sortByPreference(records, () => 0).map((host) => host.name)).toEqual(['first.test', 'second.test', 'backup.test']);
  });

  it('lists an exchange once even if the answer repeats it', () => {
    const hosts = sortByPreference([{ exchange: 'mx.test', priority: 10 }, { exchange: 'MX.test.', priority: 20 }], () => 0);
    expect(hosts).toEqual([{ name: 'mx.test', preference: 10, implicit: false }]);
  });

  it('no MX records: the domain is its own implicit MX, preference 0 (RFC 5321 §5.1)', async () => {
    const plan = await planMx('a-only.test', fakeDns({ a: { 'a-only.test': ['192.0.2.1'] } }));
    expect(plan).toEqual({ kind: 'hosts', hosts: [{ name: 'a-only.test', preference: 0, implicit: true }] });
  });

  it('a null MX (RFC 7505) means the domain takes no mail', async () => {
    expect(await planMx('null.test', fakeDns({ mx: { 'null.test': [{ exchange: '', priority: 0 }] } }))).toEqual({ kind: 'null-mx' });
    expect(await planMx('null.test', fakeDns({ mx: { 'null.test': [{ exchange: '.', priority: 0 }] } }))).toEqual({ kind: 'null-mx' });
  });

  it('a domain that does not exist is a permanent failure; a DNS failure a temporary one', async () => {
    expect(await planMx('nowhere.test', fakeDns({}))).toMatchObject({ kind: 'failed', temporary: false, enhanced: '5.1.2' });
    expect(await planMx('flaky.test', fakeDns({ fail: { 'flaky.test': 'ESERVFAIL' } }))).toMatchObject({ kind: 'failed', temporary: true, enhanced: '4.4.3' });
    expect(await planMx('slow.test', fakeDns({ fail: { 'slow.test': 'ETIMEOUT' } }))).toMatchObject({ kind: 'failed', temporary: true });
  });

  it('an address literal needs no DNS', async () => {
    expect(await planMx('[127.0.0.9]', fakeDns({}))).toEqual({ kind: 'hosts', hosts: [{ name: '127.0.0.9', preference: 0, implicit: true }] });
    expect(await planMx('[IPv6:::1]', fakeDns({}))).toEqual({ kind: 'hosts', hosts: [{ name: '::1', preference: 0, implicit: true }] });
    expect(await planMx('[300.1.1.1]', fakeDns({}))).toMatchObject({ kind: 'failed', temporary: false });
  });
});

describe('addressesOf', () => {
  it('A records first, then AAAA', async () => {
    const dns = fakeDns({ a: { 'mx.test': ['192.0.2.1', '192.0.2.2'] }, aaaa: { 'mx.test': ['2001:db8::1'] } });
    expect(await addressesOf('mx.test', dns)).toEqual({ ok: true, addresses: ['192.0.2.1', '192.0.2.2', '2001:db8::1'] });
  });

  it('a host without address records fails, temporarily only if the DNS itself failed', async () => {
    expect(await addressesOf('gone.test', fakeDns({}))).toMatchObject({ ok: false, temporary: false });
    expect(await addressesOf('flaky.test', fakeDns({ fail: { 'flaky.test': 'ETIMEOUT' } }))).toMatchObject({ ok: false, temporary: true });
  });
});

describe('isDnsServerSpec', () => {
  it('takes the forms Resolver.setServers takes', () => {
    for (const good of ['127.0.0.1', '127.0.0.1:5353', '[::1]:53', '[::1]', '::1']) expect(isDnsServerSpec(good), good).toBe(true);
    for (const bad of ['localhost:53', '127.0.0.1:99999', '1.2.3:53', '', 'dns.example']) expect(isDnsServerSpec(bad), bad).toBe(false);
  });
});

/** A scripted SMTP world: address → how that server answers each recipient (undefined: nothing listens). */
function fakeSmtp(servers: Record<string, (recipient: string) => Omit<RecipientResult, 'address' | 'host' | 'stage'> & { stage?: RecipientResult['stage'] }>) {
  const calls: { address: string; recipients: readonly string[]; startTls: string }[] = [];
  const send = async (options: SmtpClientOptions): Promise<RecipientResult[]> => {
    const address = options.address!;
    calls.push({ address, recipients: options.recipients, startTls: options.startTls });
    const server = servers[address];
    return options.recipients.map((recipient) => {
      const host = `${options.host} [${address}]:${options.port}`;
      if (!server) return { address: recipient, ok: false, code: 0, text: 'connection refused', host, temporary: true, stage: 'connect' };
      const answer = server(recipient);
      return { stage: 'rcpt', ...answer, address: recipient, host };
    });
  };
  return { send, calls };
}

const OK = { ok: true, code: 250, text: 'ok', temporary: false, stage: 'message' as const };
const LATER = { ok: false, code: 451, text: 'try later', temporary: true };
const NEVER = { ok: false, code: 550, text: 'no such user', temporary: false };

const DNS = fakeDns({
  mx: {
    'b.test': [
      { exchange: 'mx2.b.test', priority: 20 },
      { exchange: 'mx1.b.test', priority: 10 },
      { exchange: 'mx3.b.test', priority: 30 },
    ],
    'null.test': [{ exchange: '', priority: 0 }],
  },
  a: { 'mx1.b.test': ['10.0.0.1'], 'mx2.b.test': ['10.0.0.2', '10.0.0.22'], 'mx3.b.test': ['10.0.0.3'], 'a-only.test': ['10.0.0.9'] },
});

function direct(recipients: string[], send: (options: SmtpClientOptions) => Promise<RecipientResult[]>) {
  return deliverDirect({ from: 'alice@a.test', recipients, message: Buffer.from('x\r\n'), heloName: 'a.test', dns: DNS, port: 2525, random: () => 0, send });
}

describe('deliverDirect', () => {
  it('tries hosts in preference order and stops at the first that takes the mail', async () => {
    const smtp = fakeSmtp({ '10.0.0.1': () => OK, '10.0.0.2': () => OK });
    const results = await direct(['bob@b.test'], smtp.send);
    expect(smtp.calls.map((call) => call.address)).toEqual(['10.0.0.1']);
    expect(results[0]).toMatchObject({ ok: true, host: 'mx1.b.test [10.0.0.1]:2525' });
  });

  it('skips a host nothing listens on, and every address of a multihomed host in order', async () => {
    const smtp = fakeSmtp({ '10.0.0.22': () => OK });
    const results = await direct(['bob@b.test'], smtp.send);
    expect(smtp.calls.map((call) => call.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.22']);
    expect(results[0]).toMatchObject({ ok: true, host: 'mx2.b.test [10.0.0.22]:2525' });
  });

  it('a 4xx passes the recipient on to the next host', async () => {
    const smtp = fakeSmtp({ '10.0.0.1': () => LATER, '10.0.0.2': () => OK });
    const results = await direct(['bob@b.test'], smtp.send);
    expect(smtp.calls.map((call) => call.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(results[0]!.ok).toBe(true);
  });

  it('a 5xx is final: no other host is asked', async () => {
    const smtp = fakeSmtp({ '10.0.0.1': () => NEVER, '10.0.0.2': () => OK });
    const results = await direct(['nobody@b.test'], smtp.send);
    expect(smtp.calls).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, code: 550, temporary: false });
  });

  it('only the recipients still open go to the next host; each keeps its own result', async () => {
    const smtp = fakeSmtp({
      '10.0.0.1': (recipient) => (recipient.startsWith('busy') ? LATER : recipient.startsWith('nobody') ? NEVER : OK),
      '10.0.0.2': () => OK,
    });
    const results = await direct(['bob@b.test', 'busy@b.test', 'nobody@b.test'], smtp.send);
    expect(smtp.calls.map((call) => [call.address, call.recipients])).toEqual([
      ['10.0.0.1', ['bob@b.test', 'busy@b.test', 'nobody@b.test']],
      ['10.0.0.2', ['busy@b.test']],
    ]);
    expect(results.map((r) => [r.address, r.ok, r.code, r.host])).toEqual([
      ['bob@b.test', true, 250, 'mx1.b.test [10.0.0.1]:2525'],
      ['busy@b.test', true, 250, 'mx2.b.test [10.0.0.2]:2525'],
      ['nobody@b.test', false, 550, 'mx1.b.test [10.0.0.1]:2525'],
    ]);
  });

  it('when every host defers, the last temporary failure is the answer', async () => {
    const smtp = fakeSmtp({ '10.0.0.1': () => LATER, '10.0.0.2': () => LATER, '10.0.0.22': () => LATER, '10.0.0.3': () => ({ ...LATER, code: 452 }) });
    const results = await direct(['bob@b.test'], smtp.send);
    expect(smtp.calls).toHaveLength(4);
    expect(results[0]).toMatchObject({ ok: false, code: 452, temporary: true, host: 'mx3.b.test [10.0.0.3]:2525' });
  });

  it('uses the A record of a domain without MX', async () => {
    const smtp = fakeSmtp({ '10.0.0.9': () => OK });
    const results = await direct(['x@a-only.test'], smtp.send);
    expect(results[0]).toMatchObject({ ok: true, host: 'a-only.test [10.0.0.9]:2525' });
  });

  it('null MX: 556 5.1.10 without any connection (RFC 7505 §4.1)', async () => {
    const smtp = fakeSmtp({});
    const results = await direct(['x@null.test'], smtp.send);
    expect(smtp.calls).toHaveLength(0);
    expect(results[0]).toMatchObject({ ok: false, code: 556, enhanced: '5.1.10', temporary: false });
  });

  it('an unknown domain fails permanently; recipients keep their order across domains', async () => {
    const smtp = fakeSmtp({ '10.0.0.1': () => OK });
    const results = await direct(['x@nowhere.test', 'bob@b.test'], smtp.send);
    expect(results.map((r) => [r.address, r.ok, r.temporary, r.stage])).toEqual([
      ['x@nowhere.test', false, false, 'dns'],
      ['bob@b.test', true, false, 'message'],
    ]);
  });

  it('opportunistic TLS: a failed handshake is retried once in plaintext on the same host', async () => {
    const calls: string[] = [];
    const send = async (options: SmtpClientOptions): Promise<RecipientResult[]> => {
      calls.push(`${options.address} ${options.startTls}`);
      const host = options.address!;
      return options.recipients.map((address) =>
        options.startTls === 'opportunistic'
          ? { address, ok: false, code: 0, text: 'TLS failed', host, temporary: true, stage: 'starttls' as const }
          : { address, ok: true, code: 250, text: 'ok', host, temporary: false, stage: 'message' as const },
      );
    };
    const results = await direct(['bob@b.test'], send);
    expect(calls).toEqual(['10.0.0.1 opportunistic', '10.0.0.1 none']);
    expect(results[0]!.ok).toBe(true);
  });

  it('domainOf takes the part after the last "@", lower-cased', () => {
    expect(domainOf('"a@b"@Example.TEST')).toBe('example.test');
    expect(domainOf('postmaster')).toBe('');
  });
});

describe('RFC 5321 §5.1: an MTA among the MX hosts does not deliver to itself or worse', () => {
  const hosts = [
    { name: 'a.example', preference: 10, implicit: false },
    { name: 'me.example', preference: 20, implicit: false },
    { name: 'c.example', preference: 20, implicit: false },
    { name: 'd.example', preference: 30, implicit: false },
  ];

  it('keeps only the hosts preferred over itself', () => {
    expect(withoutSelfAndWorse(hosts, ['ME.example.'])?.map((host) => host.name)).toEqual(['a.example']);
    expect(withoutSelfAndWorse(hosts, ['elsewhere.example'])).toEqual(hosts);
    expect(withoutSelfAndWorse(hosts, ['a.example'])).toBeUndefined();
  });

  it('deliverDirect skips itself and worse; when it is the best MX, it reports a routing loop (5.4.6) without connecting', async () => {
    const smtp = fakeSmtp({ '10.0.0.1': () => LATER, '10.0.0.2': () => LATER, '10.0.0.22': () => OK });
    const skip = await deliverDirect({ from: 'alice@a.test', recipients: ['bob@b.test'], message: Buffer.from('x\r\n'), heloName: 'mx2.b.test', selfNames: ['mx2.b.test'], dns: DNS, port: 2525, random: () => 0, send: smtp.send });
    // mx1 answers 4xx; mx2 is this MTA itself, so it is not tried (nor anything worse).
    expect(smtp.calls.map((call) => call.address)).toEqual(['10.0.0.1']);
    expect(skip[0]).toMatchObject({ ok: false, temporary: true });
    const loop = await deliverDirect({ from: 'alice@a.test', recipients: ['bob@b.test'], message: Buffer.from('x\r\n'), heloName: 'mx1.b.test', selfNames: ['mx1.b.test'], dns: DNS, port: 2525, random: () => 0, send: smtp.send });
    expect(smtp.calls).toHaveLength(1);
    expect(loop[0]).toMatchObject({ ok: false, temporary: false, enhanced: '5.4.6', text: expect.stringMatching(/would loop/) });
  });
});
