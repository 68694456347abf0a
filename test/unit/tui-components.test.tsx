/**
 * The TUI's panes rendered with ink-testing-library against a real sandbox:
 * each pane's frame, completion, history, DATA mode, secret entry, folding,
 * the state panel for both protocols, NO_COLOR, and a 10,000-row transcript.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
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
import words from '../../tui/messages/en/tui.json' with { type: 'json' };
import { probeController } from '../helpers/controller-settled.js';
import { quietFor, until } from '../helpers/time.js';

const theme = createTheme({});

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

async function app(options: { firstRun?: boolean; history?: FileHistory; server?: 'pop3' | 'smtp'; lesson?: 'watch' | 'step'; watchDelayMs?: number } = {}) {
  const sandbox = new Sandbox();
  const exits: number[] = [];
  const controller = new ClassroomController({
    sandbox,
    firstRun: options.firstRun ?? false,
    ...(options.history ? { history: options.history } : {}),
    ...(options.watchDelayMs ? { watchDelayMs: options.watchDelayMs } : {}),
    onExit: (code) => exits.push(code),
  });
  await controller.open(options.lesson ? { kind: 'lesson', id: 'rfc1939-s10', mode: options.lesson } : { kind: 'sandbox', server: options.server ?? 'pop3' });
  // Waits on the controller (its input handled, its subscribers told), never on the clock.
  const probe = probeController(controller);
  const view = render(<App controller={controller} theme={theme} logins={sandbox.logins} />);
  cleanup = view.unmount;
  const type = async (text: string) => {
    view.stdin.write(text);
    // A lone ESC is handed over on Ink's next turn (it may start a sequence).
    await new Promise((resolve) => setImmediate(resolve));
    await probe.settled();
  };
  // Keys typed before Ink listens are lost: it listens once its effects have run.
  await until(() => view.stdin.listenerCount('readable') > 0, 'Ink to read the keyboard', 5000, { pollMs: 1 });
  await probe.settled();
  return { controller, view, type, exits, probe, frame: () => view.lastFrame() ?? '' };
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

  it('moves the selection with the mouse wheel (xterm SGR reports); a click is swallowed, never typed', async () => {
    const { type, frame, controller } = await app();
    await type('USER alice\r');
    await type('PASS wonderland\r');
    await type('STAT\r');
    await type('\x1b[<64;10;5M');
    expect(controller.selected).toBeDefined();
    expect(frame()).toContain('explanation of the selected line');
    const first = controller.selected!;
    await type('\x1b[<64;10;5M');
    expect(controller.selected).toBeLessThan(first);
    await type('\x1b[<65;10;5M');
    expect(controller.selected).toBe(first);
    await type('\x1b[<0;10;5M\x1b[<0;10;5m');
    expect(controller.console.view().text).toBe('');
    await type('\x1b[<65;10;5M\x1b[<65;10;5M');
    expect(controller.selected).toBeUndefined();
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

describe('/save and /clear', () => {
  it('/save writes the transcript as text (and the events as JSON), the password masked', async () => {
    const { type, frame } = await app();
    const path = join(mkdtempSync(join(tmpdir(), 'maillab-save-')), 'session.txt');
    await type('USER alice\r');
    await type('PASS wonderland\r');
    await type('STAT\r');
    await type(`/save ${path}\r`);
    expect(frame()).toContain('· saved /tmp/');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('C: USER alice');
    expect(text).toContain('C: PASS ****');
    expect(text).toMatch(/S: \+OK 4 \d+/);
    expect(text).not.toContain('wonderland');
    const events = readFileSync(`${path}.json`, 'utf8');
    expect(events.split('\n').filter(Boolean).every((line) => JSON.parse(line).seq > 0)).toBe(true);
    expect(events).not.toContain('wonderland');
  });

  it('/save into a folder that does not exist says so, as a warning', async () => {
    const { type, frame } = await app();
    await type('/save /nonexistent-folder/x.txt\r');
    expect(frame()).toMatch(/cannot save: ENOENT/);
  });

  it('/clear empties the transcript pane; /save still has what was cleared', async () => {
    const { type, frame } = await app();
    await type('USER alice\r');
    expect(frame()).toContain('→ C: USER alice');
    await type('/clear\r');
    expect(frame()).not.toContain('USER alice');
    await type('NOOP\r');
    expect(frame()).toContain('→ C: NOOP');
    const path = join(mkdtempSync(join(tmpdir(), 'maillab-save-')), 'after-clear.txt');
    await type(`/save ${path}\r`);
    expect(readFileSync(path, 'utf8')).toMatch(/C: USER alice[\s\S]*C: NOOP/);
  });
});

describe('a lesson in watch mode', () => {
  it('pauses and goes on with space, plays faster with + and slower with -, shown in the status and key hints', async () => {
    const { type, frame, controller, probe } = await app({ lesson: 'watch', watchDelayMs: 400 });
    const step = () => controller.session?.status.lesson?.step ?? -1;
    await type(' ');
    expect(controller.watch).toEqual({ paused: true, delayMs: 400 });
    expect(frame()).toContain(words['keys.watch']);
    // On a busy machine the clock may have played a step before the space was read: paused where it was.
    const pausedAt = step();
    expect(frame()).toMatch(new RegExp(`step ${pausedAt}/\\d+ │ paused`));
    // Paused: longer than a step's delay passes and nothing is played.
    await quietFor(700);
    expect(step()).toBe(pausedAt);
    await type('+');
    expect(controller.watch?.delayMs).toBe(200);
    await type(' ');
    expect(frame()).toContain('0.2 s a step');
    // Going on: the clock plays the next steps by itself (waited for on the controller's subscription).
    await probe.until(() => step() >= pausedAt + 2, 'two steps played by the clock');
    await type('-');
    await type('-');
    expect(controller.watch?.delayMs).toBe(800);
    expect(frame()).toContain('0.8 s a step');
    // The keys are the input line's again once something is typed (a meta-command).
    await type('/he');
    expect(controller.console.view().text).toBe('/he');
    await type(' ');
    expect(controller.console.view().text).toBe('/he ');
    expect(controller.watch?.paused).toBe(false);
  });
});

describe('a lesson in step mode', () => {
  it('plays each step in the two halves the CLI shows: the client line, then on the next Enter the reply', async () => {
    const { type, frame, controller } = await app({ lesson: 'step' });
    expect(frame()).toContain(words['keys.step']);
    await type('\r');
    expect(frame()).toContain('← S: +OK POP3 server ready');
    expect(frame()).toMatch(/step 1\/\d+/);
    await type('\r');
    expect(frame()).toContain('→ C: APOP mrose');
    expect(frame()).not.toContain("mrose's maildrop has 2 messages");
    expect(frame()).toMatch(/step 2\/\d+/);
    expect(controller.session?.state).toBe('AUTHORIZATION');
    await type('\r');
    expect(frame()).toContain("← S: +OK mrose's maildrop has 2 messages (320 octets)");
    expect(frame()).toMatch(/step 2\/\d+/);
    expect(frame()).toContain('▶ TRANSACTION');
    await type('\r');
    expect(frame()).toContain('→ C: STAT');
    expect(frame()).not.toContain('← S: +OK 2 320');
    await type('\r');
    expect(frame()).toContain('← S: +OK 2 320');
  });
});

describe('the words on screen come from the message file', () => {
  it('shows the key hints, the meta-command marker and the pane headings of tui/messages/en/tui.json', async () => {
    const { type, frame } = await app({ firstRun: true });
    expect(frame()).toContain(words['welcome.heading']);
    expect(frame()).toContain(words['keys.console']);
    expect(frame()).toContain(words['states.heading'].replace('{protocol}', 'POP3'));
    await type('/explain 354\r');
    expect(frame()).toContain(words.metaMarker);
    expect(frame()).toContain(words['explanation.latest']);
  });

  it('keeps every line of key hints within 80 columns, so none is cut at 80×24', () => {
    for (const key of ['keys.console', 'keys.step', 'keys.watch'] as const) expect([...words[key]].length).toBeLessThanOrEqual(80);
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
