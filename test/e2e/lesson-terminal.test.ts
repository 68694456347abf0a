/**
 * `maillab lesson play` in a real terminal (tmux): practice (the state as
 * prompt, a hint for a wrong line, /reveal, the replies to right ones) and
 * step (one part of the transcript per key press).
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/maillab-cli.js';

const SESSION = `maillab-lesson-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-t', SESSION, '-p', '-J', '-S', '-300');
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

function start(args: string): void {
  tmux('new-session', '-d', '-s', SESSION, '-x', '200', '-y', '80', `${BIN} ${args}; echo "exit status $?"; sleep 60`);
}

afterEach(() => {
  try {
    tmux('kill-session', '-t', SESSION);
  } catch {
    // already gone
  }
});

describe('maillab lesson play on a terminal', () => {
  it('practice: prompts with the state, hints at a wrong line, reveals, and answers right ones', async () => {
    start('lesson play rfc1939-stat --mode practice');
    const first = await waitForScreen(/^TRANSACTION> ?$/m);
    expect(first).toContain('The client has logged in (out of sight here)');
    // The hidden login is not shown.
    expect(first).not.toContain('USER mrose');
    const hint = await type('RETR 1', /Type \/reveal to see the expected line\./);
    expect(hint).toContain('RETR would be understood here, but it is not what the lesson does next. The client now sends STAT:');
    await type('/reveal', /The lesson's next line: STAT/);
    const done = await type('stat', /exit status 0/);
    expect(done).toMatch(/^S: \+OK 2 320$/m);
    expect(done).toContain('Well done: you typed every line of the lesson.');
  });

  it('step: one part per key press, client side then server side', async () => {
    start('lesson play rfc1939-s10 --mode step');
    await waitForScreen(/any key: next step/);
    tmux('send-keys', '-t', SESSION, 'Space');
    const greeting = await waitForScreen(/^--- a new connection to dewey \(POP3\) ---$/m);
    expect(greeting).not.toContain('S: +OK POP3 server ready');
    tmux('send-keys', '-t', SESSION, 'Space');
    await waitForScreen(/^S: \+OK POP3 server ready <1896\.697170952@dbc\.mtview\.ca\.us>$/m);
    tmux('send-keys', '-t', SESSION, 'Space');
    const apop = await waitForScreen(/^C: APOP mrose c4c9334bac560ecc979e58001b3e22fb$/m);
    expect(apop).not.toContain("S: +OK mrose's maildrop");
    tmux('send-keys', '-t', SESSION, 'Space');
    await waitForScreen(/^S: \+OK mrose's maildrop has 2 messages \(320 octets\)$/m);
    tmux('send-keys', '-t', SESSION, 'q');
    await waitForScreen(/exit status 0/);
  });

  it('watch: timed, + and - change the speed, space pauses, q quits', async () => {
    start('lesson play rfc1939-s10 --speed 0.5');
    await waitForScreen(/space: pause or go on/);
    tmux('send-keys', '-t', SESSION, '+');
    await waitForScreen(/^\(speed: 1 line a second\)$/m);
    tmux('send-keys', '-t', SESSION, 'Space');
    await waitForScreen(/^\(paused: space to go on\)$/m);
    tmux('send-keys', '-t', SESSION, 'q');
    const end = await waitForScreen(/exit status 0/);
    expect(end).not.toContain('End of the lesson.');
  });

  it('watch: plays to the end at its own pace', async () => {
    start('lesson play rfc1939-stat --speed 64');
    const end = await waitForScreen(/exit status 0/);
    expect(end).toMatch(/^S: \+OK 2 320$/m);
    expect(end).toContain('End of the lesson.');
  });
});
