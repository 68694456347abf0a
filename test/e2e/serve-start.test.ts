/**
 * `maillab serve` at start-up (issue 9): a data folder or users file it cannot
 * use is named, with what is wrong, and the lab refuses to start; the logins
 * are printed on every start; a store failure is logged in one line without
 * --verbose.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runMaillab, runMaillab as connect } from '../helpers/maillab-cli.js';
import { until } from '../helpers/time.js';
import { EXIT_CODES } from '../../core/models/exit-status.js';

const temp = mkdtempSync(join(tmpdir(), 'maillab-serve-start-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(temp, { recursive: true, force: true });
});
// Free ports only (the web page's default 8025 included): `npm start` may be running beside the suite.
const PORTS = ['--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', 'off', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', 'off'];

/** Starts serve and resolves with its output once it is running, or rejects with what it printed when it exits. */
function serve(data: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(BIN, ['serve', '--data', data, ...PORTS], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (output.includes('maillab is running')) resolve({ child, output: () => output });
    });
    child.once('exit', (code) => reject(new Error(`exit ${code}: ${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

describe('maillab serve refuses a data folder it cannot use, naming it', () => {
  it('a data folder that is a file', async () => {
    const file = join(temp, 'a-file');
    writeFileSync(file, 'not a folder');
    const result = await runMaillab(['serve', '--data', file, ...PORTS]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`maillab: the data folder ${file} is not a folder; give --data a folder (or move the file away)\n`);
    expect(result.stdout).not.toContain('ready:');
  });

  it('a users file that is a folder, or that names no user', async () => {
    const data = join(temp, 'users-folder');
    mkdirSync(join(data, 'users'), { recursive: true });
    const folder = await runMaillab(['serve', '--data', data, ...PORTS]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`maillab: the users file ${join(data, 'users')} is not a file`);
    expect(folder.stderr).not.toMatch(/listen|ports below 1024/);
    const empty = join(temp, 'users-empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'users'), '# nobody\n');
    const none = await runMaillab(['serve', '--data', empty, ...PORTS]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`maillab: the users file ${join(empty, 'users')} names no user: write one "name:password" line per user\n`);
  });
});

/**
 * Runs serve as the unprivileged user "nobody": root reads anything, so
 * permissions are tested as someone else. The suite runs as root, as CI does
 * (setpriv is in Debian's util-linux).
 */
describe('maillab serve as a user who may not read the data (run as nobody via setpriv)', () => {
  const runAsNobody = (data: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', BIN, 'serve', '--data', data, ...PORTS], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      child.once('exit', (code) => resolve({ code, stderr }));
    });

  it('an unreadable data folder, and an unreadable users file, are named at start-up, never as a listen problem', async () => {
    const open = join(temp, 'perm');
    mkdirSync(join(open, 'data', 'mail'), { recursive: true });
    chmodSync(temp, 0o755);
    chmodSync(open, 0o755);
    chmodSync(join(open, 'data'), 0o700);
    const folder = await runAsNobody(join(open, 'data'));
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe(`maillab: cannot use the data folder ${join(open, 'data')}: permission denied; maillab needs to read and write it (check its owner and mode)\n`);
    const users = join(open, 'users-locked');
    mkdirSync(join(users, 'mail'), { recursive: true });
    writeFileSync(join(users, 'users'), 'alice:wonderland\n', { mode: 0o600 });
    chownSync(users, 65534, 65534);
    chownSync(join(users, 'mail'), 65534, 65534);
    const file = await runAsNobody(users);
    expect(file.code).toBe(1);
    expect(file.stderr).toBe(`maillab: cannot use the users file ${join(users, 'users')}: permission denied; maillab needs to read it (check its owner and mode)\n`);
    expect(file.stderr + folder.stderr).not.toMatch(/listen|below 1024/);
  });
});

describe('maillab serve on every start', () => {
  it('prints the demo logins the first time and every time after; a store failure is one line without --verbose', async () => {
    const data = join(temp, 'demo');
    const first = await serve(data);
    expect(first.output()).toMatch(/^demo logins: alice\/wonderland, bob\/builder, mrose\/tanstaaf$/m);
    await stop(first.child);
    const second = await serve(data);
    expect(second.output()).not.toContain('created data folder');
    expect(second.output()).toMatch(/^demo logins: alice\/wonderland, bob\/builder, mrose\/tanstaaf$/m);
    // The users file goes away under the running lab: the login fails, and the log says why in one line.
    const port = Number(/^ready: pop3:\/\/127\.0\.0\.1:(\d+)/m.exec(second.output())?.[1]);
    rmSync(join(data, 'users'));
    mkdirSync(join(data, 'users'));
    const login = await connect(['connect', `pop3://127.0.0.1:${port}`], 'USER alice\nPASS wonderland\nQUIT\n');
    expect(login.stdout).toMatch(/^S: -ERR \[SYS\/TEMP\]/m);
    const logged = `internal error: cannot read the users file ${join(data, 'users')}: EISDIR\n`;
    await until(() => second.output().includes(logged), 'the log line of the failed login', 5000, { detail: second.output });
    expect(second.output()).toContain(logged);
    await stop(second.child);
  });
});

describe('maillab serve --dns-port (issue 9)', () => {
  it('publishes MX records for the lab\'s domains, so send --direct delivers on one machine; a null MX domain gives 556 5.1.10', async () => {
    const data = join(temp, 'dns');
    const child = spawn(BIN, ['serve', '--data', data, '--pop3-port', 'off', '--pop3s-port', 'off', '--smtp-port', '0', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', 'off', '--dns-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => output.includes('maillab is running') && resolve());
      child.once('exit', (code) => reject(new Error(`exit ${code}: ${output}`)));
    });
    const dns = /^ready: dns:\/\/(127\.0\.0\.1:\d+) — lab DNS \(UDP\): maillab\.test MX 10 maillab\.test; localhost MX 10 maillab\.test; nomail\.test MX 0 \.; maillab\.test A 127\.0\.0\.1$/m.exec(output)?.[1];
    expect(dns, output).toBeDefined();
    const smtp = /^ready: smtp:\/\/127\.0\.0\.1:(\d+) — SMTP for/m.exec(output)?.[1];
    const base = ['send', '--direct', '--dns', dns!, '--mx-port', smtp!, '--from', 'you@example.org', '--body', 'hi'];
    const sent = await runMaillab([...base, '--to', 'alice@maillab.test']);
    expect(sent.stdout).toMatch(/^alice@maillab\.test: accepted by maillab\.test \[127\.0\.0\.1\]:\d+: 250 /m);
    expect(sent.code).toBe(0);
    const refused = await runMaillab([...base, '--to', 'x@nomail.test']);
    // A null MX (RFC 7505) says the domain has no mail server: no connection is possible (send's exit table).
    expect(refused.code).toBe(EXIT_CODES.CONNECT);
    expect(refused.stdout).toContain('556 5.1.10');
    await stop(child);
  });
});
