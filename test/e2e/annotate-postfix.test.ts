/**
 * `maillab annotate` beside a real Postfix: swaks and curl are refused by it
 * (a relay refusal, a STARTTLS whose certificate curl does not trust), and
 * the clients' logs and Postfix's own log are explained together.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostfix, type PostfixPeer } from '../helpers/postfix.js';
import { runMaillab } from '../helpers/maillab-cli.js';

const run = promisify(execFile);
let postfix: PostfixPeer;
let folder: string;
beforeAll(async () => {
  postfix = await startPostfix();
  folder = mkdtempSync(join(tmpdir(), 'maillab-annotate-postfix-'));
}, 60_000);
afterAll(async () => {
  await postfix?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** A tool's whole output (stdout and stderr, as `2>&1` would), whatever its exit status. */
async function output(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 30_000 });
    return stderr + stdout;
  } catch (error) {
    const failure = error as { stdout: string; stderr: string };
    return failure.stderr + failure.stdout;
  }
}

describe('annotate with a real Postfix', () => {
  it('explains the relay refusal from both sides: swaks\' 554 and Postfix\'s NOQUEUE reject', async () => {
    const swaks = await output('swaks', ['--server', `127.0.0.1:${postfix.port}`, '--from', 'someone@example.org', '--to', 'victim@example.net']);
    expect(swaks).toMatch(/^<\*\* +554 5\.7\.1 <victim@example\.net>: Relay access denied/m);
    const maillog = await postfix.waitForLog(/disconnect from localhost\[127\.0\.0\.1\] .*rcpt=0\/1/);
    writeFileSync(join(folder, 'swaks.log'), swaks);
    writeFileSync(join(folder, 'maillog'), maillog);
    const result = await runMaillab(['annotate', join(folder, 'swaks.log'), join(folder, 'maillog')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^S: 554 5\.7\.1 <victim@example\.net>: Relay access denied$/m);
    expect(result.stdout).toMatch(/^L: .* postfix\/smtpd\[\d+\]: NOQUEUE: reject: RCPT from localhost\[127\.0\.0\.1\]: 554 5\.7\.1 .*\n {3}= Relay access denied: Postfix refused the recipient victim@example\.net at the RCPT stage \(554 5\.7\.1\)/m);
    expect(result.stdout).toMatch(/= Session ended: .* refused or failed: RCPT 0 of 1/);
    // The server's why, right after the reply the client got.
    expect(result.stdout).toMatch(/^S: 554 5\.7\.1 <victim@example\.net>: Relay access denied\n(?: {3}= .*\n)* {3}the server's log \(.*maillog, line \d+\) says why: Relay access denied/m);
  });

  it('explains a STARTTLS that failed: curl does not trust the certificate, Postfix lost the connection after STARTTLS', async () => {
    const message = join(folder, 'message.eml');
    writeFileSync(message, 'Subject: x\r\n\r\nx\r\n');
    const curl = await output('curl', ['-v', `smtp://127.0.0.1:${postfix.port}`, '--ssl-reqd', '--mail-from', 'a@lab.test', '--mail-rcpt', 'b@lab.test', '-T', message]);
    expect(curl).toMatch(/^curl: \(60\) SSL certificate problem/m);
    const maillog = await postfix.waitForLog(/lost connection after STARTTLS from localhost\[127\.0\.0\.1\]/);
    writeFileSync(join(folder, 'curl.log'), curl);
    writeFileSync(join(folder, 'maillog'), maillog);
    const result = await runMaillab(['annotate', join(folder, 'curl.log'), join(folder, 'maillog')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('the server agreed to start TLS, but the log shows no completed handshake');
    expect(result.stdout).toMatch(/^ {3}curl said: \(60\) SSL certificate problem/m);
    expect(result.stdout).toMatch(/lost connection after STARTTLS from localhost\[127\.0\.0\.1\]\n {3}= Lost connection after STARTTLS: .*refused the server's certificate/);
    expect(result.stdout).toMatch(/TLS library problem: .*alert unknown ca/);
    expect(result.stdout).toMatch(/no completed handshake.*\n {3}the server's log \(.*maillog, line \d+\) says why: Lost connection after STARTTLS/);
  });
});
