/**
 * The transcript model from real event sequences: the client trackers fed a
 * session line by line (a raw client against any server), and the POP3 engine
 * (the lab, lessons, serve --verbose). Rows, notes where they belong, bodies
 * kept, pending until the reply is complete, brief after the first time.
 */
import { describe, expect, it } from 'vitest';
import { Pop3Tracker } from '../../core/client/pop3-tracker.js';
import { SmtpTracker } from '../../core/client/smtp-tracker.js';
import { EventStamper, type WireEvent } from '../../core/events.js';
import { TranscriptModel, transcriptRows, type LineRow, type TranscriptRow } from '../../core/models/transcript.js';
import { renderRows } from '../../core/render/transcript.js';
import { makeHarness, rfcMaildrop } from '../helpers/pop3-harness.js';
import { scaled } from '../helpers/time.js';

type Step = ['s' | 'r', string];

/** Feeds a tracker a session; returns its events in order. */
function track(tracker: Pop3Tracker | SmtpTracker, steps: readonly Step[]): WireEvent[] {
  const events = [...tracker.connected()];
  for (const [direction, line] of steps) events.push(...(direction === 's' ? tracker.sent(line) : tracker.received(line)));
  return events;
}

const notesOf = (row: TranscriptRow) => row.notes.map((note) => (note.event.kind === 'annotation' ? note.event.key : `${note.event.from}->${note.event.to}`));
const lineRows = (rows: readonly TranscriptRow[]) => rows.filter((row): row is LineRow => row.kind === 'line');

const POP3_SESSION: Step[] = [
  ['r', '+OK POP3 ready <1.2@x>'],
  ['s', 'USER alice'],
  ['r', '+OK alice, send PASS'],
  ['s', 'PASS wonderland'],
  ['r', '+OK in'],
  ['s', 'RETR 1'],
  ['r', '+OK 24 octets'],
  ['r', 'Subject: hi'],
  ['r', ''],
  ['r', '..dotted'],
  ['r', '.'],
  ['s', 'QUIT'],
  ['r', '+OK bye'],
];

describe('the transcript model, from a POP3 tracker', () => {
  const rows = transcriptRows(track(new Pop3Tracker(), POP3_SESSION));

  it('makes one row per wire line, the body a row of its own with its content, secrets masked', () => {
    expect(rows.map((row) => (row.kind === 'line' ? `${row.from[0]}:${row.text}` : row.kind))).toEqual([
      's:+OK POP3 ready <1.2@x>',
      'c:USER alice',
      's:+OK alice, send PASS',
      'c:PASS ********',
      's:+OK in',
      'c:RETR 1',
      's:+OK 24 octets',
      'body',
      'c:QUIT',
      's:+OK bye',
    ]);
    const body = rows.find((row) => row.kind === 'body');
    expect(body).toMatchObject({ from: 'server', body: { lines: 3, content: 'Subject: hi\r\n\r\n.dotted' } });
  });

  it('attaches each note to the line it explains, and a transition to the line that caused it', () => {
    const byText = new Map(lineRows(rows).map((row) => [row.text, notesOf(row)]));
    expect(byText.get('+OK POP3 ready <1.2@x>')).toEqual(['pop3.reply.ok', 'pop3.greeting.apop-timestamp']);
    expect(byText.get('USER alice')).toEqual(['pop3.command.USER']);
    expect(byText.get('PASS ********')).toEqual(['pop3.command.PASS']);
    expect(byText.get('+OK in')).toEqual(['pop3.reply.ok', 'AUTHORIZATION->TRANSACTION']);
    expect(byText.get('+OK 24 octets')).toEqual(['pop3.reply.ok']);
    expect(notesOf(rows.find((row) => row.kind === 'body')!)).toEqual(['pop3.retr.size-check']);
    expect(byText.get('+OK bye')).toEqual(['pop3.reply.ok', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
  });

  it('explains a key in full the first time; a generic status explanation is left out after (issue 9); detail and warnings stay full', () => {
    const ok = rows.flatMap((row) => row.notes).filter((note) => note.event.kind === 'annotation' && note.event.key === 'pop3.reply.ok');
    expect(ok.map((note) => note.explanation)).toEqual(['full', 'none', 'none', 'none', 'none']);
    expect(ok.map((note) => note.first)).toEqual([true, false, false, false, false]);
    const stamp = rows.flatMap((row) => row.notes).find((note) => note.event.kind === 'annotation' && note.event.key === 'pop3.greeting.apop-timestamp');
    expect(stamp?.explanation).toBe('full');
  });

  it('the annotations level: brief shortens every explanation, off leaves only warnings', () => {
    const events = track(new Pop3Tracker(), POP3_SESSION);
    const brief = transcriptRows(events, { annotations: 'brief' }).flatMap((row) => row.notes);
    const firstTimes = brief.filter((note) => note.event.kind === 'annotation' && note.first);
    expect(new Set(firstTimes.map((note) => note.explanation))).toEqual(new Set(['brief']));
    expect(new Set(brief.filter((note) => note.event.kind === 'annotation').map((note) => note.explanation))).toEqual(new Set(['brief', 'none']));
    const off = transcriptRows(events, { annotations: 'off' });
    expect(off.flatMap((row) => row.notes).every((note) => note.explanation === 'none')).toBe(true);
    const text = renderRows(off);
    expect(text.filter((line) => !/^[CS]: /.test(line))).toEqual([]);
    const warned = transcriptRows([{ kind: 'line', from: 'client', text: 'PASS ********', masked: true }, { kind: 'annotation', about: 'warning', key: 'pop3.warning.plaintext-password', rfc: 'RFC 8314 §1' }], { annotations: 'off' });
    expect(warned[0]!.notes[0]!.explanation).toBe('full');
  });

  it('keeps a client row pending until its reply is complete, a status line pending until its body came', () => {
    const model = new TranscriptModel();
    const tracker = new Pop3Tracker();
    model.applyAll(tracker.connected());
    const feed = (direction: 's' | 'r', line: string) => model.applyAll(direction === 's' ? tracker.sent(line) : tracker.received(line));
    feed('r', '+OK ready');
    expect(model.rows[0]!.status).toBe('final');
    feed('s', 'USER alice');
    feed('s', 'LIST');
    expect(model.rows.map((row) => row.status)).toEqual(['final', 'pending', 'pending']);
    feed('r', '+OK');
    expect(model.rows.map((row) => row.status)).toEqual(['final', 'final', 'pending', 'final']);
    const updates = feed('r', '+OK 1 messages');
    expect(updates.filter((update) => update.kind === 'final')).toEqual([]);
    expect(model.rows[4]).toMatchObject({ kind: 'line', text: '+OK 1 messages', status: 'pending', answers: 2 });
    feed('r', '1 120');
    const done = feed('r', '.');
    expect(done.filter((update) => update.kind === 'final').map((update) => update.row.id).sort()).toEqual([2, 4]);
    expect(model.rows.every((row) => row.status === 'final')).toBe(true);
  });

  it('freezes rows that can change no more', () => {
    const model = new TranscriptModel();
    model.applyAll(track(new Pop3Tracker(), POP3_SESSION));
    const rows = model.rows;
    expect(rows.slice(0, -1).every((row) => Object.isFrozen(row) && Object.isFrozen(row.notes))).toBe(true);
    expect(() => (rows[0]!.notes as unknown[]).push('x')).toThrow();
  });
});

describe('the transcript model, from an SMTP tracker', () => {
  const events = track(new SmtpTracker(), [
    ['r', '220 mx ESMTP'],
    ['s', 'EHLO me'],
    ['r', '250-mx'],
    ['r', '250-PIPELINING'],
    ['r', '250 SIZE 1000'],
    ['s', 'MAIL FROM:<a@b.example>'],
    ['s', 'RCPT TO:<c@d.example>'],
    ['s', 'DATA'],
    ['r', '250 ok'],
    ['r', '550 no such user'],
    ['r', '554 no valid recipients'],
    ['s', 'RSET'],
    ['r', '250 reset'],
    ['s', 'QUIT'],
    ['r', '221 bye'],
  ]);

  it('a multi-line reply: every line a row, pending until the last; the reply and keyword notes on the last line', () => {
    const model = new TranscriptModel();
    const tracker = new SmtpTracker();
    model.applyAll(tracker.connected());
    model.applyAll(tracker.received('220 mx'));
    model.applyAll(tracker.sent('EHLO me'));
    model.applyAll(tracker.received('250-mx'));
    model.applyAll(tracker.received('250-PIPELINING'));
    expect(model.rows.map((row) => row.status)).toEqual(['final', 'pending', 'pending', 'pending']);
    model.applyAll(tracker.received('250 SIZE 1000'));
    expect(model.rows.map((row) => row.status)).toEqual(['final', 'final', 'final', 'final', 'final']);
    expect(notesOf(model.rows[4]!)).toEqual(['smtp.reply.250', 'smtp.keyword.PIPELINING', 'smtp.keyword.SIZE', 'smtp.context.size', 'INIT->READY']);
    expect(model.rows.slice(2, 4).every((row) => row.notes.length === 0)).toBe(true);
  });

  it('pipelined commands are paired with their replies in order', () => {
    const rows = lineRows(transcriptRows(events));
    const answered = rows.filter((row) => row.from === 'server' && row.answers !== undefined).map((row) => `${row.text} <- ${(rows.find((other) => other.id === row.answers) as LineRow).text}`);
    expect(answered).toEqual(['250-mx <- EHLO me', '250-PIPELINING <- EHLO me', '250 SIZE 1000 <- EHLO me', '250 ok <- MAIL FROM:<a@b.example>', '550 no such user <- RCPT TO:<c@d.example>', '554 no valid recipients <- DATA', '250 reset <- RSET', '221 bye <- QUIT']);
  });

  it('DATA content is a client body row with its content; an unstuffed dot warns', () => {
    const tracker = new SmtpTracker();
    const list = track(tracker, [
      ['r', '220 mx'],
      ['s', 'HELO me'],
      ['r', '250 mx'],
      ['s', 'MAIL FROM:<>'],
      ['r', '250 ok'],
      ['s', 'RCPT TO:<a@b.example>'],
      ['r', '250 ok'],
      ['s', 'DATA'],
      ['r', '354 go'],
      ['s', 'Subject: x'],
      ['s', ''],
      ['s', '.oops'],
      ['s', '.'],
      ['r', '250 queued'],
    ]);
    const rows = transcriptRows(list);
    const body = rows.find((row) => row.kind === 'body');
    expect(body).toMatchObject({ from: 'client', body: { lines: 3, content: 'Subject: x\r\n\r\noops', ending: 'dot' } });
    const dot = rows[body!.id + 1] as LineRow;
    expect(dot).toMatchObject({ kind: 'line', from: 'client', text: '.', status: 'final' });
    expect(lineRows(rows).find((row) => row.text === '250 queued')?.answers).toBe(dot.id);
  });

  it('renders as RFC-style text: each line, then what explains it', () => {
    const text = renderRows(transcriptRows(events));
    const at = (line: string) => text.indexOf(line);
    expect(at('C: EHLO me')).toBeLessThan(text.findIndex((line) => line.startsWith('   = EHLO')));
    expect(text.findIndex((line) => line.startsWith('   + SIZE 1000'))).toBeGreaterThan(at('S: 250 SIZE 1000'));
    // 250 explained whole once, then left out: it says nothing new under every reply.
    expect(text.filter((line) => line.startsWith('   = 250')).map((line) => !line.includes(': '))).toEqual([false]);
  });
});

describe('the transcript model, from the POP3 engine', () => {
  it('puts the +OK explanation on the status line though the engine emits it after the body', async () => {
    const harness = makeHarness({}, rfcMaildrop);
    const stamper = new EventStamper('lab#1');
    const model = new TranscriptModel();
    model.applyAll(stamper.stampAll(harness.greeting.events));
    for (const line of ['USER mrose', 'PASS tanstaaf', 'RETR 1', 'QUIT']) model.applyAll(stamper.stampAll((await harness.output(line)).events));
    const engineOrder = (await makeHarness({}, rfcMaildrop).output('CAPA')).events.map((event) => event.kind);
    expect(engineOrder.indexOf('body')).toBeLessThan(engineOrder.indexOf('annotation', engineOrder.indexOf('line', 2)));
    const rows = model.rows;
    const status = lineRows(rows).find((row) => row.text.startsWith('+OK 120 octets'))!;
    expect(notesOf(status)).toEqual(['pop3.reply.ok']);
    expect(rows[status.id + 1]).toMatchObject({ kind: 'body', body: { lines: expect.any(Number) } });
    expect(rows.every((row) => row.seq > 0)).toBe(true);
    expect(lineRows(rows).find((row) => row.from === 'client' && row.text.startsWith('PASS'))?.text).toBe('PASS ********');
  });
});

describe('the transcript model at scale', () => {
  it('appends 10,000 rows quickly, keeps every row, and freezes the finished ones', () => {
    const model = new TranscriptModel();
    const tracker = new SmtpTracker();
    model.applyAll(tracker.connected());
    model.applyAll(tracker.received('220 mx'));
    const started = performance.now();
    for (let i = 0; i < 5000; i++) {
      model.applyAll(tracker.sent('NOOP'));
      model.applyAll(tracker.received('250 2.0.0 OK'));
    }
    const elapsed = performance.now() - started;
    expect(model.rows.length).toBe(10_001);
    expect(model.rows.filter((row) => row.status === 'pending')).toEqual([]);
    expect(model.rows.slice(0, -1).every((row) => Object.isFrozen(row))).toBe(true);
    expect(model.rows[10_000]!.notes.map((note) => note.explanation)).toEqual(['none', 'none']);
    // A bound that catches a quadratic model (minutes), scaled for a busy machine; bench/ measures the speed.
    expect(elapsed).toBeLessThan(scaled(2000));
  });
});
