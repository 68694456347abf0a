/**
 * `maillab annotate` on real logs written by tools maillab did not write:
 * swaks talking to the lab's SMTP server, curl -v talking to its POP3 server,
 * and an RFC-style transcript saved by `maillab connect`.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runMaillab } from '../helpers/maillab-cli.js';
import { scaled } from '../helpers/time.js';

const run = promisify(execFile);
let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(() => lab.stop());

const transitions = (list: WireEvent[]) => list.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from}->${e.to}` : ''));

async function output(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: scaled(30_000) });
    return stdout + stderr;
  } catch (error) {
    const failure = error as { stdout: string; stderr: string };
    return failure.stdout + failure.stderr;
  }
}

describe('maillab annotate', () => {
  it('explains a swaks session, STARTTLS and AUTH included, with secrets masked', async () => {
    const log = await output('swaks', ['--server', `127.0.0.1:${lab.submissionPort}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'bob', '--auth-password', 'builder', '--from', 'bob@maillab.test', '--to', 'alice@maillab.test', '--header', 'Subject: swaks test']);
    expect(log).toMatch(/^<~ +250 2\.0\.0 OK, message/m);
    const file = join(lab.dir, 'swaks.log');
    writeFileSync(file, log);
    const json = await runMaillab(['annotate', file, '--json']);
    expect(json.code).toBe(0);
    const list = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as WireEvent);
    expect(transitions(list)).toEqual(['INIT->READY', 'READY->INIT', 'INIT->READY', 'READY->MAIL', 'MAIL->RCPT', 'RCPT->DATA', 'DATA->READY', 'READY->CLOSED']);
    expect(list.some((e) => e.kind === 'annotation' && e.key === 'smtp.auth.authenticated')).toBe(true);
    expect(json.stdout).not.toContain(Buffer.from('\0bob\0builder').toString('base64'));
    const text = await runMaillab(['annotate', file]);
    expect(text.stdout).toMatch(/^ {3}\d+ lines of a SMTP session, read as swaks output$/m);
    expect(text.stdout).toMatch(/^S: 354 /m);
  });

  it('explains curl -v output of a POP3 session', async () => {
    const log = await output('curl', ['-v', '-s', `pop3://127.0.0.1:${lab.pop3Port}/1`, '-u', 'alice:wonderland', '-o', '/dev/null']);
    const file = join(lab.dir, 'curl.log');
    writeFileSync(file, log);
    const result = await runMaillab(['annotate', file, '--json']);
    expect(result.code).toBe(0);
    const list = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as WireEvent);
    expect(transitions(list)).toContain('AUTHORIZATION->TRANSACTION');
    expect(list.some((e) => e.kind === 'annotation' && e.key === 'pop3.command.RETR')).toBe(true);
  });

  it('follows curl -v smtp://… -T message.eml to the end, the message logged as "[N bytes data]", without false warnings (issue 9)', async () => {
    const message = join(lab.dir, 'message.eml');
    writeFileSync(message, 'From: alice@maillab.test\r\nTo: bob@maillab.test\r\nSubject: curl\r\n\r\nHello.\r\n.a dot\r\n');
    const log = await output('curl', ['-v', '-s', `smtp://127.0.0.1:${lab.smtpPort}`, '--mail-from', 'alice@maillab.test', '--mail-rcpt', 'bob@maillab.test', '-T', message]);
    expect(log).toMatch(/^\} \[\d+ bytes data\]$/m);
    const file = join(lab.dir, 'curl-smtp.log');
    writeFileSync(file, log);
    const json = await runMaillab(['annotate', file, '--json']);
    expect(json.code).toBe(0);
    const list = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as WireEvent);
    expect(transitions(list)).toEqual(['INIT->READY', 'READY->MAIL', 'MAIL->RCPT', 'RCPT->DATA', 'DATA->READY']);
    expect(list.filter((e) => e.kind === 'annotation' && e.about === 'warning')).toEqual([]);
    const text = await runMaillab(['annotate', file]);
    expect(text.stdout).not.toContain('WARNING');
    expect(text.stdout).toMatch(/curl logged the message it sent as "\[\d+ bytes data\]"/);
    expect(text.stdout).toMatch(/^S: 250 2\.0\.0 OK, message \S+ accepted\n {3}= 2\.0\.0/m);
    // --annotations off: the wire, and what maillab itself says about the log.
    const wire = await runMaillab(['annotate', file, '--annotations', 'off']);
    expect(wire.stdout.split('\n').filter((line) => /^ {3}[=+]|^ {3}state /.test(line))).toEqual([]);
    expect(wire.stdout).toMatch(/^C: DATA$/m);
  });

  it('explains a transcript saved by maillab connect, read from stdin', async () => {
    const save = join(lab.dir, 'saved.txt');
    await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`, '--save', save], 'EHLO x\nMAIL FROM:<a@example.org>\nRCPT TO:<nobody@maillab.test>\nQUIT\n');
    const { readFileSync } = await import('node:fs');
    const result = await runMaillab(['annotate', '-'], readFileSync(save, 'utf8'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/read as rfc output/);
    expect(result.stdout).toMatch(/^S: 550 5\.1\.1 no such user here/m);
    expect(result.stdout).toMatch(/= 550 /);
  });

  it('puts a client\'s log and the server\'s side by side: swaks refused by Postfix, then Postfix\'s own lines (captured from real runs)', async () => {
    const fixtures = join(import.meta.dirname, '..', 'fixtures', 'logs');
    const result = await runMaillab(['annotate', join(fixtures, 'postfix-swaks-relay.log'), join(fixtures, 'postfix-maillog.log')]);
    expect(result.code).toBe(0);
    const client = result.stdout.indexOf('read as swaks output');
    const server = result.stdout.indexOf("lines of a mail server's log (Postfix/Dovecot)");
    expect(client).toBeGreaterThan(-1);
    expect(server).toBeGreaterThan(client);
    expect(result.stdout).toMatch(/^S: 554 5\.7\.1 <victim@example\.net>: Relay access denied$/m);
    expect(result.stdout).toMatch(/^L: .*NOQUEUE: reject: RCPT from localhost\[127\.0\.0\.1\]: 554 5\.7\.1 .*\n {3}= Relay access denied: Postfix refused the recipient victim@example\.net at the RCPT stage/m);
    expect(result.stdout).toMatch(/^ {3}\? check: .*STARTTLS, then AUTH/m);
    const json = await runMaillab(['annotate', '--json', join(fixtures, 'dovecot.log')]);
    const first = JSON.parse(json.stdout.split('\n').find((line) => line.includes('Password mismatch'))!) as { kind: string; explanation: { key: string } };
    expect(first).toMatchObject({ kind: 'server-log', explanation: { key: 'dovecot.password-mismatch' } });
    const help = await runMaillab(['annotate', '--help']);
    expect(help.stdout).toMatch(/maillog +Postfix \(syslog or maillog_file\) and Dovecot/);
  });

  it('says what is wrong with an unreadable or unrecognisable file', async () => {
    const missing = await runMaillab(['annotate', join(lab.dir, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`maillab: cannot read ${join(lab.dir, 'nope.log')}: no such file\n`);
    const junk = join(lab.dir, 'junk.txt');
    writeFileSync(junk, 'nothing here\n');
    const unknown = await runMaillab(['annotate', junk]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^maillab: .*junk\.txt: no session lines found/);
  });
});
