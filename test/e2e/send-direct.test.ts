/**
 * Direct delivery for real: a DNS server (dns2) on 127.0.0.1 publishes MX
 * records of different preferences; the exchangers live on different loopback
 * addresses (the whole 127/8 is loopback on Linux) on one port, so that "the
 * host is down" is a real refused connection:
 *
 *   127.0.0.2  maillab lab B   (accepts pref.test, tempfail.test, reject.test, a-only.test)
 *   127.0.0.3  nothing listens (a dead MX)
 *   127.0.0.4  maillab lab C   (the least preferred backup for pref.test)
 *   127.0.0.5  smtp-server answering 451 to every RCPT
 *   127.0.0.6  smtp-server answering 550 to MAIL FROM
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDirect } from '../../core/send/direct-delivery.js';
import { nodeDns } from '../../core/send/mx.js';
import { startTestDns, type TestDnsServer } from '../helpers/dns-server.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { scaled } from '../helpers/time.js';

const BIN = resolve(__dirname, '../../bin/maillab');
const run = promisify(execFile);

let dns: TestDnsServer;
let labB: TestLab;
let labC: TestLab;
let port: number;
const peers: { server: SMTPServer; commands: string[] }[] = [];
let tempfail: { server: SMTPServer; commands: string[] };
let reject: { server: SMTPServer; commands: string[] };

/** An smtp-server on `host:port` that answers MAIL or RCPT with `code`. */
async function refusingPeer(host: string, listenPort: number, where: 'mail' | 'rcpt', code: number): Promise<{ server: SMTPServer; commands: string[] }> {
  const commands: string[] = [];
  const refuse = (text: string) => Object.assign(new Error(text), { responseCode: code });
  const server = new SMTPServer({
    disableReverseLookup: true,
    authOptional: true,
    hideSTARTTLS: true,
    logger: false,
    onMailFrom(address, _session, callback) {
      commands.push(`MAIL ${address.address}`);
      callback(where === 'mail' ? refuse('sender refused here') : null);
    },
    onRcptTo(address, _session, callback) {
      commands.push(`RCPT ${address.address}`);
      callback(where === 'rcpt' ? refuse('greylisted, try again later') : null);
    },
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(listenPort, host, () => done());
  });
  const peer = { server, commands };
  peers.push(peer);
  return peer;
}

beforeAll(async () => {
  labB = await startTestLab({ host: '127.0.0.2', domains: ['pref.test', 'tempfail.test', 'reject.test', 'a-only.test'] });
  port = labB.smtpPort;
  labC = await startTestLab({ host: '127.0.0.4', smtpPort: port, domains: ['pref.test'] });
  tempfail = await refusingPeer('127.0.0.5', port, 'rcpt', 451);
  reject = await refusingPeer('127.0.0.6', port, 'mail', 550);
  dns = await startTestDns({
    mx: {
      // Deliberately not in preference order.
      'pref.test': [
        { exchange: 'mx-c.test', priority: 30 },
        { exchange: 'mx-down.test', priority: 10 },
        { exchange: 'mx-b.test', priority: 20 },
      ],
      'tempfail.test': [
        { exchange: 'mx-b.test', priority: 20 },
        { exchange: 'mx-tempfail.test', priority: 10 },
      ],
      'reject.test': [
        { exchange: 'mx-reject.test', priority: 10 },
        { exchange: 'mx-b.test', priority: 20 },
      ],
      'null.test': [{ exchange: '', priority: 0 }],
    },
    a: {
      'mx-b.test': ['127.0.0.2'],
      'mx-down.test': ['127.0.0.3'],
      'mx-c.test': ['127.0.0.4'],
      'mx-tempfail.test': ['127.0.0.5'],
      'mx-reject.test': ['127.0.0.6'],
      'a-only.test': ['127.0.0.2'],
    },
  });
});

afterAll(async () => {
  await dns?.close();
  for (const peer of peers) await new Promise<void>((done) => peer.server.close(() => done()));
  await labB?.stop();
  await labC?.stop();
});

/** The messages in a lab user's Maildir, as text. */
function maildir(lab: TestLab, user: string): string[] {
  const folder = join(lab.data.mailRoot, user, 'new');
  try {
    return readdirSync(folder).map((name) => readFileSync(join(folder, name), 'latin1'));
  } catch {
    return [];
  }
}

function message(marker: string): Buffer {
  return Buffer.from(`From: alice@sender.test\r\nTo: someone\r\nSubject: ${marker}\r\n\r\nbody of ${marker}\r\n`);
}

async function deliver(recipients: string[], marker: string) {
  const attempts: string[] = [];
  const results = await deliverDirect({
    from: 'alice@sender.test',
    recipients,
    message: message(marker),
    heloName: 'sender.test',
    dns: nodeDns({ server: dns.address }),
    port,
    random: () => 0,
    observe: ({ host, address }) => {
      attempts.push(`${host} ${address}`);
      return undefined;
    },
  });
  return { results, attempts };
}

describe('direct delivery through real DNS and real SMTP servers', () => {
  it('tries MX hosts by preference, skips the one that is down, stops at the first that accepts', async () => {
    const { results, attempts } = await deliver(['bob@pref.test'], 'preference-order');
    expect(attempts).toEqual(['mx-down.test 127.0.0.3', 'mx-b.test 127.0.0.2']);
    expect(results).toEqual([expect.objectContaining({ address: 'bob@pref.test', ok: true, code: 250, host: `mx-b.test [127.0.0.2]:${port}` })]);
    expect(dns.queries).toContain('MX pref.test');
    expect(maildir(labB, 'bob').some((text) => text.includes('Subject: preference-order'))).toBe(true);
    expect(maildir(labC, 'bob').some((text) => text.includes('Subject: preference-order'))).toBe(false);
  });

  it('a 4xx from the preferred host moves the recipient to the next host', async () => {
    const { results, attempts } = await deliver(['bob@tempfail.test'], 'after-greylisting');
    expect(attempts).toEqual(['mx-tempfail.test 127.0.0.5', 'mx-b.test 127.0.0.2']);
    expect(tempfail.commands).toContain('RCPT bob@tempfail.test');
    expect(results[0]).toMatchObject({ ok: true, host: `mx-b.test [127.0.0.2]:${port}` });
    expect(maildir(labB, 'bob').some((text) => text.includes('Subject: after-greylisting'))).toBe(true);
  });

  it('a 5xx is final: the backup host is never asked', async () => {
    const { results, attempts } = await deliver(['bob@reject.test'], 'refused-for-good');
    expect(attempts).toEqual(['mx-reject.test 127.0.0.6']);
    expect(reject.commands).toContain('MAIL alice@sender.test');
    expect(results[0]).toMatchObject({ ok: false, code: 550, temporary: false, stage: 'mail', host: `mx-reject.test [127.0.0.6]:${port}` });
    expect(maildir(labB, 'bob').some((text) => text.includes('Subject: refused-for-good'))).toBe(false);
  });

  it('a domain without MX records gets its mail at its A record (implicit MX, RFC 5321 §5.1)', async () => {
    const { results, attempts } = await deliver(['mrose@a-only.test'], 'implicit-mx');
    expect(dns.queries).toEqual(expect.arrayContaining(['MX a-only.test', 'A a-only.test']));
    expect(attempts).toEqual(['a-only.test 127.0.0.2']);
    expect(results[0]).toMatchObject({ ok: true, host: `a-only.test [127.0.0.2]:${port}` });
    expect(maildir(labB, 'mrose').some((text) => text.includes('Subject: implicit-mx'))).toBe(true);
  });

  it('reports each recipient on its own: accepted, unknown user, null MX, no such domain', async () => {
    const { results } = await deliver(['bob@pref.test', 'nobody@pref.test', 'x@null.test', 'y@no-such-domain.test'], 'mixed');
    expect(results.map((r) => [r.address, r.ok, r.code, r.enhanced ?? null, r.temporary])).toEqual([
      ['bob@pref.test', true, 250, '2.0.0', false],
      ['nobody@pref.test', false, 550, '5.1.1', false],
      ['x@null.test', false, 556, '5.1.10', false],
      ['y@no-such-domain.test', false, 0, '5.1.2', false],
    ]);
    expect(results[3]!.text).toMatch(/does not exist/);
  });
});

async function maillab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { timeout: scaled(20_000) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('maillab send --direct', () => {
  it('prints the exchange with --transcript and one line per recipient; exit 24 (swaks\' number) when one was refused at RCPT', async () => {
    const result = await maillab([
      'send', '--direct', '--dns', dns.address, '--mx-port', String(port), '--helo', 'sender.test',
      '--from', 'alice@sender.test', '--to', 'bob@pref.test', '--to', 'nobody@pref.test',
      '--subject', 'from the command line', '--body', 'hello over MX', '--transcript',
    ]);
    expect(result.code).toBe(24);
    const lines = result.stdout.split('\n');
    const down = lines.findIndex((line) => line === `-- connecting to mx-down.test [127.0.0.3]:${port}`);
    const up = lines.findIndex((line) => line === `-- connecting to mx-b.test [127.0.0.2]:${port}`);
    expect(down).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(down);
    expect(lines[down + 1]).toMatch(/connection refused/);
    expect(result.stdout).toContain('C: EHLO sender.test');
    expect(result.stdout).toContain('C: STARTTLS');
    expect(result.stdout).toMatch(/^ {3}TLS TLSv1\.[23] /m);
    expect(result.stdout).toContain('C: RCPT TO:<nobody@pref.test>');
    expect(result.stdout).toMatch(new RegExp(`^bob@pref\\.test: accepted by mx-b\\.test \\[127\\.0\\.0\\.2\\]:${port}: 250 2\\.0\\.0 `, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^nobody@pref\\.test: rejected by mx-b\\.test \\[127\\.0\\.0\\.2\\]:${port}: 550 5\\.1\\.1 `, 'm'));
    expect(result.stderr).toBe('maillab: 1 of 2 recipients were not accepted (exit status 24: a recipient was refused at RCPT TO)\n');
    expect(maildir(labB, 'bob').some((text) => text.includes('Subject: from the command line'))).toBe(true);
  });

  it('exit 0 when every recipient was accepted', async () => {
    const result = await maillab(['send', '--direct', '--dns', dns.address, '--mx-port', String(port), '--from', 'alice@sender.test', '--to', 'bob@tempfail.test', '--body', 'ok']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^bob@tempfail\.test: accepted by mx-b\.test /m);
  });

  it('a DNS server that does not answer: one error line, exit 2 (could not connect)', async () => {
    const closed = createSocket('udp4');
    await new Promise<void>((done) => closed.bind(0, '127.0.0.1', () => done()));
    const deadPort = closed.address().port;
    await new Promise<void>((done) => closed.close(() => done()));
    const result = await maillab(['send', '--direct', '--dns', `127.0.0.1:${deadPort}`, '--from', 'alice@sender.test', '--to', 'bob@pref.test', '--body', 'x']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^maillab: DNS look-up of the MX records of pref\.test failed \(E[A-Z]+\)\n$/);
  });
});
