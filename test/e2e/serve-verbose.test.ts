/**
 * `maillab serve --verbose` as an operator reads it: every session's lines,
 * each explanation after the line it explains, transitions after their cause,
 * and never a password — rendered through the transcript model like connect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/maillab-cli.js';
import { rawConnect } from '../helpers/raw-client.js';
import { until } from '../helpers/time.js';

describe('maillab serve --verbose', () => {
  let child: ChildProcess;
  let output = '';
  let folder: string;
  let pop3Port: number;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'maillab-verbose-'));
    child = spawn(BIN, ['serve', '--verbose', '--data', join(folder, 'data'), '--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', 'off', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => output.includes('maillab is running') && resolve());
      child.once('exit', () => reject(new Error(`serve exited early:\n${output}`)));
    });
    pop3Port = Number(/^ready: pop3:\/\/127\.0\.0\.1:(\d+) /m.exec(output)?.[1]);
  });

  afterAll(() => {
    child.kill('SIGTERM');
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows a POP3 session line by line, explained in order, with the password masked', async () => {
    const client = await rawConnect(pop3Port);
    await client.waitFor(/^\+OK .*\r\n/);
    client.send('USER alice\r\nPASS wonderland\r\nSTAT\r\nQUIT\r\n');
    await client.closed;
    await until(() => /\[pop3#\d+\] closed/.test(output), 'the log of the closed session', 5000, { detail: () => output });
    const lines = output.split('\n').filter((line) => line.startsWith('[pop3#')).map((line) => line.replace(/^\[pop3#\d+\] /, ''));
    // (The start-up banner lists the demo logins; the session's own lines never show the password.)
    expect(lines.join('\n')).not.toContain('wonderland');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const user = at(/^C: USER alice$/);
    const pass = at(/^C: PASS \*{8}$/);
    const login = at(/^S: \+OK alice's maildrop has 4 messages/);
    const transition = at(/^ {3}state AUTHORIZATION -> TRANSACTION: /);
    expect(user).toBeGreaterThan(0);
    expect(pass).toBeGreaterThan(user);
    // The command's explanation comes right after it, the reply's after the reply, the transition after that.
    expect(lines[user + 1]).toMatch(/^ {3}= USER: .*\(RFC 1939 §7\)$/);
    expect(lines[pass + 1]).toMatch(/^ {3}= PASS: /);
    expect(lines.slice(pass + 1, login).some((line) => /!! WARNING Password sent without TLS/.test(line))).toBe(true);
    expect(transition).toBeGreaterThan(login);
    expect(at(/^C: STAT$/)).toBeGreaterThan(transition);
    expect(at(/^ {3}state UPDATE -> CLOSED: /)).toBeGreaterThan(at(/^S: \+OK .*signing off/));
    expect(lines.at(-1)).toBe('closed');
  });

  it('folds a long message body after 20 lines with one "... N more lines not shown" line, then the "."', async () => {
    const client = await rawConnect(pop3Port);
    await client.waitFor(/^\+OK .*\r\n/);
    client.send('USER alice\r\nPASS wonderland\r\nRETR 3\r\nQUIT\r\n');
    await client.closed;
    // What the client received: the whole message, to count against the log.
    const received = client.received.slice(client.received.indexOf('+OK 863 octets\r\n'));
    const bodyLines = received.slice(received.indexOf('\r\n') + 2, received.indexOf('\r\n.\r\n') + 2).split('\r\n').length - 1;
    expect(bodyLines).toBeGreaterThan(20);
    const connection = () => /\[(pop3#\d+)\] C: RETR 3$/m.exec(output)?.[1];
    await until(() => connection() !== undefined && output.includes(`[${connection()}] closed`), 'the log of the RETR session', 5000, { detail: () => output });
    const tag = connection()!;
    const lines = output.split('\n').filter((line) => line.startsWith(`[${tag}] `)).map((line) => line.slice(tag.length + 3));
    const start = lines.findIndex((line) => /^S: \+OK 863 octets$/.test(line));
    const fold = lines.findIndex((line) => /^ {3}\.\.\. \d+ more lines? not shown$/.test(line));
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, fold).filter((line) => line.startsWith('S: '))).toHaveLength(20);
    expect(lines[fold]).toBe(`   ... ${bodyLines - 20} more line${bodyLines - 20 === 1 ? '' : 's'} not shown`);
    // No console commands offered in a log; the body's end is still there.
    expect(lines[fold]).not.toContain('/more');
    expect(lines[fold + 1]).toBe('S: .');
  });
});
