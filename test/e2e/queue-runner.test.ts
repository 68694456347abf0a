/**
 * The lab's outbound queue, end to end: alice submits mail for other domains
 * to lab A (authenticated, with Python's smtplib); lab A's queue runner looks
 * up the MX records in a real DNS server (dns2 on 127.0.0.1) and delivers to
 * lab B on 127.0.0.2, retries a dead MX (127.0.0.3) on a tiny backoff
 * schedule, and returns bounces (RFC 3464) into alice's Maildir.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDns, type TestDnsServer } from '../helpers/dns-server.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runPython } from '../helpers/python.js';
import { scaled } from '../helpers/time.js';

let dns: TestDnsServer;
let labA: TestLab;
let labB: TestLab;
const log: string[] = [];

beforeAll(async () => {
  labB = await startTestLab({ host: '127.0.0.2', domains: ['remote.test'] });
  dns = await startTestDns({
    mx: {
      'remote.test': [{ exchange: 'mx.remote.test', priority: 10 }],
      'down.test': [{ exchange: 'mx.down.test', priority: 10 }],
    },
    a: { 'mx.remote.test': ['127.0.0.2'], 'mx.down.test': ['127.0.0.3'] },
  });
  labA = await startTestLab({
    runQueue: true,
    // The MX hosts live on loopback addresses: named, or the outbound policy would refuse to connect.
    outbound: { domains: ['remote.test', 'down.test'], addresses: ['127.0.0.2', '127.0.0.3'] },
    dnsServer: dns.address,
    mxPort: labB.smtpPort,
    queueRetryDelaysMs: [30, 30],
    onQueueLog: (text) => log.push(text),
  });
});

afterAll(async () => {
  await labA?.stop();
  await labB?.stop();
  await dns?.close();
});

/** Submits one message to lab A as alice, over STARTTLS + AUTH, like a mail program does. */
async function submit(to: string[], subject: string): Promise<void> {
  const refused = await runPython<Record<string, unknown>>(
    `
import json, os, smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', int(os.environ['PORT'])); s.starttls(context=ctx); s.login('alice', 'wonderland')
to = json.loads(os.environ['TO'])
msg = ('From: alice@maillab.test\\r\\nTo: %s\\r\\nSubject: %s\\r\\nMessage-ID: <%s@maillab.test>\\r\\n\\r\\nqueued body\\r\\n' % (', '.join(to), os.environ['SUBJECT'], os.environ['SUBJECT'])).encode()
refused = s.sendmail('alice@maillab.test', to, msg)
s.quit()
print(json.dumps(refused))`,
    { PORT: labA.submissionPort, TO: JSON.stringify(to), SUBJECT: subject },
  );
  expect(refused).toEqual({});
}

function maildir(lab: TestLab, user: string): string[] {
  const folder = join(lab.data.mailRoot, user, 'new');
  return readdirSync(folder).map((name) => readFileSync(join(folder, name), 'latin1'));
}

function queueEntries(lab: TestLab): string[] {
  try {
    return readdirSync(join(lab.data.root, 'queue')).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
}

/** Waits until `find` returns something (the runner works in the background); fails with what it saw after 15 s (scaled by MAILLAB_TEST_TIME_FACTOR). */
async function eventually<T>(find: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + scaled(15_000);
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; queue log:\n${log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the queue runner', () => {
  it('delivers authenticated mail for another domain to its MX host and empties the queue', async () => {
    await submit(['bob@remote.test'], 'to-remote');
    const delivered = await eventually(() => maildir(labB, 'bob').find((text) => text.includes('Subject: to-remote')), "bob's copy in lab B");
    // Lab A's Received line (authenticated submission), then lab B's (from lab A, which said EHLO maillab.test).
    expect(delivered).toMatch(/^Return-Path: <alice@maillab\.test>\r\n/);
    expect(delivered).toMatch(/Received: from maillab\.test .*\r?\n?.*by maillab\.test/);
    expect(delivered).toMatch(/with ESMTPSA/);
    expect(delivered).toContain('queued body');
    await eventually(() => (queueEntries(labA).length === 0 ? true : undefined), 'the queue to empty');
    expect(dns.queries).toContain('MX remote.test');
    expect(log.some((line) => /<bob@remote\.test> delivered via mx\.remote\.test \[127\.0\.0\.2\]/.test(line))).toBe(true);
  });

  it('a permanent refusal (unknown user) returns a bounce at once', async () => {
    await submit(['nobody@remote.test'], 'to-nobody');
    const bounce = await eventually(() => maildir(labA, 'alice').find((text) => text.includes('Final-Recipient: rfc822; nobody@remote.test')), 'the bounce for nobody@remote.test');
    expect(bounce).toMatch(/^Return-Path: <>\r\n/);
    expect(bounce).toContain('Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.remote.test\r\nDiagnostic-Code: smtp; 550 5.1.1 ');
    const parsed = await simpleParser(Buffer.from(bounce, 'latin1'));
    expect(parsed.from?.text).toMatch(/MAILER-DAEMON@maillab\.test/);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/report', params: { 'report-type': 'delivery-status' } });
    expect(parsed.inReplyTo).toBe('<to-nobody@maillab.test>');
    expect(log.filter((line) => line.includes('nobody@remote.test'))).toHaveLength(1);
  });

  it('a dead MX is retried on the backoff schedule; after the last try the sender gets a bounce', async () => {
    await submit(['x@down.test'], 'to-down');
    // The delay report after the first attempt (RFC 3461 §4.1: FAILURE,DELAY by default) names x@down.test too.
    const bounce = await eventually(() => maildir(labA, 'alice').find((text) => text.includes('Final-Recipient: rfc822; x@down.test\r\nAction: failed')), 'the bounce for x@down.test');
    expect(maildir(labA, 'alice').some((text) => text.includes('Final-Recipient: rfc822; x@down.test\r\nAction: delayed'))).toBe(true);
    expect(bounce).toContain('after 3 attempts');
    expect(bounce).toMatch(/Diagnostic-Code: X-maillab; cannot connect to mx\.down\.test \[127\.0\.0\.3\]:\d+: connection refused/);
    expect(bounce).toContain('Subject: to-down'); // the original's header section
    const attempts = log.filter((line) => /<x@down\.test> deferred/.test(line));
    expect(attempts).toHaveLength(3);
    expect(log.some((line) => /attempt 1 deferred 1 recipient/.test(line))).toBe(true);
    expect(log.some((line) => /attempt 2 deferred 1 recipient/.test(line))).toBe(true);
    await eventually(() => (queueEntries(labA).length === 0 ? true : undefined), 'the queue to empty');
  });
});
