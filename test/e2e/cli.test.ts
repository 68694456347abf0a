/**
 * The command line as a user meets it: the compiled bin/maillab in a child
 * process, real ports, real signals.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { rawConnect } from '../helpers/raw-client.js';
import { scaled } from '../helpers/time.js';

const BIN = resolve(__dirname, '../../bin/maillab');
const run = promisify(execFile);
const ALL_PORTS_FREE = ['--pop3-port', '0', '--pop3s-port', '0', '--smtp-port', '0', '--submission-port', '0', '--smtps-port', '0', '--web-port', '0'];

async function maillab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { timeout: scaled(15_000) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

const folders: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'maillab-cli-'));
  folders.push(folder);
  return folder;
}

/** Starts `maillab serve` on free ports; resolves with its ready lines. */
async function serve(args: string[]): Promise<{ child: ChildProcess; output: () => string; ports: Record<string, number> }> {
  const child = spawn(BIN, ['serve', ...ALL_PORTS_FREE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not get ready:\n${output}`)), scaled(15_000));
    const check = () => {
      if (output.includes('maillab is running; press Ctrl-C to stop\n')) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => reject(new Error(`serve exited early:\n${output}`)));
  });
  const ports: Record<string, number> = {};
  for (const match of output.matchAll(/^ready: (\w+):\/\/127\.0\.0\.1:(\d+)/gm)) ports[match[1]!] = Number(match[2]);
  return { child, output: () => output, ports };
}

describe('maillab --help', () => {
  it('lists the subcommands, and every subcommand has its own help', async () => {
    const top = await maillab(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/serve \[options\]/);
    // Where to start (issue 9): the lesson list, the first beginner lesson, connect to the lab.
    expect(top.stdout).toMatch(/^Where to start:\n {2}maillab lesson list +the lessons/m);
    expect(top.stdout).toContain('maillab lesson play beginner-01-path-of-a-message');
    expect(top.stdout).toContain('maillab connect pop3://127.0.0.1:1110');
    expect(Math.max(...top.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    const serveHelp = await maillab(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    for (const flag of ['--host', '--data', '--pop3-port', '--pop3s-port', '--smtp-port', '--submission-port', '--smtps-port', '--domain', '--allow-plaintext-auth', '--idle-timeout']) {
      expect(serveHelp.stdout).toContain(flag);
    }
  });
});

describe('CLI errors', () => {
  it('ends quietly when its reader goes away (maillab lesson check | head -1)', async () => {
    // lesson check keeps writing after head has gone: each later write meets a closed pipe.
    const { stdout, stderr } = await run('bash', ['-c', `${BIN} lesson check | head -1; echo "status \${PIPESTATUS[0]}"`], { timeout: scaled(120_000) });
    expect(stdout).toMatch(/^ok {4}\S+ .*\nstatus 0\n$/);
    expect(stderr).toBe('');
  });

  it('answers an unknown subcommand with one line and a non-zero exit', async () => {
    const result = await maillab(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^maillab: unknown command 'frobnicate'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad port', async () => {
    const result = await maillab(['serve', '--pop3-port', 'abc']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/argument 'abc' is invalid\. expected a port number/);
  });

  it('reports a port already in use in one line, without a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await maillab(['serve', '--data', join(tempFolder(), 'data'), ...ALL_PORTS_FREE, '--pop3-port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`address already in use (127.0.0.1:${port})`);
    } finally {
      blocker.close();
    }
  });

  it('refuses an existing data folder without a users file', async () => {
    const data = join(tempFolder(), 'data');
    mkdirSync(data);
    const result = await maillab(['serve', '--data', data, ...ALL_PORTS_FREE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^maillab: .*users is missing/);
  });
});

describe('maillab serve', () => {
  it('creates the data folder with demo users, mail and a certificate, and prints one ready line per listener', async () => {
    const data = join(tempFolder(), 'data');
    const lab = await serve(['--data', data]);
    expect(lab.output()).toContain(`created data folder ${data}`);
    expect(lab.output()).toMatch(/^ready: pop3:\/\/127\.0\.0\.1:\d+ /m);
    expect(lab.output()).toMatch(/^ready: pop3s:\/\/127\.0\.0\.1:\d+ /m);
    expect(lab.output()).toMatch(/^ready: smtp:\/\/127\.0\.0\.1:\d+ — SMTP for maillab\.test, localhost/m);
    expect(lab.output()).toMatch(/^ready: smtp:\/\/127\.0\.0\.1:\d+ — mail submission/m);
    expect(lab.output()).toMatch(/^ready: smtps:\/\/127\.0\.0\.1:\d+ /m);
    expect(lab.output()).toContain('demo logins: alice/wonderland, bob/builder, mrose/tanstaaf');
    expect(readFileSync(join(data, 'users'), 'utf8')).toMatch(/^alice:wonderland$/m);
    expect(readdirSync(join(data, 'mail', 'alice', 'new'))).toHaveLength(4);
    for (const user of ['bob', 'mrose']) expect(readdirSync(join(data, 'mail', user)).sort()).toEqual(['cur', 'new', 'tmp']);
    expect(readFileSync(join(data, 'tls', 'cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(existsSync(join(data, 'tls', 'key.pem'))).toBe(true);
  });

  it('stops on SIGTERM with exit 0, ending an open session without UPDATE', async () => {
    const data = join(tempFolder(), 'data');
    const lab = await serve(['--data', data]);
    const client = await rawConnect(lab.ports.pop3!);
    await client.waitFor('+OK POP3 server ready');
    client.send('USER alice\r\nPASS wonderland\r\nDELE 1\r\nDELE 2\r\n');
    await client.waitFor('+OK message 2 deleted');
    const exited = new Promise<number | null>((r) => lab.child.once('exit', (code) => r(code)));
    lab.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await client.closed;
    expect(lab.output()).toContain('SIGTERM: stopping');
    expect(readdirSync(join(data, 'mail', 'alice', 'new'))).toHaveLength(4);
    expect(existsSync(join(data, 'mail', 'alice', 'maillab-pop3.lock'))).toBe(false);
  });

  it('--max-bytes-in-flight sets the budget for message bytes held at once: a message past it gets 452 4.3.1, a smaller one 250', async () => {
    const help = await maillab(['serve', '--help']);
    expect(help.stdout).toMatch(/--max-bytes-in-flight <octets>\s+message bytes held in memory/);
    expect(help.stdout).toContain('(default: 268435456)');
    const bad = await maillab(['serve', '--max-bytes-in-flight', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/argument '0' is invalid\. expected a positive whole number/);

    const lab = await serve(['--data', join(tempFolder(), 'data'), '--max-bytes-in-flight', '20000', '--web-port', 'off']);
    // The MTA port (two listeners speak smtp://; submission would want AUTH first).
    const mtaPort = Number(/^ready: smtp:\/\/127\.0\.0\.1:(\d+) — SMTP for /m.exec(lab.output())![1]);
    const client = await rawConnect(mtaPort);
    await client.waitFor(/^220 /);
    const message = (lines: number) => `Subject: budget\r\n\r\n${`${'z'.repeat(78)}\r\n`.repeat(lines)}.\r\n`;
    client.send(`EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@maillab.test>\r\nDATA\r\n`);
    await client.waitFor(/\r\n354 /);
    client.send(message(400)); // ~32 KB: over the 20,000-octet budget
    await client.waitFor(/\r\n452 4\.3\.1 /);
    client.send(`MAIL FROM:<a@example.org>\r\nRCPT TO:<bob@maillab.test>\r\nDATA\r\n`);
    await client.waitFor(/452 4\.3\.1 [^\n]*\n(?:[^\n]*\n){2}354 /);
    client.send(`${message(100)}QUIT\r\n`); // ~8 KB: fits
    await client.waitFor(/\r\n250 [^\n]*\r\n221 /);
  });

  it('"off" turns a listener off', async () => {
    const lab = await serve(['--data', join(tempFolder(), 'data'), '--pop3s-port', 'off', '--smtps-port', 'off', '--submission-port', 'off', '--web-port', 'off']);
    const ready = lab.output().split('\n').filter((line) => line.startsWith('ready: '));
    expect(ready.map((line) => line.split(' ')[1]!.replace(/:\d+$/, ''))).toEqual(['pop3://127.0.0.1', 'smtp://127.0.0.1']);
  });

  it('reuses an existing data folder and its certificate on the next start', async () => {
    const data = join(tempFolder(), 'data');
    const first = await serve(['--data', data]);
    const cert = readFileSync(join(data, 'tls', 'cert.pem'), 'utf8');
    first.child.kill('SIGINT');
    await new Promise((r) => first.child.once('exit', r));
    const second = await serve(['--data', data]);
    expect(second.output()).not.toContain('created data folder');
    expect(second.output()).not.toContain('generated a self-signed TLS certificate');
    expect(readFileSync(join(data, 'tls', 'cert.pem'), 'utf8')).toBe(cert);
  });
});
