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

describe('maillab connect on a small terminal (issue 9)', () => {
  const small = new Terminal(`maillab-connect-small-${process.pid}`);
  afterAll(() => small.kill());

  it('folds a long message with /more and /show N, never losing a line', async () => {
    small.start(`${BIN} connect pop3://127.0.0.1:${lab.pop3Port}`, { width: 160, height: 20 });
    await small.waitFor(/^pop3 AUTHORIZATION> ?$/m);
    await small.type('USER alice', /send PASS$/m);
    await small.type('PASS wonderland', /^pop3 TRANSACTION> ?$/m);
    const folded = await small.type('RETR 3', /more lines? not shown: \/more shows the next \d+, \/show 1 the whole body/);
    expect(folded).toMatch(/^S: \+OK 863 octets$/m);
    const more = await small.type('/more', /6 more lines not shown: \/more shows the next 6/);
    expect(more).not.toMatch(/^C: \/more/m);
    await small.type('/more', /^S: \.$/m);
    const shown = await small.type('/show 1', /^pop3 TRANSACTION> ?$/m);
    expect(shown).toMatch(/^S: \.$/m);
    await small.type('/annotations off', /^ {3}annotations off$/m);
    const quiet = await small.type('STAT', /^S: \+OK \d+ \d+$/m);
    expect(quiet.slice(quiet.lastIndexOf('C: STAT'))).not.toMatch(/^ {3}= STAT/m);
    await small.type('QUIT', /exit status 0/);
  });

  it('keeps what was typed after 354 on screen, and Ctrl-C exits 130 with the terminal clean', async () => {
    small.kill();
    small.start(`${BIN} connect smtp://127.0.0.1:${lab.smtpPort}`, { width: 160, height: 30 });
    await small.waitFor(/^smtp INIT> ?$/m);
    await small.type('EHLO me', /^smtp READY> ?$/m);
    await small.type('MAIL FROM:<bob@maillab.test>', /^smtp MAIL> ?$/m);
    await small.type("RCPT TO:<alice@maillab.test>", /^smtp RCPT> ?$/m);
    await small.type('DATA', /^S: 354 /m);
    // Each line once the prompt of the next is drawn (a bare "(data)>" would match the one already there).
    await small.type('Subject: typed by hand', /Subject: typed by hand\n[^\n]*\(data\)> ?$/m);
    await small.type('', /Subject: typed by hand\n[^\n]*\(data\)> ?\n[^\n]*\(data\)> ?$/m);
    await small.type('Hello from the terminal', /Hello from the terminal\n[^\n]*\(data\)> ?$/m);
    const after = await small.type('.', /^S: 250 .*accepted/m);
    expect(after).toMatch(/Subject: typed by hand$/m);
    expect(after).toMatch(/Hello from the terminal$/m);
    small.key('C-c');
    const end = await small.waitFor(/exit status 130/);
    // The shell's echo starts at the beginning of a clean line: the prompt was cleared and raw mode left.
    expect(end).toMatch(/^exit status 130$/m);
  });
});

describe('maillab connect on a terminal: the exit status counts as in script mode (issue 9)', () => {
  const session = new Terminal(`maillab-connect-status-${process.pid}`);
  afterAll(() => session.kill());

  it('a refused login then QUIT exits 28, and says why on screen', async () => {
    session.start(`${BIN} connect pop3://127.0.0.1:${lab.pop3Port}`, { width: 160, height: 30 });
    await session.waitFor(/^pop3 AUTHORIZATION> ?$/m);
    await session.type('USER alice', /send PASS$/m);
    await session.type('PASS not-the-password', /^S: -ERR /m);
    await session.type('USER alice', /send PASS$/m);
    await session.type('PASS wonderland', /^pop3 TRANSACTION> ?$/m);
    // The first failure decides, as in script mode: the later refused RETR does not change it.
    await session.type('RETR 99', /^S: -ERR /m);
    const end = await session.type('QUIT', /exit status \d+$/m);
    expect(end).toMatch(/^ {3}exit status 28: a login was refused/m);
    expect(end).toMatch(/^exit status 28$/m);
  });

  it('a refused RCPT then Ctrl-D exits 24 (swaks\' number)', async () => {
    session.kill();
    session.start(`${BIN} connect smtp://127.0.0.1:${lab.smtpPort}`, { width: 160, height: 30 });
    await session.waitFor(/^smtp INIT> ?$/m);
    await session.type('EHLO me', /^smtp READY> ?$/m);
    await session.type('RCPT TO:<alice@maillab.test>', /^S: 503 /m);
    session.key('C-d');
    const end = await session.waitFor(/^exit status \d+$/m);
    expect(end).toMatch(/^ {3}exit status 24: a recipient was refused at RCPT TO/m);
    expect(end).toMatch(/^exit status 24$/m);
  });
});
