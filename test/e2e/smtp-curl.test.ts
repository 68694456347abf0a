/**
 * The round trip every mail course teaches, with curl on both ends: send over
 * SMTP, fetch over POP3, and the bytes match (plus the trace headers).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { scaled } from '../helpers/time.js';

const run = promisify(execFile);
let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(() => lab.stop());

async function curl(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-s', '-S', ...args], { encoding: 'buffer', timeout: scaled(20_000) });
    return { code: 0, stdout, stderr: stderr.toString() };
  } catch (error) {
    const failure = error as { code: number; stdout: Buffer; stderr: Buffer };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr.toString() };
  }
}

describe('curl smtp:// then curl pop3://', () => {
  it('delivers a file to a local user and fetches the same bytes back', async () => {
    const body = 'From: curl <curl@example.org>\r\nTo: mrose@maillab.test\r\nSubject: round trip\r\n\r\nFirst line\r\n.starts with a dot\r\n..two dots\r\nlast line\r\n';
    const file = join(lab.dir, 'message.eml');
    writeFileSync(file, body);
    const sent = await curl([`smtp://127.0.0.1:${lab.smtpPort}`, '--mail-from', 'curl@example.org', '--mail-rcpt', 'mrose@maillab.test', '-T', file]);
    expect(sent.code).toBe(0);
    const list = await curl([`pop3://127.0.0.1:${lab.pop3Port}/`, '-u', 'mrose:tanstaaf']);
    expect(list.stdout.toString()).toMatch(/^1 \d+\r\n$/);
    const fetched = (await curl([`pop3://127.0.0.1:${lab.pop3Port}/1`, '-u', 'mrose:tanstaaf'])).stdout.toString('latin1');
    const [trace, rest] = [fetched.slice(0, fetched.indexOf('From: curl')), fetched.slice(fetched.indexOf('From: curl'))];
    expect(rest).toBe(body);
    expect(trace).toMatch(/^Return-Path: <curl@example\.org>\r\nReceived: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby maillab\.test with ESMTP id \w+\r\n\tfor <mrose@maillab\.test>;\r\n\t[^\r]+\r\n$/);
    const size = Number(list.stdout.toString().split(' ')[1]);
    expect(size).toBe(Buffer.byteLength(fetched, 'latin1'));
  });

  it('curl with --ssl-reqd uses STARTTLS and AUTH on the submission port', async () => {
    const file = join(lab.dir, 'tls.eml');
    writeFileSync(file, 'Subject: via submission\r\n\r\nsent with STARTTLS\r\n');
    const sent = await curl([`smtp://127.0.0.1:${lab.submissionPort}`, '--ssl-reqd', '-k', '-u', 'bob:builder', '--mail-from', 'bob@maillab.test', '--mail-rcpt', 'alice@maillab.test', '-T', file]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const listing = (await curl([`pop3://127.0.0.1:${lab.pop3Port}/`, '-u', 'alice:wonderland'])).stdout.toString();
    const last = listing.trim().split('\r\n').length;
    const fetched = (await curl([`pop3://127.0.0.1:${lab.pop3Port}/${last}`, '-u', 'alice:wonderland'])).stdout.toString();
    expect(fetched).toMatch(/with ESMTPSA id [\s\S]*Subject: via submission\r\n\r\nsent with STARTTLS\r\n$/);
  });

  it('curl is refused when relaying without authentication (exit 55)', async () => {
    const file = join(lab.dir, 'relay.eml');
    writeFileSync(file, 'Subject: relay\r\n\r\nx\r\n');
    const sent = await curl([`smtp://127.0.0.1:${lab.smtpPort}`, '--mail-from', 'a@example.org', '--mail-rcpt', 'victim@example.net', '-T', file]);
    expect(sent.code).toBe(55);
    expect(sent.stderr).toMatch(/RCPT failed: 550/);
  });
});
