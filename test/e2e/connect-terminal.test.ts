/**
 * `maillab connect` in a real terminal (tmux): the interactive line mode, its
 * state prompt, Tab completion, meta-commands, and a typed password that is
 * never on screen, not even while it is typed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { BIN } from '../helpers/maillab-cli.js';
import { Terminal } from '../helpers/terminal.js';

let lab: TestLab;
const terminal = new Terminal(`maillab-connect-${process.pid}`);

beforeAll(async () => {
  lab = await startTestLab();
  terminal.start(`${BIN} connect pop3://127.0.0.1:${lab.pop3Port}`, { width: 160, height: 60 });
});
afterAll(async () => {
  terminal.kill();
  await lab.stop();
});

describe('maillab connect on a terminal', () => {
  it('prompts with the tracked state, masks the typed password, runs meta-commands, and exits after QUIT', async () => {
    await terminal.waitFor(/^pop3 AUTHORIZATION> ?$/m);
    // Tab completes the commands valid in AUTHORIZATION: "US" can only be USER.
    terminal.key('U');
    terminal.key('S');
    terminal.key('Tab');
    await terminal.waitFor(/^pop3 AUTHORIZATION> USER $/m);
    await terminal.type('alice', /^S: \+OK alice, send PASS$/m);
    // While the password is typed, before Enter, it is never on screen.
    terminal.send('PASS wonderland');
    const typing = await terminal.waitFor(/^pop3 AUTHORIZATION> PASS \*{8}$/m);
    expect(typing).not.toContain('wonderland');
    const afterPass = await terminal.type('', /^pop3 TRANSACTION> ?$/m);
    expect(afterPass).toMatch(/^C: PASS \*{8}$/m);
    expect(afterPass).not.toContain('wonderland');
    const help = await terminal.type('/help', /\/apop USER SECRET/);
    expect(help).not.toMatch(/^C: \/help/m);
    await terminal.type('STAT', /^S: \+OK 4 2129$/m);
    const end = await terminal.type('QUIT', /exit status 0/);
    expect(end).toMatch(/^ {3}state TRANSACTION -> UPDATE/m);
  });
});
