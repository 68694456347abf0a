/**
 * `maillab explain` as a user meets it: the compiled bin/maillab in a child
 * process (run `npm run build` first; `npm test` does).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../helpers/time.js';

const BIN = resolve(__dirname, '../../bin/maillab');
const run = promisify(execFile);

async function maillab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BIN, args, { timeout: scaled(15_000) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(() => {
  if (!existsSync(resolve(__dirname, '../../dist/bin/explain.js'))) throw new Error('dist/bin/explain.js is missing: run "npm run build" first');
});

describe('maillab explain', () => {
  it('explains a reply code: title, RFC section, summary; exit 0', async () => {
    const result = await maillab(['explain', '354']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^354 Start mail input {2}\(SMTP reply code\)\n {2}see: +RFC 5321 §4\.1\.1\.4\n/);
  });

  it('takes a POP3 reply that begins with "-" as the thing, not as an option', async () => {
    const quoted = await maillab(['explain', '-ERR [IN-USE]']);
    expect(quoted.code).toBe(0);
    expect(quoted.stdout).toContain('-ERR  (POP3 status indicator)');
    expect(quoted.stdout).toContain('[IN-USE]  (POP3 response code)');
    const words = await maillab(['explain', '-ERR', '[IN-USE]']);
    expect(words.stdout).toBe(quoted.stdout);
  });

  it('joins several words: a whole reply line, a protocol in front', async () => {
    const line = await maillab(['explain', '550', '5.1.1', 'no', 'such', 'user']);
    expect(line.code).toBe(0);
    expect(line.stdout).toContain('550 Requested action not taken: mailbox unavailable');
    expect(line.stdout).toContain('5.1.1 Bad destination mailbox address');
    const pop3 = await maillab(['explain', 'pop3', 'QUIT']);
    expect(pop3.stdout).toContain('QUIT  (POP3 command)');
    expect(pop3.stdout).not.toContain('SMTP command');
  });

  it('shows every entry of a shared name, separated by a blank line', async () => {
    const result = await maillab(['explain', 'PIPELINING']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n\n')).toHaveLength(2);
    expect(result.stdout).toContain('(POP3 CAPA tag)');
    expect(result.stdout).toContain('(SMTP EHLO keyword)');
  });

  it('--json prints the entries as JSON', async () => {
    const result = await maillab(['explain', '--json', '5.7.1']);
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout) as { key: string; rfc: string }[];
    expect(entries).toEqual([expect.objectContaining({ key: 'smtp.enhanced.5.7.1', rfc: 'RFC 3463 §3.8' })]);
    const both = JSON.parse((await maillab(['explain', 'DATA', '--json'])).stdout) as { key: string }[];
    expect(both.map((entry) => entry.key)).toEqual(['smtp.command.DATA', 'smtp.state.DATA']);
  });

  it('nothing found: exit 1 and one line naming what is close', async () => {
    const result = await maillab(['explain', 'RETT']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('maillab: no entry for "RETT"; did you mean RETR?\n');
  });

  it('nothing close: exit 1 and one line saying what can be asked; --json still prints []', async () => {
    const result = await maillab(['explain', '--json', 'xyzzy-plugh']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(/^maillab: no entry for "xyzzy-plugh"; try a command/);
  });

  it('--help lists examples', async () => {
    const result = await maillab(['explain', '--help']);
    expect(result.code).toBe(0);
    for (const example of ['maillab explain 354', 'maillab explain 5.7.1', 'maillab explain "-ERR [IN-USE]"', 'maillab explain PIPELINING', 'maillab explain TRANSACTION']) {
      expect(result.stdout).toContain(example);
    }
    expect((await maillab(['--help'])).stdout).toMatch(/explain \[options\] <thing\.\.\.>/);
  });

  it('a mistyped --option is reported as one, not looked up', async () => {
    const result = await maillab(['explain', '--jsn', '354']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("maillab: unknown option '--jsn' (run maillab explain --help for usage)\n");
  });

  it('without a thing: a usage error, no stack trace', async () => {
    const result = await maillab(['explain']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^maillab: missing required argument 'thing'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains 556 and 5.1.10, the null-MX reply maillab send --direct gives (RFC 7504, RFC 7505)', async () => {
    const reply = await maillab(['explain', '556']);
    expect(reply.code).toBe(0);
    expect(reply.stdout).toContain('556 Domain does not accept mail');
    expect(reply.stdout).toContain('RFC 7504');
    expect(reply.stdout).not.toContain('No standard meaning');
    const enhanced = await maillab(['explain', '5.1.10']);
    expect(enhanced.stdout).toContain('5.1.10 Recipient address has null MX');
    expect(enhanced.stdout).toContain('RFC 7505');
    expect(enhanced.stdout).not.toMatch(/No detail code|read it by/);
  });
});
