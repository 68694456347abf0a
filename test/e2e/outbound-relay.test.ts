/**
 * The lab is no relay for its published demo logins (issue 19 item 1): with
 * outbound delivery off (the default) submission refuses every recipient in
 * another domain with 550 5.7.1 and a specific reason; with it on, address
 * literals not named and names that resolve to private, loopback or metadata
 * addresses are never connected to. The queue runner's SMTP transaction is
 * replaced by a recorder, so "no connection attempted" is observed directly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SmtpClientOptions } from '../../core/send/smtp-client.js';
import type { RecipientResult } from '../../core/send/smtp-dialogue.js';
import { startTestDns, type TestDnsServer } from '../helpers/dns-server.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { BIN, runMaillab } from '../helpers/maillab-cli.js';
import { runPython } from '../helpers/python.js';
import { scaled } from '../helpers/time.js';

const ATTEMPTS = ['root@[169.254.169.254]', 'root@[127.0.0.1]', 'x@[10.0.0.5]', 'victim@victim.example'];

let lab: TestLab | undefined;
let dns: TestDnsServer | undefined;
afterEach(async () => {
  await lab?.stop();
  await dns?.close();
  lab = undefined;
  dns = undefined;
});

/** Every connection the queue runner would have opened: host, address, port. */
function recorder(): { connections: string[]; send: (options: SmtpClientOptions) => Promise<RecipientResult[]> } {
  const connections: string[] = [];
  return {
    connections,
    send: async (options) => {
      connections.push(`${options.host} [${options.address}]:${options.port}`);
      return options.recipients.map((address) => ({ address, ok: true, code: 250, text: 'recorded', host: options.host, temporary: false, stage: 'data' as const }));
    },
  };
}

/** As alice (a demo login), over STARTTLS: MAIL, then RCPT for each address; the reply to each. */
async function rcptAll(port: number, recipients: readonly string[]): Promise<{ rcpt: [number, string][]; data: [number, string] | null }> {
  return runPython(
    `
import json, os, smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', int(os.environ['PORT'])); s.starttls(context=ctx); s.login('alice', 'wonderland')
s.mail('alice@maillab.test')
rcpt = [[c, m.decode()] for c, m in (s.rcpt(r) for r in json.loads(os.environ['TO']))]
data = None
if any(c == 250 for c, _ in rcpt):
    c, m = s.data(b'Subject: outward\\r\\n\\r\\nhello\\r\\n'); data = [c, m.decode()]
s.quit()
print(json.dumps({'rcpt': rcpt, 'data': data}))`,
    { PORT: port, TO: JSON.stringify(recipients) },
  );
}

function queueFiles(target: TestLab): string[] {
  try {
    return readdirSync(join(target.data.root, 'queue')).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
}

async function eventually<T>(find: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + scaled(15_000);
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('outbound delivery', () => {
  it('is off by default: a demo login relays nowhere, each refusal 550 5.7.1 with its reason, and nothing is queued or connected to', async () => {
    const transport = recorder();
    lab = await startTestLab({ runQueue: true, outboundTransport: transport.send });
    const result = await rcptAll(lab.submissionPort, [...ATTEMPTS, 'bob@maillab.test']);
    for (const [code, text] of result.rcpt.slice(0, ATTEMPTS.length)) {
      expect(code).toBe(550);
      expect(text).toMatch(/^5\.7\.1 Relay access denied: <.+>: this lab delivers no mail to other domains \(outbound delivery is off\)$/);
    }
    // The local recipient still works, and the refusals did not count as bad commands.
    expect(result.rcpt.at(-1)?.[0]).toBe(250);
    expect(result.data?.[0]).toBe(250);
    expect(queueFiles(lab)).toEqual([]);
    expect(transport.connections).toEqual([]);
  });

  it('when on, address literals not named are refused at RCPT and names resolving to special addresses are never connected to', async () => {
    dns = await startTestDns({
      mx: { 'victim.example': [{ exchange: 'mx.victim.example', priority: 10 }], 'public.example': [{ exchange: 'mx.public.example', priority: 10 }] },
      a: { 'mx.victim.example': ['169.254.169.254', '10.0.0.5', '127.0.0.1'], 'mx.public.example': ['93.184.216.34'] },
    });
    const transport = recorder();
    const log: string[] = [];
    lab = await startTestLab({ runQueue: true, outbound: { domains: ['*'], addresses: [] }, dnsServer: dns.address, outboundTransport: transport.send, onQueueLog: (text) => log.push(text) });
    const result = await rcptAll(lab.submissionPort, [...ATTEMPTS, 'someone@public.example']);
    expect(result.rcpt.slice(0, 3).map(([code]) => code)).toEqual([550, 550, 550]);
    for (const [, text] of result.rcpt.slice(0, 3)) expect(text).toMatch(/^5\.7\.1 Relay access denied: <.+>: address literal \[[\d.]+\] is not an allowed destination of this lab$/);
    expect(result.rcpt.slice(3).map(([code]) => code)).toEqual([250, 250]);
    expect(result.data?.[0]).toBe(250);
    // victim.example's MX resolves only to metadata, private and loopback addresses: none is connected to, and alice gets a bounce.
    const bounce = await eventually(() => {
      const folder = join(lab!.data.mailRoot, 'alice', 'new');
      return readdirSync(folder).map((name) => readFileSync(join(folder, name), 'latin1')).find((text) => text.includes('Final-Recipient: rfc822; victim@victim.example'));
    }, 'the bounce for victim@victim.example');
    expect(bounce).toContain('Status: 5.7.1');
    expect(bounce).toMatch(/is a (link-local \(cloud metadata\)|private|loopback) address, not allowed for outbound delivery/);
    expect(transport.connections).toEqual([`mx.public.example [93.184.216.34]:${DEFAULT_MX_PORT}`]);
  });

  it('an address named by the operator may be reached (the lab DNS teaching set-up)', async () => {
    const transport = recorder();
    lab = await startTestLab({ runQueue: true, outbound: { domains: [], addresses: ['127.0.0.2'] }, outboundTransport: transport.send });
    const result = await rcptAll(lab.submissionPort, ['bob@[127.0.0.2]', 'bob@[127.0.0.3]']);
    expect(result.rcpt.map(([code]) => code)).toEqual([250, 550]);
    await eventually(() => (transport.connections.length > 0 ? true : undefined), 'the delivery attempt');
    expect(transport.connections).toEqual([`127.0.0.2 [127.0.0.2]:${DEFAULT_MX_PORT}`]);
  });
});

const DEFAULT_MX_PORT = 25;

describe('serve says what goes out', () => {
  /** Starts `maillab serve` with `args` on free ports and returns what it printed up to "maillab is running". */
  async function banner(args: string[]): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'maillab-outbound-'));
    const child = spawn(BIN, ['serve', '--data', join(dir, 'data'), '--pop3-port', 'off', '--pop3s-port', 'off', '--smtp-port', '0', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', 'off', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      for (const started = Date.now(); !output.includes('maillab is running'); ) {
        if (Date.now() - started > scaled(20_000)) throw new Error(`serve did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return output;
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('off by default, and said so at start', async () => {
    expect(await banner([])).toMatch(/^outbound delivery: off — mail for other domains is refused at RCPT \(turn it on with --deliver-outbound\)$/m);
  });

  it('with --deliver-outbound, the domains and the named addresses', async () => {
    expect(await banner(['--deliver-outbound', 'example.org,127.0.0.2'])).toMatch(/^outbound delivery: on, for authenticated users, to example\.org; special or literal addresses allowed: 127\.0\.0\.2$/m);
  });

  it('a list entry that is none of domain, address or range is a one-line error', async () => {
    const result = await runMaillab(['serve', '--data', '/nonexistent-never-created', '--deliver-outbound', 'exa mple', '--web-port', 'off']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('maillab: --deliver-outbound: "exa mple" is not a domain, "*", an IP address or an address range like 10.0.0.0/8');
  });
});
