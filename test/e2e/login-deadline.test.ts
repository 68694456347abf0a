/**
 * Reaching a login is bounded (issue 19 item 8): a fixed deadline from
 * connecting, which a NOOP now and then does not push back (Dovecot: 3
 * minutes); a cap on commands before the login; an idle limit of 0 that turns
 * the autologout off but never the pre-login limit; and `serve
 * --idle-timeout` governing SMTP too. The deadlines are configured small here
 * so nothing waits minutes; each test waits on the server closing, not on a clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { BIN } from '../helpers/maillab-cli.js';
import { rawConnect, type RawClient } from '../helpers/raw-client.js';
import { quietFor, scaled } from '../helpers/time.js';

let lab: TestLab | undefined;
let clients: RawClient[] = [];
let child: ChildProcess | undefined;
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  child?.kill('SIGTERM');
  child = undefined;
  await lab?.stop();
  lab = undefined;
});

async function connect(port: number): Promise<RawClient> {
  const client = await rawConnect(port);
  clients.push(client);
  await client.waitFor('\r\n');
  return client;
}

/** Sends a NOOP every 50 ms until the server closes; how many went out. */
async function keepBusyUntilClosed(client: RawClient): Promise<number> {
  let sent = 0;
  let open = true;
  void client.closed.then(() => (open = false));
  const deadline = Date.now() + scaled(10_000);
  while (open && Date.now() < deadline) {
    client.send('NOOP\r\n');
    sent++;
    await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  if (open) throw new Error(`still open after 10 s of NOOPs; received:\n${client.received}`);
  return sent;
}

describe('the fixed login deadline', () => {
  it('POP3: a session that keeps sending NOOP but never logs in is closed at the deadline', async () => {
    lab = await startTestLab({ loginDeadlineMs: 400, preAuthTimeoutMs: 60_000, maxCommandsBeforeLogin: 10_000 });
    const client = await connect(lab.pop3Port);
    const sent = await keepBusyUntilClosed(client);
    expect(sent).toBeGreaterThan(1);
    expect(client.received).toMatch(/-ERR no login within the time allowed, closing connection\r\n$/);
    expect(lab.events.some(({ event }) => event.kind === 'error' && event.code === 'LOGIN_DEADLINE')).toBe(true);
  });

  it('SMTP submission: the same, with 421 4.4.2', async () => {
    lab = await startTestLab({ loginDeadlineMs: 400, preAuthTimeoutMs: 60_000, maxCommandsBeforeLogin: 10_000 });
    const client = await connect(lab.submissionPort);
    client.send('EHLO client.example\r\n');
    await client.waitFor(/250 [^\r\n]*\r\n/);
    await keepBusyUntilClosed(client);
    expect(client.received).toMatch(/421 4\.4\.2 maillab\.test no login within the time allowed, closing connection\r\n$/);
  });

  it('a logged-in session is not touched by it', async () => {
    // The login must come well inside the deadline however busy the machine is; the NOOPs then outlast it.
    const deadlineMs = scaled(1000);
    lab = await startTestLab({ loginDeadlineMs: deadlineMs, preAuthTimeoutMs: 60_000 });
    const client = await connect(lab.pop3Port);
    client.send('USER alice\r\nPASS wonderland\r\n');
    await client.waitFor(/\+OK alice's maildrop/);
    // Well past the deadline, measured by the server's own answers rather than a sleep.
    for (let i = 0; i < 20; i++) {
      client.send('NOOP\r\n');
      await client.waitFor(new RegExp(`(\\+OK[^\\r]*\\r\\n[^]*){${i + 3}}`));
      await quietFor(deadlineMs / 10);
    }
    client.send('QUIT\r\n');
    await client.closed;
    expect(client.received).not.toMatch(/no login within/);
  });
});

describe('the cap on commands before a login', () => {
  it('POP3: the command past the cap ends the session, good commands included', async () => {
    lab = await startTestLab({ maxCommandsBeforeLogin: 5 });
    const client = await connect(lab.pop3Port);
    client.send('NOOP\r\nCAPA\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n');
    await client.closed;
    expect(client.received).toMatch(/-ERR 5 commands without logging in, closing connection\r\n$/);
  });

  it('SMTP: refused with 421 4.7.0', async () => {
    lab = await startTestLab({ maxCommandsBeforeLogin: 3 });
    const client = await connect(lab.submissionPort);
    client.send('EHLO a\r\nNOOP\r\nNOOP\r\nNOOP\r\n');
    await client.closed;
    expect(client.received).toMatch(/421 4\.7\.0 maillab\.test 3 commands without logging in, closing connection\r\n$/);
  });
});

describe('idle limits', () => {
  it('an idle limit of 0 does not switch off the pre-login limit', async () => {
    lab = await startTestLab({ idleTimeoutMs: 0, smtpTimeoutMs: 0, preAuthTimeoutMs: 300, loginDeadlineMs: 0 });
    const client = await connect(lab.pop3Port);
    await client.closed;
    expect(client.received).toMatch(/-ERR idle for too long, closing connection\r\n$/);
  });

  it('serve --idle-timeout applies to SMTP as well as POP3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maillab-idle-'));
    try {
      child = spawn(BIN, ['serve', '--data', join(dir, 'data'), '--idle-timeout', '1', '--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', '0', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const started = Date.now();
      while (!/maillab is running/.test(output)) {
        if (Date.now() - started > scaled(20_000)) throw new Error(`serve did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const smtpPort = Number(/^ready: smtp:\/\/127\.0\.0\.1:(\d+)/m.exec(output)?.[1]);
      const client = await connect(smtpPort);
      client.send('EHLO client.example\r\n');
      await client.waitFor(/250 [^\r\n]*\r\n/);
      // Past EHLO on the MTA port the session is "logged in": only the idle limit can end it now.
      await client.closed;
      expect(client.received).toMatch(/421 4\.4\.2 maillab\.test timeout exceeded, closing connection\r\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
