/**
 * The console model: typing and editing, history, Tab completion from the
 * tracked state for POP3 and SMTP, hints, DATA and SASL modes, secrets that
 * never reach the visible text, meta-commands, pipelining batches; and the
 * terminal key decoder that feeds it.
 */
import { describe, expect, it } from 'vitest';
import { Pop3Tracker } from '../../core/client/pop3-tracker.js';
import { SmtpTracker } from '../../core/client/smtp-tracker.js';
import { ConsoleModel, MemoryHistory, nextBatch, type ConsoleAction, type ConsoleKey } from '../../core/models/console.js';
import { decodeTerminalKeys } from '../../core/models/terminal-keys.js';

const press = (model: ConsoleModel, ...keys: (ConsoleKey['kind'] | string)[]): ConsoleAction[] =>
  keys.flatMap((key) => (/^[a-z-]+$/.test(key) && key.length > 1 ? model.key({ kind: key } as ConsoleKey) : model.type(key)));

/** Types each character on its own, as a terminal sends them. */
function typeSlowly(model: ConsoleModel, text: string, seen: string[]): void {
  for (const char of text) {
    model.type(char);
    seen.push(model.view().text);
  }
}

describe('editing the line', () => {
  it('inserts at the cursor, moves, deletes, goes home and end', () => {
    const model = new ConsoleModel({ protocol: 'pop3' });
    model.type('STT');
    press(model, 'left');
    model.type('A');
    expect(model.view()).toMatchObject({ text: 'STAT', cursor: 3 });
    press(model, 'home', 'delete');
    expect(model.view()).toMatchObject({ text: 'TAT', cursor: 0 });
    press(model, 'end', 'backspace');
    expect(model.view()).toMatchObject({ text: 'TA', cursor: 2 });
    press(model, 'left', 'kill-line');
    expect(model.view().text).toBe('T');
    expect(press(model, 'enter')).toEqual([{ kind: 'send', lines: ['T'] }]);
    expect(model.view()).toMatchObject({ text: '', cursor: 0, prompt: 'pop3 AUTHORIZATION> ' });
  });

  it('Ctrl-D on an empty line and Ctrl-C quit', () => {
    const model = new ConsoleModel({ protocol: 'smtp' });
    expect(press(model, 'end-of-input')).toEqual([{ kind: 'quit', reason: 'end-of-input' }]);
    model.type('x');
    expect(press(model, 'end-of-input')).toEqual([]);
    expect(press(model, 'interrupt')).toEqual([{ kind: 'quit', reason: 'interrupt' }]);
  });
});

describe('history', () => {
  it('up and down walk it, keeping the line being typed', () => {
    const model = new ConsoleModel({ protocol: 'pop3' });
    for (const line of ['USER alice', 'STAT', 'STAT', 'LIST']) {
      model.type(line);
      press(model, 'enter');
    }
    model.type('RE');
    press(model, 'up');
    expect(model.view().text).toBe('LIST');
    press(model, 'up', 'up');
    expect(model.view().text).toBe('USER alice');
    press(model, 'up');
    expect(model.view().text).toBe('USER alice');
    press(model, 'down', 'down', 'down');
    expect(model.view().text).toBe('RE');
  });

  it('lives in an injected store, and never keeps a secret', () => {
    const store = new MemoryHistory();
    const model = new ConsoleModel({ protocol: 'pop3', history: store });
    for (const line of ['USER alice', 'PASS wonderland', '/plain alice wonderland', 'AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=']) {
      model.type(line);
      press(model, 'enter');
    }
    expect(store.load()).toEqual(['USER alice', 'PASS ', '/plain alice ', 'AUTH PLAIN ']);
    expect(JSON.stringify(store.load())).not.toContain('wonderland');
    // A second console on the same store (a restarted TUI) sees it.
    const again = new ConsoleModel({ protocol: 'pop3', history: store });
    press(again, 'up');
    expect(again.view().text).toBe('AUTH PLAIN ');
  });
});

describe('Tab completion from the tracked state', () => {
  it('POP3: in AUTHORIZATION only the login commands, in TRANSACTION the maildrop ones', () => {
    const tracker = new Pop3Tracker();
    tracker.connected();
    tracker.received('+OK ready');
    const model = new ConsoleModel({ protocol: 'pop3' });
    model.setContext(tracker);
    expect(model.validCommands().map((command) => command.name).sort()).toEqual(['APOP', 'AUTH', 'CAPA', 'PASS', 'QUIT', 'STLS', 'USER']);
    model.type('R');
    press(model, 'tab');
    expect(model.view().text).toBe('R');
    press(model, 'backspace');
    model.type('u');
    press(model, 'tab');
    expect(model.view()).toMatchObject({ text: 'USER ', cursor: 5 });
    press(model, 'kill-to-start');
    for (const [direction, line] of [['s', 'USER a'], ['r', '+OK'], ['s', 'PASS b'], ['r', '+OK in']] as const) if (direction === 's') tracker.sent(line); else tracker.received(line);
    model.setContext(tracker);
    expect(model.view().prompt).toBe('pop3 TRANSACTION> ');
    model.type('R');
    press(model, 'tab');
    expect(model.view()).toMatchObject({ text: 'R', completions: ['RETR', 'RSET'] });
    model.type('E');
    press(model, 'tab');
    expect(model.view().text).toBe('RETR ');
    press(model, 'kill-to-start');
    model.type('ST');
    press(model, 'tab');
    // STAT takes no argument; STLS is not valid in TRANSACTION.
    expect(model.view().text).toBe('STAT');
  });

  it('SMTP: MAIL only once greeted and not twice, DATA only in a transaction; meta-commands complete too', () => {
    const tracker = new SmtpTracker();
    tracker.connected();
    tracker.received('220 mx');
    const model = new ConsoleModel({ protocol: 'smtp' });
    model.setContext(tracker);
    model.type('M');
    press(model, 'tab');
    expect(model.view().text).toBe('M');
    tracker.sent('EHLO me');
    tracker.received('250 mx');
    model.setContext(tracker);
    press(model, 'tab');
    expect(model.view().text).toBe('MAIL ');
    press(model, 'kill-to-start');
    model.type('d');
    press(model, 'tab');
    expect(model.view().text).toBe('d');
    tracker.sent('MAIL FROM:<a@b.example>');
    tracker.received('250 ok');
    model.setContext(tracker);
    press(model, 'tab');
    expect(model.view().text).toBe('DATA');
    press(model, 'kill-to-start');
    model.type('M');
    press(model, 'tab');
    expect(model.view().text).toBe('M');
    press(model, 'kill-to-start');
    model.type('/p');
    press(model, 'tab');
    expect(model.view().text).toBe('/plain ');
  });

  it('hints the syntax, and says when a command is not valid in this state', () => {
    const model = new ConsoleModel({ protocol: 'smtp' });
    model.type('RCPT');
    expect(model.view().hint).toMatch(/^RCPT TO:.*not valid in INIT, only in MAIL, RCPT$/);
    model.setContext({ state: 'MAIL', inputMode: 'command' });
    expect(model.view().hint).toMatch(/^RCPT TO:<.*\(RFC 5321 §4\.1\.1\.3\)$/);
  });
});

describe('secrets are never visible, not even while typed', () => {
  it('PASS: the password is hidden from its first character on, the cursor kept at its end', () => {
    const model = new ConsoleModel({ protocol: 'pop3' });
    const seen: string[] = [];
    typeSlowly(model, 'PASS wonderland', seen);
    expect(seen.some((text) => /w|wo|wonder/.test(text.slice(5)))).toBe(false);
    expect(seen.at(-1)).toBe('PASS ********');
    expect(seen.slice(0, 5)).toEqual(['P', 'PA', 'PAS', 'PASS', 'PASS ']);
    expect(model.view()).toMatchObject({ secret: true, cursor: 13 });
    press(model, 'left', 'left');
    expect(model.view().text).not.toContain('wonder');
    expect(press(model, 'enter')).toEqual([{ kind: 'send', lines: ['PASS wonderland'] }]);
  });

  it('AUTH with an initial response, a SASL response, and /plain hide what is secret', () => {
    const smtp = new ConsoleModel({ protocol: 'smtp' });
    const seen: string[] = [];
    typeSlowly(smtp, 'AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=', seen);
    expect(seen.every((text) => !text.includes('AGFs'))).toBe(true);
    expect(smtp.view().text).toBe('AUTH PLAIN ********');
    press(smtp, 'enter');
    smtp.setContext({ state: 'READY', inputMode: 'sasl' });
    seen.length = 0;
    typeSlowly(smtp, 'd29uZGVybGFuZA==', seen);
    expect(seen.every((text) => text === '********')).toBe(true);
    expect(smtp.view().hint).toMatch(/SASL/);
    press(smtp, 'kill-to-start');
    seen.length = 0;
    typeSlowly(smtp, '/b64 wonderland', seen);
    expect(seen.some((text) => text.includes('wond'))).toBe(false);
    expect(smtp.view().text).toBe('/b64 ********');
    expect(press(smtp, 'enter')).toEqual([{ kind: 'meta', line: '/b64 wonderland' }]);
    smtp.setContext({ state: 'READY', inputMode: 'command' });
    seen.length = 0;
    typeSlowly(smtp, '/plain alice wonderland', seen);
    expect(seen.some((text) => text.includes('wond'))).toBe(false);
    expect(smtp.view().text).toBe('/plain alice ********');
  });

  it('USER and other lines are shown as typed', () => {
    const model = new ConsoleModel({ protocol: 'pop3' });
    model.type('USER alice');
    expect(model.view()).toMatchObject({ text: 'USER alice', secret: false });
  });
});

describe('DATA mode', () => {
  it('content lines go as they are: no meta-commands, no history, "." ends it', () => {
    const store = new MemoryHistory();
    const model = new ConsoleModel({ protocol: 'smtp', history: store });
    model.setContext({ state: 'DATA', inputMode: 'data' });
    expect(model.view().prompt).toBe('smtp DATA (data)> ');
    expect(model.view().hint).toMatch(/"\." ends it/);
    model.type('/help is not a meta-command here');
    expect(press(model, 'enter')).toEqual([{ kind: 'send', lines: ['/help is not a meta-command here'] }]);
    model.type('PASS this is content');
    expect(model.view().text).toBe('PASS this is content');
    press(model, 'enter');
    press(model, 'tab');
    expect(model.view().text).toBe('\t');
    press(model, 'backspace');
    model.type('.');
    expect(press(model, 'enter')).toEqual([{ kind: 'send', lines: ['.'] }]);
    expect(store.load()).toEqual([]);
  });
});

describe('meta-commands', () => {
  it('a line starting with "/" is run locally, not sent', () => {
    const model = new ConsoleModel({ protocol: 'pop3' });
    model.type('/help');
    expect(model.view().hint).toBe('/help');
    expect(press(model, 'enter')).toEqual([{ kind: 'meta', line: '/help' }]);
  });
});

describe('pipelining batches', () => {
  it('nextBatch ends at a command a client must wait after, and before a meta-command', () => {
    const lines = ['EHLO me', 'MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>', 'RCPT TO:<e@f.example>', 'DATA', 'Subject: x', '/help', 'QUIT'];
    expect(nextBatch('smtp', lines, 0)).toBe(1);
    expect(nextBatch('smtp', lines, 1)).toBe(5);
    expect(nextBatch('smtp', lines, 6)).toBe(6);
    expect(nextBatch('pop3', ['USER a', 'PASS b', 'STAT', 'LIST'], 0)).toBe(4);
  });

  it('a paste is sent in batches, each after the replies to the one before', () => {
    const model = new ConsoleModel({ protocol: 'smtp', pipelining: true });
    model.setContext({ state: 'READY', inputMode: 'command' });
    const first = model.key({ kind: 'paste', text: 'MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>\nDATA\nSubject: x\n\n/not-meta\n.\nQUIT\n' });
    expect(first).toEqual([{ kind: 'send', lines: ['MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>', 'DATA'] }]);
    model.setContext({ state: 'DATA', inputMode: 'data' });
    const content: ConsoleAction[] = [];
    for (let i = 0; i < 4; i++) content.push(...model.resume());
    expect(content).toEqual(['Subject: x', '', '/not-meta', '.'].map((line) => ({ kind: 'send', lines: [line] })));
    model.setContext({ state: 'READY', inputMode: 'command' });
    expect(model.resume()).toEqual([{ kind: 'send', lines: ['QUIT'] }]);
    expect(model.resume()).toEqual([]);
  });

  it('without pipelining a paste goes one line at a time; an unfinished last line stays in the editor', () => {
    const model = new ConsoleModel({ protocol: 'pop3' });
    expect(model.key({ kind: 'paste', text: 'USER a\nPASS b\nST' })).toEqual([{ kind: 'send', lines: ['USER a'] }]);
    expect(model.view().text).toBe('ST');
    expect(model.resume()).toEqual([{ kind: 'send', lines: ['PASS b'] }]);
    expect(model.resume()).toEqual([]);
  });
});

describe('terminal keys', () => {
  it('decodes text, Enter, arrows, editing keys and a paste', () => {
    expect(decodeTerminalKeys('ab\x1b[D\x7f\r')).toEqual([{ kind: 'text', text: 'ab' }, { kind: 'left' }, { kind: 'backspace' }, { kind: 'enter' }]);
    expect(decodeTerminalKeys('\x1b[A\x1b[B\x1b[H\x1b[F\x1b[3~\t\x03\x04')).toEqual(['up', 'down', 'home', 'end', 'delete', 'tab', 'interrupt', 'end-of-input'].map((kind) => ({ kind })));
    expect(decodeTerminalKeys('USER a\rPASS b\r')).toEqual([{ kind: 'paste', text: 'USER a\nPASS b\n' }]);
    expect(decodeTerminalKeys('\x1b[200~x\ny\x1b[201~')).toEqual([{ kind: 'paste', text: 'x\ny' }]);
    expect(decodeTerminalKeys('\x1b[1;5Cz')).toEqual([{ kind: 'text', text: 'z' }]);
  });
});
