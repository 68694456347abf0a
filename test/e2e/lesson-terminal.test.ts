/**
 * `maillab lesson play` in a real terminal (tmux): practice (the state as
 * prompt, a hint for a wrong line, /reveal, the replies to right ones) and
 * step (one part of the transcript per key press).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/maillab-cli.js';
import { Terminal } from '../helpers/terminal.js';

const terminal = new Terminal(`maillab-lesson-${process.pid}`);

function start(args: string): void {
  terminal.start(`${BIN} ${args}`);
}

afterEach(() => terminal.kill());

describe('maillab lesson play on a terminal', () => {
  it('practice: prompts with the state, hints at a wrong line, reveals, and answers right ones', async () => {
    start('lesson play rfc1939-stat --mode practice');
    const first = await terminal.waitFor(/^\[step 1 of 1\] TRANSACTION> ?$/m);
    expect(first).toContain('The client has logged in (out of sight here)');
    // The hidden login is not shown.
    expect(first).not.toContain('USER mrose');
    const hint = await terminal.type('RETR 1', /Type \/reveal to see the expected line\./);
    // RETR 1 reached the server: its real reply, then why it is not the step, and the lab undone.
    expect(hint).toMatch(/^S: \+OK 120 octets$/m);
    expect(hint).toContain('The server took RETR (+OK), but it is not what the lesson does next: the client now sends STAT:');
    await terminal.type('/reveal', /The lesson's next line: STAT/);
    const done = await terminal.type('stat', /exit status 0/);
    expect(done).toMatch(/^S: \+OK 2 320$/m);
    expect(done).toContain('Well done: you typed every line of the lesson.');
    expect(done).toContain('Score: 0/1 steps right the first time; lines answered otherwise and undone: 1; lines revealed: 1.');
  });

  it('step: one part per key press, client side then server side', async () => {
    start('lesson play rfc1939-s10 --mode step');
    await terminal.waitFor(/any key: next step/);
    terminal.key('Space');
    const greeting = await terminal.waitFor(/^--- step 1 of \d+ ---\n--- a new connection to dewey \(POP3\) ---$/m);
    expect(greeting).not.toContain('S: +OK POP3 server ready');
    terminal.key('Space');
    await terminal.waitFor(/^S: \+OK POP3 server ready <1896\.697170952@dbc\.mtview\.ca\.us>$/m);
    terminal.key('Space');
    const apop = await terminal.waitFor(/^C: APOP mrose c4c9334bac560ecc979e58001b3e22fb$/m);
    expect(apop).not.toContain("S: +OK mrose's maildrop");
    terminal.key('Space');
    await terminal.waitFor(/^S: \+OK mrose's maildrop has 2 messages \(320 octets\)$/m);
    terminal.key('q');
    const end = await terminal.waitFor(/exit status 0/);
    expect(end).toMatch(/^Stopped at step 2 of \d+ of lesson rfc1939-s10; run it again to start over\.$/m);
  });

  it('practice: step N of M in the prompt; /quit prints a summary; Ctrl-C exits 130 on a clean line (issue 9)', async () => {
    start('lesson play rfc1939-s10 --mode practice');
    await terminal.waitFor(/^\[step 1 of 8\] AUTHORIZATION> ?$/m);
    await terminal.type('APOP mrose c4c9334bac560ecc979e58001b3e22fb', /^\[step 2 of 8\] TRANSACTION> ?$/m);
    const quit = await terminal.type('/quit', /exit status 0/);
    expect(quit).toMatch(/^Stopped at step 2 of 8 of lesson rfc1939-s10; run it again to start over\.\nScore: 1\/1 steps right the first time/m);
    terminal.kill();
    start('lesson play rfc1939-s10 --mode practice');
    await terminal.waitFor(/^\[step 1 of 8\] AUTHORIZATION> ?$/m);
    terminal.key('C-c');
    const end = await terminal.waitFor(/exit status 130/);
    expect(end).toMatch(/^Stopped at step 1 of 8/m);
    expect(end).toMatch(/^exit status 130$/m);
  });

  it('watch: timed, + and - change the speed, space pauses, q quits', async () => {
    start('lesson play rfc1939-s10 --speed 0.5');
    await terminal.waitFor(/space: pause or go on/);
    terminal.key('+');
    await terminal.waitFor(/^\(speed: 1 line a second\)$/m);
    terminal.key('Space');
    await terminal.waitFor(/^\(paused: space to go on\)$/m);
    terminal.key('q');
    const end = await terminal.waitFor(/exit status 0/);
    expect(end).not.toContain('End of the lesson.');
  });

  it('watch: plays to the end at its own pace', async () => {
    start('lesson play rfc1939-stat --speed 64');
    const end = await terminal.waitFor(/exit status 0/);
    expect(end).toMatch(/^S: \+OK 2 320$/m);
    expect(end).toContain('End of the lesson.');
  });
});
