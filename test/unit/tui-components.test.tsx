/**
 * The TUI's panes rendered with ink-testing-library against a real sandbox:
 * each pane's frame, completion, history, DATA mode, secret entry, folding,
 * the state panel for both protocols, NO_COLOR, and a 10,000-row transcript.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { TranscriptModel } from '../../core/browser.js';
import { Sandbox } from '../../core/sandbox/sandbox.js';
import { ClassroomController } from '../../tui/classroom-controller.js';
import { App } from '../../tui/components/App.js';
import { StatePanel, statePanelLines } from '../../tui/components/StatePanel.js';
import { createTheme } from '../../tui/helpers/theme.js';
import { LineCache, windowLines } from '../../tui/helpers/transcript-lines.js';
import { FileHistory } from '../../tui/history-file.js';

const theme = createTheme({});
const settle = async () => {
  for (let i = 0; i < 12; i++) await new Promise((resolve) => setTimeout(resolve, 4));
};

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

async function app(options: { firstRun?: boolean; history?: FileHistory; server?: 'pop3' | 'smtp' } = {}) {
  const sandbox = new Sandbox();
  const exits: number[] = [];
  const controller = new ClassroomController({ sandbox, firstRun: options.firstRun ?? false, ...(options.history ? { history: options.history } : {}), onExit: (code) => exits.push(code) });
  await controller.open({ kind: 'sandbox', server: options.server ?? 'pop3' });
  const view = render(<App controller={controller} theme={theme} logins={sandbox.logins} />);
  cleanup = view.unmount;
  const type = async (text: string) => {
    view.stdin.write(text);
    await settle();
  };
  await settle();
  return { controller, view, type, exits, frame: () => view.lastFrame() ?? '' };
}

describe('the TUI screen', () => {
  it('after a POP3 login and STAT: TRANSACTION highlighted, the +OK reply with its explanation, the status, no password', async () => {
    const { type, frame } = await app();
    await type('USER alice\r');
    await type('PASS wonderland\r');
    await type('STAT\r');
    const screen = frame();
    expect(screen).toContain('▶ TRANSACTION');
    expect(screen).toMatch(/← S: \+OK 4 \d+/);
    expect(screen).toContain('explanation of the latest line: +OK 4');
    expect(screen).toContain('Positive status indicator');
    expect(screen).toMatch(/sandbox pop3 │ POP3 │ no TLS │ user alice │ 4 messages/);
    expect(screen).toContain('→ C: PASS ****');
    expect(screen).not.toContain('wonderland');
    expect(screen).toContain('pop3 TRANSACTION>');
  });

  it('shows the first-run welcome with the demo logins until a line is sent', async () => {
    const { type, frame } = await app({ firstRun: true });
    expect(frame()).toContain('Demo logins: alice/wonderland');
    expect(frame()).toContain('Try: 1. USER alice');
    await type('CAPA\r');
    expect(frame()).not.toContain('Demo logins');
  });

  it('never echoes a secret while it is typed', async () => {
    const { type, frame } = await app();
    await type('USER alice\r');
    await type('PASS wonder');
    expect(frame()).toContain('PASS ****');
    expect(frame()).toContain('(hidden)');
    expect(frame()).not.toContain('wonder ');
    expect(frame()).not.toMatch(/PASS wonder/);
  });

  it('completes the commands valid in the state with Tab, and lists several candidates', async () => {
    const { type, frame, controller } = await app();
    await type('A\t');
    expect(frame()).toContain('APOP  AUTH');
    await type('\x15U\t');
    expect(controller.console.view().text).toBe('USER ');
    expect(frame()).toContain('USER name (RFC 1939 §7)');
  });

  it('browses the history with the arrow keys, kept in a file across runs without secrets', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'maillab-history-')), 'maillab', 'history');
    const history = new FileHistory(path);
    expect(history.firstRun).toBe(true);
    const { type, controller } = await app({ history });
    await type('USER alice\r');
    await type('PASS wonderland\r');
    await type('\x1b[A');
    expect(controller.console.view().text).toBe('PASS ');
    await type('\x1b[A');
    expect(controller.console.view().text).toBe('USER alice');
    const again = new FileHistory(path);
    expect(again.firstRun).toBe(false);
    expect(again.load()).toEqual(['USER alice', 'PASS ']);
  });

  it('sets DATA mode apart and shows the message lines typed until the server takes them', async () => {
    const { type, frame } = await app({ server: 'smtp' });
    for (const line of ['EHLO me.example', 'MAIL FROM:<alice@maillab.test>', 'RCPT TO:<bob@maillab.test>', 'DATA']) await type(`${line}\r`);
    expect(frame()).toContain('DATA smtp DATA (data)>');
    expect(frame()).toMatch(/from <alice@maillab\.test> to <bob@maillab\.test>/);
    await type('Subject: hi\r');
    expect(frame()).toContain('→ C: Subject: hi');
    await type('\r');
    await type('Hello Bob\r');
    await type('.\r');
    expect(frame()).toContain('smtp READY>');
    expect(frame()).toMatch(/250 2\.0\.0/);
  });

  it('folds a long body and unfolds it with Ctrl-O', async () => {
    const { type, frame } = await app();
    await type('USER alice\r');
    await type('PASS wonderland\r');
    await type('RETR 1\r');
    expect(frame()).toMatch(/← S: \(\d+ lines, \d+ octets, then "\."\)  \[\+\]/);
    await type('\x0f');
    expect(frame()).toContain('  │ ');
    expect(frame()).not.toContain('[+]');
  });

  it('marks a meta-command as local and never sends it', async () => {
    const { type, frame, controller } = await app();
    await type('/explain 354\r');
    expect(frame()).toContain('⌂ /explain 354   (meta-command: runs here, never sent)');
    expect(controller.envelopes.some((envelope) => envelope.event.kind === 'line' && envelope.event.text.includes('/explain'))).toBe(false);
  });

  it('leaves with /quit (0) and after Ctrl-C twice (130)', async () => {
    const first = await app();
    await first.type('/quit\r');
    expect(first.exits).toEqual([0]);
    first.view.unmount();
    const second = await app();
    await second.type('\x03');
    expect(second.frame()).toContain('press Ctrl-C again');
    await second.type('\x03');
    expect(second.exits).toEqual([130]);
  });
});

describe('the state panel', () => {
  it('draws POP3 from the protocol data with the current state and the last transition', () => {
    const lines = statePanelLines({ protocol: 'pop3', state: 'TRANSACTION', lastTransition: { kind: 'transition', protocol: 'pop3', from: 'AUTHORIZATION', to: 'TRANSACTION', cause: 'PASS accepted', rfc: 'RFC 1939 §4' }, validCommands: ['STAT'], width: 40, height: 20 });
    expect(lines.map((line) => line.text)).toEqual(expect.arrayContaining(['POP3 states', '  AUTHORIZATION', '▶ TRANSACTION', '  UPDATE', 'AUTHORIZATION → TRANSACTION', 'PASS accepted (RFC 1939 §4)', 'STAT']));
    expect(lines.find((line) => line.text === '▶ TRANSACTION')?.style).toBe('current');
  });

  it('draws SMTP with the mail-transaction states, in a frame', () => {
    const { lastFrame, unmount } = render(<StatePanel protocol="smtp" state="RCPT" lastTransition={undefined} validCommands={['DATA', 'RCPT']} width={26} height={14} theme={theme} />);
    const frame = lastFrame() ?? '';
    for (const state of ['INIT', 'READY', 'MAIL', 'DATA', 'BDAT', 'CLOSED']) expect(frame).toContain(`  ${state}`);
    expect(frame).toContain('▶ RCPT');
    unmount();
  });
});

describe('NO_COLOR and long sessions', () => {
  it('uses no colour under NO_COLOR', () => {
    expect(createTheme({ NO_COLOR: '1' }).of('client')).toBeUndefined();
    expect(createTheme({}).of('client')).toBe('cyan');
  });

  it('windows a transcript of 10,000 rows, turning only the visible rows into lines', () => {
    const model = new TranscriptModel();
    for (let i = 0; i < 5000; i++) {
      model.apply({ kind: 'line', from: 'client', text: 'NOOP' });
      model.apply({ kind: 'line', from: 'server', text: '+OK' });
    }
    let made = 0;
    const cache = new LineCache();
    const lines = windowLines(model.rows, 20, undefined, (row) => {
      made++;
      return cache.lines(row, { unfolded: false, local: false, width: 60 });
    });
    expect(model.rows.length).toBe(10_000);
    expect(lines).toHaveLength(20);
    expect(made).toBeLessThanOrEqual(20);
  });
});
