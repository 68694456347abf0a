/**
 * `maillab tui` in a real terminal (tmux, 100×30): a POP3 login and STAT in
 * the sandbox, a whole SMTP transaction through DATA and the message listed
 * back in POP3, a lesson in step mode, /quit with the terminal restored; and
 * the TUI against the lab over TCP.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotPeer } from '../helpers/dovecot.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { BIN } from '../helpers/maillab-cli.js';
import { Terminal } from '../helpers/terminal.js';
import { scaled } from '../helpers/time.js';

describe('maillab tui against Dovecot, a server maillab did not write', () => {
  let dovecot: DovecotPeer;
  const terminal = new Terminal(`maillab-tui-dovecot-${process.pid}`);
  beforeAll(async () => {
    dovecot = await startDovecot({ carol: 'secret-carol' });
    dovecot.addMessage('carol', '1700000001.M1P1.test', 'From: a@example.org\nSubject: first\n\nline one\n');
    terminal.start(`CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui pop3://127.0.0.1:${dovecot.pop3Port}`, { width: 100, height: 30 });
  });
  afterAll(async () => {
    terminal.kill();
    await dovecot.stop();
  });

  it('logs in, lists and retrieves, followed by the client tracker; the password never shows', async () => {
    await terminal.waitFor(new RegExp(`pop3://127\\.0\\.0\\.1:${dovecot.pop3Port} │ POP3 │ no TLS`));
    await terminal.type('USER carol', /pop3 AUTHORIZATION>/);
    await terminal.type('PASS secret-carol', /pop3 TRANSACTION>/);
    const screen = await terminal.type('STAT', /← S: \+OK 1 \d+/);
    expect(screen).toContain('▶ TRANSACTION');
    expect(screen).toContain('1 message');
    expect(screen).not.toContain('secret-carol');
    await terminal.type('QUIT', /CLOSED/);
  });
});

/** A config folder with a history file: not a first run, so no welcome (with its demo passwords) on screen. */
function configHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'maillab-tui-config-'));
  mkdirSync(join(home, 'maillab'));
  writeFileSync(join(home, 'maillab', 'history'), '');
  return home;
}

// Every TUI here starts with CI=true, as it does when CI runs the suite: on a terminal the TUI draws live all the same.
describe('maillab tui on a terminal, in the sandbox', () => {
  const terminal = new Terminal(`maillab-tui-${process.pid}`);
  beforeAll(() => terminal.start(`CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui`, { width: 100, height: 30 }));
  afterAll(() => terminal.kill());

  it('logs in and STATs: TRANSACTION, the +OK reply and its explanation, and no password', async () => {
    await terminal.waitFor(/pop3 AUTHORIZATION>/);
    await terminal.type('USER alice', /\+OK alice, send PASS/);
    terminal.send('PASS wonderland');
    const typing = await terminal.waitFor(/PASS \*+/);
    expect(typing).not.toContain('wonderland');
    terminal.key('Enter');
    const screen = await terminal.type('STAT', /← S: \+OK 4 \d+/);
    expect(screen).toContain('▶ TRANSACTION');
    expect(screen).toMatch(/explanation of the latest line: \+OK 4 \d+/);
    expect(screen).toContain('Positive status indicator');
    expect(screen).toMatch(/user alice │ 4 messages/);
    expect(screen).not.toContain('wonderland');
  });

  it('sends a message with SMTP through DATA to bob; back in POP3 it is listed', async () => {
    await terminal.type('/connect smtp', /smtp INIT>/);
    await terminal.type('EHLO me.example', /250 /);
    await terminal.type('MAIL FROM:<alice@maillab.test>', /smtp MAIL>/);
    await terminal.type('RCPT TO:<bob@maillab.test>', /smtp RCPT>/);
    const data = await terminal.type('DATA', /DATA smtp DATA \(data\)>/);
    expect(data).toMatch(/from <alice@maillab\.test> to <bob@maillab\.test>/);
    await terminal.type('Subject: from the terminal', /→ C: Subject: from the terminal/);
    await terminal.type('', /DATA smtp DATA/);
    await terminal.type('Hello Bob', /→ C: Hello Bob/);
    await terminal.type('.', /250 2\.0\.0/);
    await terminal.type('QUIT', /221 /);
    await terminal.type('/connect pop3', /pop3 AUTHORIZATION>/);
    await terminal.type('USER bob', /\+OK bob, send PASS/);
    await terminal.type('PASS builder', /pop3 TRANSACTION>/);
    const list = await terminal.type('LIST', /← S: \+OK 1 message/);
    expect(list).toMatch(/│ 1 \d+/);
    expect(list).toMatch(/user bob │ 1 message/);
  });

  it('steps through a lesson with Enter', async () => {
    await terminal.type('/lesson rfc1939-s10 step', /lesson rfc1939-s10 \(step\)/);
    await terminal.type('', /step 1\/\d+/);
    const second = await terminal.type('', /step 2\/\d+/);
    expect(second).toMatch(/→ C: APOP mrose/);
    // In two halves, as `maillab lesson play --mode step`: the reply comes on the next Enter.
    expect(second).not.toContain("mrose's maildrop has 2 messages");
    const reply = await terminal.type('', /← S: \+OK mrose's maildrop has 2 messages/);
    expect(reply).toContain('▶ TRANSACTION');
  });

  it('/quit leaves with status 0 and the terminal restored', async () => {
    const after = await terminal.type('/quit', /exit status 0/);
    expect(after).not.toContain('states');
  });
});

describe('maillab tui at 80×24, resized, with the mouse wheel', () => {
  const terminal = new Terminal(`maillab-tui-resize-${process.pid}`);
  beforeAll(() => terminal.start(`CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui`, { width: 80, height: 24 }));
  afterAll(() => terminal.kill());

  /** The frame fits the screen: the transcript's top border on the first row, reaching the right edge; status and prompt below the explanation. */
  const fits = async (width: number, height: number, sidePanel: boolean) => {
    const deadline = Date.now() + scaled(5000);
    for (;;) {
      const rows = terminal.visibleRows();
      const top = [...(rows[0] ?? '')];
      const status = rows.findIndex((row) => /sandbox pop3 │ POP3/.test(row));
      const explanationBottom = rows.findLastIndex((row) => row.startsWith('└'));
      const ok =
        rows.length <= height &&
        top[0] === '┌' &&
        top.length === width &&
        top.at(-1) === '┐' &&
        top.indexOf('┐') < width - 1 === sidePanel &&
        explanationBottom > 0 &&
        status === explanationBottom + 1 &&
        /pop3 (AUTHORIZATION|TRANSACTION)>/.test(rows[status + 2] ?? '') &&
        rows.every((row) => [...row.trimEnd()].length <= width);
      if (ok) return rows;
      if (Date.now() > deadline) throw new Error(`the frame does not fit ${width}×${height}:\n${rows.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('fits 80×24, then reflows when the terminal shrinks and grows', async () => {
    await terminal.waitFor(/pop3 AUTHORIZATION>/);
    await terminal.type('USER alice', /\+OK alice, send PASS/);
    const start = await fits(80, 24, true);
    expect(start.join('\n')).toContain('▶ AUTHORIZATION');
    terminal.resize(60, 18);
    const narrow = await fits(60, 18, false);
    expect(narrow.join('\n')).not.toContain('POP3 states');
    terminal.resize(120, 35);
    const wide = await fits(120, 35, true);
    expect(wide.join('\n')).toContain('POP3 states');
    expect(wide.join('\n')).toContain('→ C: USER alice');
  });

  it('turns mouse reporting on; the wheel selects a line to explain; /quit turns it off again', async () => {
    expect(terminal.paneFlag('mouse_sgr_flag')).toBe('1');
    expect(terminal.paneFlag('mouse_standard_flag')).toBe('1');
    terminal.send('\x1b[<64;5;5M');
    await terminal.waitFor(/explanation of the selected line: \+OK alice, send PASS/);
    terminal.send('\x1b[<64;5;5M');
    await terminal.waitFor(/explanation of the selected line: USER alice/);
    await terminal.type('/quit', /exit status 0/);
    expect(terminal.paneFlag('mouse_sgr_flag')).toBe('0');
    expect(terminal.paneFlag('mouse_standard_flag')).toBe('0');
    expect(terminal.paneFlag('alternate_on')).toBe('0');
  });
});

describe('maillab tui against the lab over TCP', () => {
  let lab: TestLab;
  const terminal = new Terminal(`maillab-tui-tcp-${process.pid}`);
  beforeAll(async () => {
    lab = await startTestLab();
    terminal.start(`CI=true XDG_CONFIG_HOME=${configHome()} ${BIN} tui pop3://127.0.0.1:${lab.pop3Port}`, { width: 100, height: 30 });
  });
  afterAll(async () => {
    terminal.kill();
    await lab.stop();
  });

  it('logs in over a real socket, annotated by the client tracker', async () => {
    await terminal.waitFor(new RegExp(`pop3://127\\.0\\.0\\.1:${lab.pop3Port} │ POP3 │ no TLS`));
    await terminal.type('USER alice', /pop3 AUTHORIZATION>/);
    await terminal.type('PASS wonderland', /pop3 TRANSACTION>/);
    const screen = await terminal.type('STAT', /← S: \+OK \d+ \d+/);
    expect(screen).toContain('▶ TRANSACTION');
    expect(screen).not.toContain('wonderland');
    await terminal.type('/quit', /exit status 0/);
  });
});
