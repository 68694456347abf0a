import { describe, expect, it } from 'vitest';
import { EngineMisuse } from '../../core/errors.js';
import {
  InputFramer,
  type DataProblem,
  type FramedInput,
  type InputMode,
} from '../../core/framing/input-framer.js';

// ---------------------------------------------------------------------------
// Harness: a fake engine decides the mode after each item, as the real one will;
// every example is fed whole, split at every byte, and byte by byte.

interface Limits {
  command: number;
  /** The command limit for the line after "AUTH ..." (a SASL response). */
  sasl: number;
  line: number;
  size: number;
}

const RFC_LIMITS: Limits = { command: 512, sasl: 12_288, line: 1000, size: 10 * 1024 * 1024 };

/** Items with bytes shown as latin1 strings, so a failing diff is readable. */
type Shown =
  | { kind: 'line'; text: string; bareLf: boolean; bareCr: boolean }
  | { kind: 'overlong'; limit: number }
  | { kind: 'data'; message: string | undefined; octets: number; problems: DataProblem[] }
  | { kind: 'chunk'; bytes: string | undefined; octets: number };

function show(item: FramedInput): Shown {
  switch (item.kind) {
    case 'line':
      return { kind: 'line', text: item.bytes.toString('latin1'), bareLf: item.bareLf, bareCr: item.bareCr };
    case 'overlong':
      return item;
    case 'data':
      return { kind: 'data', message: item.message?.toString('latin1'), octets: item.octets, problems: item.problems };
    case 'chunk':
      return { kind: 'chunk', bytes: item.bytes?.toString('latin1'), octets: item.octets };
  }
}

const line = (text: string, flags: { bareLf?: boolean; bareCr?: boolean } = {}): Shown => ({
  kind: 'line',
  text,
  bareLf: flags.bareLf ?? false,
  bareCr: flags.bareCr ?? false,
});
const data = (message: string, problems: DataProblem[] = []): Shown => ({
  kind: 'data',
  message,
  octets: message.length,
  problems,
});
const tooBig = (octets: number, problems: DataProblem[] = ['too-big']): Shown => ({
  kind: 'data',
  message: undefined,
  octets,
  problems,
});
const chunk = (bytes: string): Shown => ({ kind: 'chunk', bytes, octets: bytes.length });

/** What the engine would ask for after `item`. */
function modeAfter(item: FramedInput | undefined, limits: Limits): InputMode {
  if (item?.kind === 'line') {
    const text = item.bytes.toString('latin1');
    if (/^DATA$/i.test(text)) return { kind: 'data', lineLimit: limits.line, sizeLimit: limits.size };
    const bdat = /^BDAT (\d+)/i.exec(text);
    if (bdat) return { kind: 'chunk', size: Number(bdat[1]), sizeLimit: limits.size };
    if (/^AUTH /i.test(text)) return { kind: 'command', limit: limits.sasl };
  }
  return { kind: 'command', limit: limits.command };
}

interface Run {
  items: Shown[];
  /** The largest `buffered` seen after a push had been drained. */
  maxBuffered: number;
}

function frame(pushes: Uint8Array[], limits: Limits): Run {
  const framer = new InputFramer();
  const items: Shown[] = [];
  let mode = modeAfter(undefined, limits);
  let maxBuffered = 0;
  for (const piece of pushes) {
    framer.push(piece);
    for (let item = framer.next(mode); item; item = framer.next(mode)) {
      items.push(show(item));
      mode = modeAfter(item, limits);
    }
    maxBuffered = Math.max(maxBuffered, framer.buffered);
  }
  return { items, maxBuffered };
}

const bytesOf = (input: string | Buffer): Buffer => (typeof input === 'string' ? Buffer.from(input, 'latin1') : input);

/** Feeds `input` whole, split in two at every position, and byte by byte; all must give `expected`. */
function expectFramed(input: string | Buffer, expected: Shown[], limits: Partial<Limits> = {}): void {
  const all = { ...RFC_LIMITS, ...limits };
  const bytes = bytesOf(input);
  expect(frame([bytes], all).items, 'fed whole').toEqual(expected);
  for (let cut = 1; cut < bytes.length; cut++) {
    expect(frame([bytes.subarray(0, cut), bytes.subarray(cut)], all).items, `split at ${cut}`).toEqual(expected);
  }
  const single = [...bytes].map((byte) => Uint8Array.of(byte));
  expect(frame(single, all).items, 'byte by byte').toEqual(expected);
}

// ---------------------------------------------------------------------------

describe('command lines', () => {
  it('splits pipelined CRLF lines (RFC 5321 §2.3.8)', () => {
    expectFramed('EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n', [
      line('EHLO client.example'),
      line('MAIL FROM:<a@example.org>'),
      line('RCPT TO:<b@example.org>'),
    ]);
  });

  it('gives an empty line for a lone CRLF and nothing for a line still missing its LF', () => {
    expectFramed('\r\nNOOP\r\nQUIT\r', [line(''), line('NOOP')]);
  });

  it('accepts a line ended by LF alone and says so', () => {
    expectFramed('EHLO a\nQUIT\r\n', [line('EHLO a', { bareLf: true }), line('QUIT')]);
  });

  it('flags a CR inside a line, including CRs right before its CRLF or its bare LF', () => {
    expectFramed('EH\rLO a\r\nNOOP\r\r\nRSET\r\r\r\n', [
      line('EH\rLO a', { bareCr: true }),
      line('NOOP\r', { bareCr: true }),
      line('RSET\r\r', { bareCr: true }),
    ]);
    expectFramed('NO\rOP\n', [line('NO\rOP', { bareLf: true, bareCr: true })]);
  });

  it('takes a line of exactly the limit (counting CRLF) and rejects one octet more', () => {
    const fits = 'x'.repeat(510);
    const over = 'y'.repeat(511);
    expectFramed(`${fits}\r\n${over}\r\nQUIT\r\n`, [line(fits), { kind: 'overlong', limit: 512 }, line('QUIT')]);
  });

  it('measures a line ended by LF alone as if it had a CRLF', () => {
    const fits = 'x'.repeat(510);
    const over = 'y'.repeat(511);
    expectFramed(`${fits}\n${over}\nQUIT\r\n`, [line(fits, { bareLf: true }), { kind: 'overlong', limit: 512 }, line('QUIT')]);
  });

  it('reports an overlong line once however it is split, then reads the next line', () => {
    expectFramed(`${'A'.repeat(1500)}\r\nNOOP\r\n`, [{ kind: 'overlong', limit: 512 }, line('NOOP')]);
  });

  it('reports an overlong line as soon as the limit is reached, before any LF', () => {
    const framer = new InputFramer();
    const mode: InputMode = { kind: 'command', limit: 512 };
    for (let i = 0; i < 511; i++) {
      framer.push(Buffer.from('A'));
      expect(framer.next(mode)).toBeUndefined();
    }
    expect(framer.buffered).toBe(511);
    framer.push(Buffer.from('A'));
    expect(framer.next(mode)).toEqual({ kind: 'overlong', limit: 512 });
    expect(framer.buffered).toBe(0);
  });

  it('holds fewer octets than the limit while 10 MB arrive without a LF, and reports one overlong line', () => {
    const limit = 512;
    const framer = new InputFramer();
    const mode: InputMode = { kind: 'command', limit };
    const piece = Buffer.alloc(64 * 1024, 'A');
    const items: FramedInput[] = [];
    let maxBuffered = 0;
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += piece.length) {
      framer.push(piece);
      for (let item = framer.next(mode); item; item = framer.next(mode)) items.push(item);
      maxBuffered = Math.max(maxBuffered, framer.buffered);
    }
    expect(items).toEqual([{ kind: 'overlong', limit }]);
    expect(maxBuffered).toBeLessThan(limit);
    framer.push(Buffer.from('AAAA\r\nQUIT\r\n'));
    expect(framer.next(mode)).toMatchObject({ kind: 'line', bytes: Buffer.from('QUIT') });
    expect(framer.next(mode)).toBeUndefined();
  });

  it('lets the engine raise the limit for one line (a SASL response) and lower it again', () => {
    const response = 'A'.repeat(600);
    expectFramed(`AUTH PLAIN\r\n${response}\r\n${response}\r\n`, [
      line('AUTH PLAIN'),
      line(response),
      { kind: 'overlong', limit: 512 },
    ]);
  });

  it('copies pushed octets, so the caller may reuse its buffer', () => {
    const framer = new InputFramer();
    const socketBuffer = Buffer.from('NOOP\r\nQU');
    framer.push(socketBuffer);
    socketBuffer.fill(0x21);
    framer.push(Buffer.from('IT\r\n'));
    const mode: InputMode = { kind: 'command', limit: 512 };
    expect(show(framer.next(mode)!)).toEqual(line('NOOP'));
    expect(show(framer.next(mode)!)).toEqual(line('QUIT'));
  });
});

describe('DATA content', () => {
  it('reads a message that arrives in the same packet as DATA, then the pipelined QUIT', () => {
    expectFramed('MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n', [
      line('MAIL FROM:<a@x>'),
      line('RCPT TO:<b@y>'),
      line('DATA'),
      data('Subject: hi\r\n\r\nhello\r\n'),
      line('QUIT'),
    ]);
  });

  it('removes one leading dot from each line (RFC 5321 §4.5.2) and leaves other dots alone', () => {
    expectFramed('DATA\r\n..x\r\n..\r\n...\r\n.y\r\na.b.\r\n\r\n.\r\nQUIT\r\n', [
      line('DATA'),
      data('.x\r\n.\r\n..\r\ny\r\na.b.\r\n\r\n'),
      line('QUIT'),
    ]);
  });

  it('reads "." CRLF as the first line as an empty message', () => {
    expectFramed('DATA\r\n.\r\nQUIT\r\n', [line('DATA'), data(''), line('QUIT')]);
  });

  it('keeps scanning across pushes: bytes are drained as they arrive, not held until the end', () => {
    const framer = new InputFramer();
    const mode: InputMode = { kind: 'data', lineLimit: 1000, sizeLimit: 1_000_000 };
    for (const piece of ['Subject: x\r\n\r\n', 'a'.repeat(500), '\r', '\n', '.', '\r']) {
      framer.push(Buffer.from(piece));
      expect(framer.next(mode)).toBeUndefined();
      expect(framer.buffered).toBe(0);
    }
    framer.push(Buffer.from('\nQUIT\r\n'));
    expect(show(framer.next(mode)!)).toEqual(data(`Subject: x\r\n\r\n${'a'.repeat(500)}\r\n`));
    expect(framer.buffered).toBe('QUIT\r\n'.length);
  });

  it('reads several messages and BDAT-free commands back to back in one packet', () => {
    expectFramed('DATA\r\none\r\n.\r\nDATA\r\n.\r\nDATA\r\n..\r\n.\r\nRSET\r\n', [
      line('DATA'),
      data('one\r\n'),
      line('DATA'),
      data(''),
      line('DATA'),
      data('.\r\n'),
      line('RSET'),
    ]);
  });

  // SMTP smuggling (2023): each of these ends the data at some server or other.
  // Here none may end it; the lone CR or LF is kept and reported, and only the
  // real CRLF "." CRLF ends the message, after which the next command is read.
  const smuggled = 'MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nFrom: ceo@y\r\n\r\npay\r\n';
  const variants: Array<[wire: string, kept: string, problems: DataProblem[]]> = [
    ['\n.\n', '\n.\n', ['bare-lf']],
    ['\n.\r\n', '\n.\r\n', ['bare-lf']],
    ['\r.\r', '\r.\r', ['bare-cr']],
    ['\r\n.\r', '\r\n\r', ['bare-cr']],
    ['\r.\r\n', '\r.\r\n', ['bare-cr']],
    ['\n.\r', '\n.\r', ['bare-lf', 'bare-cr']],
    ['\r\n.\n', '\r\n\n', ['bare-lf']],
    ['\r.\n', '\r.\n', ['bare-lf', 'bare-cr']],
    ['\n\r\n.\r\r\n', '\n\r\n\r\r\n', ['bare-lf', 'bare-cr']],
  ];
  for (const [wire, kept, problems] of variants) {
    it(`does not end the message at ${JSON.stringify(wire)}`, () => {
      expectFramed(`DATA\r\nhello${wire}${smuggled}.\r\nMAIL FROM:<x>\r\n`, [
        line('DATA'),
        data(`hello${kept}${smuggled}`, problems),
        line('MAIL FROM:<x>'),
      ]);
    });
  }

  it('does not end the message at a lone-LF or lone-CR dot line right after DATA', () => {
    expectFramed(`DATA\r\n.\n${smuggled}.\r\nQUIT\r\n`, [line('DATA'), data(`\n${smuggled}`, ['bare-lf']), line('QUIT')]);
    expectFramed(`DATA\r\n.\r${smuggled}.\r\nQUIT\r\n`, [line('DATA'), data(`\r${smuggled}`, ['bare-cr']), line('QUIT')]);
    expectFramed(`DATA\r\n\n.\r\n${smuggled}.\r\nQUIT\r\n`, [
      line('DATA'),
      data(`\n.\r\n${smuggled}`, ['bare-lf']),
      line('QUIT'),
    ]);
  });

  it('keeps a message of exactly the size limit and drops one octet more, still finding the end', () => {
    const fits = 'a'.repeat(8); // + CRLF = 10 octets
    expectFramed(`DATA\r\n${fits}\r\n.\r\nDATA\r\n${fits}a\r\n.\r\nQUIT\r\n`, [
      line('DATA'),
      data(`${fits}\r\n`),
      line('DATA'),
      tooBig(11),
      line('QUIT'),
    ], { size: 10 });
  });

  it('counts the unstuffed size against the size limit', () => {
    // 6 octets on the wire per line, 5 after unstuffing: two lines fit in 10.
    expectFramed('DATA\r\n..ab\r\n..cd\r\n.\r\nQUIT\r\n', [line('DATA'), data('.ab\r\n.cd\r\n'), line('QUIT')], {
      size: 10,
    });
  });

  it('reports other problems of a too-big message too', () => {
    expectFramed('DATA\r\nab\ncd\r\nef\0\r\n.\r\nQUIT\r\n', [line('DATA'), tooBig(12, ['bare-lf', 'too-big', 'nul']), line('QUIT')], {
      size: 5,
    });
  });

  it('drains 50 MB in 64 KB pushes past the size limit without holding them, and counts every octet', () => {
    const piece = Buffer.from(`${'x'.repeat(62)}\r\n`.repeat(1024)); // 64 KiB of 64-octet lines
    const pieces = 800; // 50 MiB
    const pushes = [Buffer.concat([Buffer.from('DATA\r\n'), piece])];
    for (let i = 1; i < pieces; i++) pushes.push(piece);
    pushes.push(Buffer.from('.\r\nQUIT\r\n'));
    const run = frame(pushes, { ...RFC_LIMITS, size: 1024 * 1024 });
    expect(run.items).toEqual([line('DATA'), tooBig(piece.length * pieces), line('QUIT')]);
    expect(run.maxBuffered).toBe(0);
  });

  it('reports a line longer than the line limit, keeps it, and still finds the end', () => {
    const fits = 'a'.repeat(998); // + CRLF = 1000
    const over = 'b'.repeat(999);
    expectFramed(`DATA\r\n${fits}\r\n.\r\nDATA\r\n${over}\r\n.\r\nQUIT\r\n`, [
      line('DATA'),
      data(`${fits}\r\n`),
      line('DATA'),
      data(`${over}\r\n`, ['line-too-long']),
      line('QUIT'),
    ]);
  });

  it('does not count a stuffing dot in the line length (RFC 5321 §4.5.3.1.6)', () => {
    const text = 'a'.repeat(997);
    expectFramed(`DATA\r\n..${text}\r\n.\r\nQUIT\r\n`, [line('DATA'), data(`.${text}\r\n`), line('QUIT')]);
  });

  it('counts lone CR and LF octets in the line they sit in', () => {
    expectFramed('DATA\r\nab\ncd\r\n.\r\nQUIT\r\n', [line('DATA'), data('ab\ncd\r\n', ['bare-lf', 'line-too-long']), line('QUIT')], {
      line: 6,
    });
    expectFramed('DATA\r\nabcd\r\n.\r\nQUIT\r\n', [line('DATA'), data('abcd\r\n'), line('QUIT')], { line: 6 });
  });

  it('reports a NUL octet and keeps it', () => {
    expectFramed('DATA\r\na\0b\r\n\0\r\n.\r\nQUIT\r\n', [line('DATA'), data('a\0b\r\n\0\r\n', ['nul']), line('QUIT')]);
  });
});

describe('DATA content against a whole-buffer reference', () => {
  /** A plain reading of RFC 5321 §4.1.1.4 and §4.5.2, on the whole input at once. */
  function reference(body: string, limits: Limits): Shown[] {
    const wire = `\r\n${body}`;
    const end = wire.indexOf('\r\n.\r\n');
    const raw = wire.slice(2, end + 2);
    const lines = raw === '' ? [] : raw.slice(0, -2).split('\r\n');
    const unstuffed = lines.map((text) => (text.startsWith('.') ? text.slice(1) : text));
    const message = unstuffed.map((text) => `${text}\r\n`).join('');
    const problems: DataProblem[] = [];
    if (/(^|[^\r])\n/.test(message)) problems.push('bare-lf');
    if (/\r(?!\n)/.test(message)) problems.push('bare-cr');
    if (unstuffed.some((text) => text.length + 2 > limits.line)) problems.push('line-too-long');
    if (message.length > limits.size) problems.push('too-big');
    if (message.includes('\0')) problems.push('nul');
    const item: Shown = message.length > limits.size ? tooBig(message.length, problems) : data(message, problems);
    const rest = wire.slice(end + 5).split('\n');
    rest.pop(); // the part after the last LF is an unfinished line
    const commands = rest.map((text) =>
      text.endsWith('\r')
        ? line(text.slice(0, -1), { bareCr: text.slice(0, -1).includes('\r') })
        : line(text, { bareLf: true, bareCr: text.includes('\r') }),
    );
    return [line('DATA'), item, ...commands];
  }

  /** A small deterministic generator (mulberry32), so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('agrees on 2000 random bodies made of dots, CRs, LFs and NULs, split at random places', () => {
    const next = random(5321);
    const pieces = ['.', '.', '\r', '\n', '\r\n', '\r\n', 'a', 'b', '\0', '\r\n.', '.\r', '\n.'];
    const limits: Limits = { ...RFC_LIMITS, line: 6, size: 24 };
    for (let round = 0; round < 2000; round++) {
      let body = '';
      const length = Math.floor(next() * 20);
      for (let i = 0; i < length; i++) body += pieces[Math.floor(next() * pieces.length)]!;
      body += '\r\n.\r\nNOOP\r\nQUIT\n';
      const input = bytesOf(`DATA\r\n${body}`);
      const cuts = new Set([0, input.length]);
      for (let i = Math.floor(next() * 6); i > 0; i--) cuts.add(Math.floor(next() * input.length));
      const sorted = [...cuts].sort((a, b) => a - b);
      const pushes = sorted.slice(1).map((cut, i) => input.subarray(sorted[i], cut));
      expect(frame(pushes, limits).items, JSON.stringify(body)).toEqual(reference(body, limits));
    }
  });

  // Text between CR, LF and NUL octets is skipped with Buffer.indexOf; these exercise long runs.
  it('agrees with the reference on 2000 random bodies with long runs of text around the special octets', () => {
    const next = random(1870);
    const pieces = ['hello world ', 'abcdefghij', 'x', '.', '\r', '\n', '\r\n', '\r\n', '\r\n.', '\0', 'Subject: runs', '.\r', '\n.'];
    const limits: Limits = { ...RFC_LIMITS, line: 14, size: 120 };
    for (let round = 0; round < 2000; round++) {
      let body = '';
      const length = Math.floor(next() * 16);
      for (let i = 0; i < length; i++) body += pieces[Math.floor(next() * pieces.length)]!;
      body += '\r\n.\r\nNOOP\r\n';
      const input = bytesOf(`DATA\r\n${body}`);
      const cuts = new Set([0, input.length]);
      for (let i = Math.floor(next() * 6); i > 0; i--) cuts.add(Math.floor(next() * input.length));
      const sorted = [...cuts].sort((a, b) => a - b);
      const pushes = sorted.slice(1).map((cut, i) => input.subarray(sorted[i], cut));
      expect(frame(pushes, limits).items, JSON.stringify(body)).toEqual(reference(body, limits));
    }
  });

  it('finds the line limit inside a run, the same however the run is split', () => {
    const limits: Limits = { ...RFC_LIMITS, line: 12 };
    expectFramed('DATA\r\n0123456789\r\n01234567890\r\n..abcdefghij\r\nend\0x\r\n.\r\nQUIT\r\n', [
      line('DATA'),
      data('0123456789\r\n01234567890\r\n.abcdefghij\r\nend\0x\r\n', ['line-too-long', 'nul']),
      line('QUIT'),
    ], limits);
  });
});

describe('BDAT chunks', () => {
  it('reads exactly the declared octets, raw, then the next command from the same packet', () => {
    const raw = '.\r\n\r\n.\r\nx\n\r\0';
    expectFramed(`BDAT ${raw.length}\r\n${raw}BDAT 3 LAST\r\nabcQUIT\r\n`, [
      line(`BDAT ${raw.length}`),
      chunk(raw),
      line('BDAT 3 LAST'),
      chunk('abc'),
      line('QUIT'),
    ]);
  });

  it('gives an empty chunk at once for BDAT 0 LAST (RFC 3030 §2)', () => {
    expectFramed('BDAT 0 LAST\r\nQUIT\r\n', [line('BDAT 0 LAST'), chunk(''), line('QUIT')]);
    const framer = new InputFramer();
    expect(framer.next({ kind: 'chunk', size: 0, sizeLimit: 10 })).toEqual({ kind: 'chunk', bytes: Buffer.alloc(0), octets: 0 });
  });

  it('discards a chunk over the size limit as it arrives, counting it', () => {
    expectFramed('BDAT 6\r\nabcdefBDAT 4 LAST\r\nwxyzNOOP\r\n', [
      line('BDAT 6'),
      { kind: 'chunk', bytes: undefined, octets: 6 },
      line('BDAT 4 LAST'),
      chunk('wxyz'),
      line('NOOP'),
    ], { size: 4 });
    const framer = new InputFramer();
    const mode: InputMode = { kind: 'chunk', size: 3 * 64 * 1024, sizeLimit: 1024 };
    for (let i = 0; i < 2; i++) {
      framer.push(Buffer.alloc(64 * 1024));
      expect(framer.next(mode)).toBeUndefined();
      expect(framer.buffered).toBe(0);
    }
    framer.push(Buffer.alloc(64 * 1024 + 1, 'Q'));
    expect(framer.next(mode)).toEqual({ kind: 'chunk', bytes: undefined, octets: 3 * 64 * 1024 });
    expect(framer.buffered).toBe(1);
  });
});

describe('engine misuse', () => {
  const command: InputMode = { kind: 'command', limit: 512 };
  const dataMode: InputMode = { kind: 'data', lineLimit: 1000, sizeLimit: 1000 };
  const chunkMode: InputMode = { kind: 'chunk', size: 10, sizeLimit: 1000 };

  it('throws when the mode changes in the middle of a message', () => {
    const framer = new InputFramer();
    framer.push(Buffer.from('half a message\r\n'));
    expect(framer.next(dataMode)).toBeUndefined();
    framer.push(Buffer.from('QUIT\r\n'));
    expect(() => framer.next(command)).toThrow(EngineMisuse);
    expect(() => framer.next({ ...dataMode, sizeLimit: 5 })).toThrow(EngineMisuse);
    // The same mode still finishes it.
    framer.push(Buffer.from('.\r\n'));
    expect(show(framer.next(dataMode)!)).toEqual(data('half a message\r\nQUIT\r\n'));
  });

  it('throws when the mode changes in the middle of a chunk', () => {
    const framer = new InputFramer();
    framer.push(Buffer.from('12345'));
    expect(framer.next(chunkMode)).toBeUndefined();
    expect(() => framer.next(command)).toThrow(EngineMisuse);
    expect(() => framer.next(dataMode)).toThrow(EngineMisuse);
    expect(() => framer.next({ ...chunkMode, size: 5 })).toThrow(EngineMisuse);
  });

  it('throws when DATA or BDAT is asked for while an overlong command line is still arriving', () => {
    const framer = new InputFramer();
    framer.push(Buffer.alloc(600, 'A'));
    expect(framer.next(command)).toEqual({ kind: 'overlong', limit: 512 });
    expect(() => framer.next(dataMode)).toThrow(EngineMisuse);
    expect(() => framer.next(chunkMode)).toThrow(EngineMisuse);
  });

  it('throws on a mode with impossible limits', () => {
    const framer = new InputFramer();
    expect(() => framer.next({ kind: 'command', limit: 0 })).toThrow(EngineMisuse);
    expect(() => framer.next({ kind: 'chunk', size: -1, sizeLimit: 10 })).toThrow(EngineMisuse);
    expect(() => framer.next({ kind: 'data', lineLimit: 1000, sizeLimit: Number.NaN })).toThrow(EngineMisuse);
  });
});
