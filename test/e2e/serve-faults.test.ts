/**
 * Fault rules on a real lab: real sockets and a real Maildir, seen by a client
 * maillab did not write (Python's smtplib) and by a raw TCP client; and
 * `maillab serve --fault` as a user meets it, bad rules included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../core/faults/fault-rule.js';
import { parseFaultRule } from '../../core/faults/parse-fault.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { BIN, runMaillab } from '../helpers/maillab-cli.js';
import { runPython } from '../helpers/python.js';
import { rawConnect } from '../helpers/raw-client.js';

function rule(text: string): FaultRule {
  const parsed = parseFaultRule(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.rule;
}

const PORTS_FREE = ['--pop3-port', '0', '--pop3s-port', '0', '--smtp-port', '0', '--submission-port', '0', '--smtps-port', '0', '--web-port', '0'];

describe('a lab with fault rules', () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startTestLab({ faults: [rule('RCPT -> "450 4.2.1 Mailbox busy" after 1'), rule('pop3:RETR -> drop')] });
  });
  afterAll(() => lab.stop());

  const maildirCount = (user: string) => ['new', 'cur'].reduce((total, sub) => total + readdirSync(join(lab.data.mailRoot, user, sub)).length, 0);
  const faultsOn = (listener: string) =>
    lab.events.filter(({ listener: name, event }) => name === listener && event.kind === 'annotation' && event.key === 'lab.fault.applied');

  it('smtplib: the second RCPT of a session gets 450, the message goes to the first; a new session counts afresh', async () => {
    const result = await runPython<{ first: Record<string, [number, string]>; second: Record<string, [number, string]> }>(
      `
import json, os, smtplib
def send(recipients):
    s = smtplib.SMTP('127.0.0.1', int(os.environ['MTA'])); s.ehlo('client.example')
    refused = s.sendmail('carol@example.org', recipients, b'Subject: faults\\r\\n\\r\\nhello\\r\\n')
    s.quit()
    return {rcpt: [code, text.decode()] for rcpt, (code, text) in refused.items()}
first = send(['mrose@maillab.test', 'bob@maillab.test'])
second = send(['bob@maillab.test'])
print(json.dumps({'first': first, 'second': second}))`,
      { MTA: lab.smtpPort },
    );
    expect(result.first).toEqual({ 'bob@maillab.test': [450, '4.2.1 Mailbox busy'] });
    expect(result.second).toEqual({});
    expect(maildirCount('mrose')).toBe(1);
    expect(maildirCount('bob')).toBe(1);
    expect(faultsOn('smtp').map(({ event }) => (event.kind === 'annotation' ? event.detail : ''))).toEqual(['RCPT -> "450 4.2.1 Mailbox busy" after 1']);
  });

  it('POP3 RETR -> drop: the connection closes with not one byte more, and nothing marked deleted is removed', async () => {
    // Replies are awaited by counting lines, so the test does not depend on reply wording.
    const client = await rawConnect(lab.pop3Port);
    const lines = async (count: number) => (await client.waitFor(new RegExp(`^(?:[^\\n]*\\n){${count}}$`))).split('\r\n');
    await lines(1);
    for (const [index, command] of ['USER alice', 'PASS wonderland', 'STAT', 'DELE 1'].entries()) {
      client.send(`${command}\r\n`);
      const received = await lines(index + 2);
      expect(received.at(-2), command).toMatch(command === 'STAT' ? /^\+OK 4 \d+$/ : /^\+OK/);
    }
    const before = client.received;
    client.send('RETR 2\r\n');
    await client.closed;
    expect(client.received).toBe(before);

    const again = await rawConnect(lab.pop3Port);
    again.send('USER alice\r\nPASS wonderland\r\nSTAT\r\nQUIT\r\n');
    await again.closed;
    expect(again.received.split('\r\n').slice(0, -1)).toEqual([expect.stringMatching(/^\+OK/), expect.stringMatching(/^\+OK/), expect.stringMatching(/^\+OK/), expect.stringMatching(/^\+OK 4 \d+$/), expect.stringMatching(/^\+OK/)]);
    expect(faultsOn('pop3')).toHaveLength(1);
    const closing = lab.events.find(({ listener, event }) => listener === 'pop3' && event.kind === 'transition' && event.to === 'CLOSED');
    expect(closing?.event).toMatchObject({ from: 'TRANSACTION', to: 'CLOSED', rfc: 'RFC 1939 §6' });
  });
});

describe('maillab serve --fault', () => {
  const folders: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const dataFolder = () => {
    const folder = mkdtempSync(join(tmpdir(), 'maillab-faults-'));
    folders.push(folder);
    return join(folder, 'data');
  };

  it('a malformed rule: one line naming the rule and the reason, exit 1, nothing started', async () => {
    const data = dataFolder();
    const result = await runMaillab(['serve', '--data', data, ...PORTS_FREE, '--fault', 'RCPT -> drop', '--fault', 'RCPT -> "hello"']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('maillab: --fault "RCPT -> "hello"": an SMTP reply (for RCPT) must start with a three-digit code (RFC 5321 §4.2), not "hello"\n');
    expect(result.stdout).toBe('');
    expect(existsSync(data)).toBe(false);

    const wrongProtocol = await runMaillab(['serve', '--data', data, ...PORTS_FREE, '--fault', 'pop3:RCPT -> drop after 2']);
    expect(wrongProtocol.code).toBe(1);
    expect(wrongProtocol.stderr).toBe('maillab: --fault "pop3:RCPT -> drop after 2": RCPT is not a POP3 command (it is an SMTP command)\n');
  });

  it('--help shows the syntax with examples', async () => {
    const result = await runMaillab(['serve', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--fault <rule>');
    expect(result.stdout).toContain('[pop3:|smtp:]COMMAND -> "REPLY" | drop | delay MS   [after N] [probability P]');
    const examples = result.stdout.split('\n').filter((line) => line.trim().startsWith('maillab serve --fault'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      for (const text of example.matchAll(/--fault '([^']+)'/g)) expect(parseFaultRule(text[1]!).ok, text[1]).toBe(true);
    }
  });

  it('a good rule is listed at start-up and applied to every session', async () => {
    const child = spawn(BIN, ['serve', '--data', dataFolder(), ...PORTS_FREE, '--fault', 'smtp:noop -> "421 4.3.2 scripted shutdown"'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => {
        if (output.includes('maillab is running')) resolve();
      });
      child.once('exit', () => reject(new Error(`serve exited early:\n${output}`)));
    });
    expect(output).toContain('fault rule, in every session: smtp:NOOP -> "421 4.3.2 scripted shutdown"\n');
    const port = Number(/^ready: smtp:\/\/127\.0\.0\.1:(\d+) — SMTP for/m.exec(output)?.[1]);
    for (const _session of [1, 2]) {
      const client = await rawConnect(port);
      await client.waitFor(/^220 .*\r\n/);
      client.send('NOOP\r\n');
      await client.closed;
      expect(client.received).toMatch(/^220 [^\r]*\r\n421 4\.3\.2 scripted shutdown\r\n$/);
    }
  });
});
