/** `maillab serve --trust-proxy` and `--class-code` refuse what they cannot use, with one line and before anything listens. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMaillab } from '../helpers/maillab-cli.js';

const folder = mkdtempSync(join(tmpdir(), 'maillab-classroom-options-'));
const serve = (...extra: string[]) =>
  runMaillab(['serve', '--data', join(folder, 'data'), '--pop3-port', '0', '--pop3s-port', 'off', '--smtp-port', 'off', '--submission-port', 'off', '--smtps-port', 'off', '--web-port', '0', ...extra]);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('serve: classroom options', () => {
  it.each([
    [['--trust-proxy', 'proxy.example'], 'maillab: --trust-proxy: "proxy.example" is not an IP address (name the proxy by the address its connections come from)'],
    [['--class-code', 'abc'], 'maillab: --class-code: 4 to 200 characters, no spaces'],
  ])('%j is refused with one line', async (args, line) => {
    const result = await serve(...args);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(line);
    expect(result.stdout).not.toContain('ready:');
  });
});
