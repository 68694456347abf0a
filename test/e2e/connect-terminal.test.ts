/**
 * `maillab connect` in a real terminal (tmux): the interactive line mode, its
 * state prompt, meta-commands, and a typed password that does not stay on screen.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { BIN } from '../helpers/maillab-cli.js';

let lab: TestLab;
const SESSION = `maillab-connect-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-t', SESSION, '-p', '-S', '-200');
}

async function waitForScreen(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never matched ${pattern}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function type(line: string, then: RegExp): Promise<string> {
  tmux('send-keys', '-t', SESSION, '-l', line);
  tmux('send-keys', '-t', SESSION, 'Enter');
  return waitForScreen(then);
}

beforeAll(async () => {
  lab = await startTestLab();
  tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '60', `${BIN} connect pop3://127.0.0.1:${lab.pop3Port}; echo "exit status $?"; sleep 60`);
});
afterAll(async () => {
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    // already gone
  }
  await lab.stop();
});

describe('maillab connect on a terminal', () => {
  it('prompts with the tracked state, masks the typed password, runs meta-commands, and exits after QUIT', async () => {
    await waitForScreen(/^pop3 AUTHORIZATION> ?$/m);
    await type('USER alice', /^S: \+OK alice, send PASS$/m);
    const afterPass = await type('PASS wonderland', /^pop3 TRANSACTION> ?$/m);
    expect(afterPass).toMatch(/^C: PASS \*{8}$/m);
    expect(afterPass).not.toContain('wonderland');
    const help = await type('/help', /\/apop USER SECRET/);
    expect(help).not.toMatch(/^C: \/help/m);
    await type('STAT', /^S: \+OK 4 2129$/m);
    const end = await type('QUIT', /exit status 0/);
    expect(end).toMatch(/^ {3}state TRANSACTION -> UPDATE/m);
  });
});
