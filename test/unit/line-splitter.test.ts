import { describe, expect, it } from 'vitest';
import { LineSplitter, type FramedItem } from '../../core/framing/line-splitter.js';

/** Items as plain values, so two framings can be compared with toEqual. */
type Simple = { line: string; bareLf: boolean } | { overlong: number };

function simplify(items: readonly FramedItem[]): Simple[] {
  return items.map((item) => (item.kind === 'line' ? { line: item.bytes.toString('latin1'), bareLf: item.bareLf } : { overlong: item.limit }));
}

/** Feeds `input` cut at the given offsets (ascending), returns every item. */
function feed(input: Buffer, cuts: readonly number[], limit: number): Simple[] {
  const splitter = new LineSplitter(limit);
  const items: FramedItem[] = [];
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    items.push(...splitter.push(input.subarray(start, cut)));
    start = cut;
  }
  return simplify(items);
}

function byteByByte(input: Buffer, limit: number): Simple[] {
  return feed(input, Array.from({ length: input.length }, (_, i) => i), limit);
}

const line = (text: string, bareLf = false): Simple => ({ line: text, bareLf });

describe('LineSplitter: complete lines', () => {
  it('splits CRLF lines and strips the CRLF', () => {
    const splitter = new LineSplitter(255);
    expect(simplify(splitter.push(Buffer.from('USER alice\r\nPASS secret\r\n')))).toEqual([line('USER alice'), line('PASS secret')]);
    expect(splitter.buffered).toBe(0);
  });

  it('accepts bare LF and says so', () => {
    const splitter = new LineSplitter(255);
    expect(simplify(splitter.push(Buffer.from('STAT\nLIST\r\nNOOP\n')))).toEqual([line('STAT', true), line('LIST'), line('NOOP', true)]);
  });

  it('returns empty lines for "\\r\\n" and "\\n"', () => {
    const splitter = new LineSplitter(255);
    expect(simplify(splitter.push(Buffer.from('\r\n\n\r\n')))).toEqual([line(''), line('', true), line('')]);
  });

  it('strips only the CR right before the LF; other CRs are content', () => {
    const splitter = new LineSplitter(255);
    expect(simplify(splitter.push(Buffer.from('A\rB\r\nabc\r\r\n\r\r\n')))).toEqual([line('A\rB'), line('abc\r'), line('\r')]);
  });

  it('holds a partial line until its LF arrives', () => {
    const splitter = new LineSplitter(255);
    expect(splitter.push(Buffer.from('STA'))).toEqual([]);
    expect(splitter.buffered).toBe(3);
    expect(splitter.push(Buffer.from('T\r'))).toEqual([]);
    expect(splitter.buffered).toBe(5);
    expect(simplify(splitter.push(Buffer.from('\nNO')))).toEqual([line('STAT')]);
    expect(splitter.buffered).toBe(2);
  });

  it('keeps 8-bit and NUL bytes as they are (the engine judges them)', () => {
    const splitter = new LineSplitter(255);
    const [item] = splitter.push(Buffer.from([0x41, 0x00, 0xe9, 0x0d, 0x0a]));
    expect(item).toEqual({ kind: 'line', bytes: Buffer.from([0x41, 0x00, 0xe9]), bareLf: false });
  });

  it('reads a Uint8Array view at an offset into a larger buffer', () => {
    const backing = Buffer.from('xxxxxNOOP\r\nyyyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 5, 6);
    expect(simplify(new LineSplitter(255).push(view))).toEqual([line('NOOP')]);
  });

  it('an empty chunk changes nothing', () => {
    const splitter = new LineSplitter(255);
    splitter.push(Buffer.from('AB'));
    expect(splitter.push(Buffer.alloc(0))).toEqual([]);
    expect(splitter.buffered).toBe(2);
    expect(simplify(splitter.push(Buffer.from('\n')))).toEqual([line('AB', true)]);
  });
});

describe('LineSplitter: buffers it does not own', () => {
  it('copies a pending partial line: the caller may reuse its chunk', () => {
    const splitter = new LineSplitter(255);
    const chunk = Buffer.from('RETR 1');
    splitter.push(chunk);
    chunk.fill(0x58);
    expect(simplify(splitter.push(Buffer.from('\r\n')))).toEqual([line('RETR 1')]);
  });

  it('returns line bytes that do not change when the chunk is reused', () => {
    const chunk = Buffer.from('DELE 1\r\n');
    const [item] = new LineSplitter(255).push(chunk);
    chunk.fill(0x58);
    expect(item).toEqual({ kind: 'line', bytes: Buffer.from('DELE 1'), bareLf: false });
  });

  it('copies a partial line even when the chunk comes from the shared Buffer pool', () => {
    const splitter = new LineSplitter(255);
    const chunks = ['US', 'ER al', 'ice'].map((text) => Buffer.from(text)); // small Buffers share one pool
    for (const chunk of chunks) splitter.push(chunk);
    for (const chunk of chunks) chunk.fill(0x58);
    expect(simplify(splitter.push(Buffer.from('\r\n')))).toEqual([line('USER alice')]);
  });
});

describe('LineSplitter: the same result however the input is cut', () => {
  const limit = 16;
  // CRLF, bare LF, an empty line, a line exactly at the limit, one just over,
  // a long one without CR, and a partial line at the end.
  const input = Buffer.from(
    'USER alice\r\n' + '\n' + 'PASS x y\n' + `${'a'.repeat(14)}\r\n` + `${'b'.repeat(15)}\r\n` + `${'c'.repeat(40)}\n` + 'NOOP\r\n' + 'ST',
  );
  const expected: Simple[] = [
    line('USER alice'),
    line('', true),
    line('PASS x y', true),
    line('a'.repeat(14)),
    { overlong: limit },
    { overlong: limit },
    line('NOOP'),
  ];

  it('in one chunk', () => {
    expect(feed(input, [], limit)).toEqual(expected);
  });

  it('cut at every single byte position', () => {
    for (let cut = 0; cut <= input.length; cut++) {
      expect(feed(input, [cut], limit), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('cut at every pair of byte positions', () => {
    for (let first = 0; first <= input.length; first++) {
      for (let second = first; second <= input.length; second++) {
        expect(feed(input, [first, second], limit), `cuts at ${first}, ${second}`).toEqual(expected);
      }
    }
  });

  it('byte by byte', () => {
    expect(byteByByte(input, limit)).toEqual(expected);
  });

  it('leaves the unterminated tail buffered', () => {
    const splitter = new LineSplitter(limit);
    splitter.push(input);
    expect(splitter.buffered).toBe(2);
  });
});

describe('LineSplitter: the line limit counts the CRLF', () => {
  const limit = 10;
  const cases: Array<[string, string, Simple[]]> = [
    ['content limit-2 + CRLF (exactly the limit)', `${'x'.repeat(8)}\r\n`, [line('x'.repeat(8))]],
    ['content limit-1 + CRLF (one over)', `${'x'.repeat(9)}\r\n`, [{ overlong: limit }]],
    ['content limit-2 + LF', `${'x'.repeat(8)}\n`, [line('x'.repeat(8), true)]],
    ['content limit-1 + LF', `${'x'.repeat(9)}\n`, [{ overlong: limit }]],
    ['content limit + CRLF', `${'x'.repeat(10)}\r\n`, [{ overlong: limit }]],
    ['content limit-3 + CR + CRLF (the stray CR is content)', `${'x'.repeat(7)}\r\r\n`, [line(`${'x'.repeat(7)}\r`)]],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name}, however it is cut`, () => {
      const input = Buffer.from(`${text}NEXT\r\n`);
      const want = [...expected, line('NEXT')];
      for (let cut = 0; cut <= input.length; cut++) expect(feed(input, [cut], limit), `cut at ${cut}`).toEqual(want);
      expect(byteByByte(input, limit)).toEqual(want);
    });
  }

  it('reports the limit in force in the overlong item', () => {
    expect(simplify(new LineSplitter(255).push(Buffer.from(`${'x'.repeat(300)}\r\n`)))).toEqual([{ overlong: 255 }]);
  });

  it('setLimit raises the limit for the next line (a SASL response)', () => {
    const splitter = new LineSplitter(255);
    const long = 'A'.repeat(1000);
    expect(simplify(splitter.push(Buffer.from(`${long}\r\n`)))).toEqual([{ overlong: 255 }]);
    splitter.setLimit(8192);
    expect(simplify(splitter.push(Buffer.from(`${long}\r\n`)))).toEqual([line(long)]);
    splitter.setLimit(255);
    expect(simplify(splitter.push(Buffer.from(`${long}\r\n`)))).toEqual([{ overlong: 255 }]);
  });
});

describe('LineSplitter: a peer that never sends a line feed', () => {
  it('never buffers more than the limit, byte by byte, and reports one overlong item', () => {
    const limit = 255;
    const splitter = new LineSplitter(limit);
    const items: FramedItem[] = [];
    let most = 0;
    for (let i = 0; i < 20_000; i++) {
      items.push(...splitter.push(Buffer.from([i % 2 === 0 ? 0x41 : 0x0d])));
      most = Math.max(most, splitter.buffered);
    }
    expect(most).toBeLessThanOrEqual(limit);
    expect(most).toBeGreaterThan(0);
    expect(simplify(items)).toEqual([{ overlong: limit }]);
    // Everything up to the next LF is the same overlong line; then framing resumes.
    expect(simplify(splitter.push(Buffer.from('still the same line\r\nNOOP\r\n')))).toEqual([line('NOOP')]);
    expect(splitter.buffered).toBe(0);
  });

  it('drops a huge chunk at once and buffers nothing of it', () => {
    const splitter = new LineSplitter(255);
    expect(simplify(splitter.push(Buffer.alloc(1_000_000, 0x41)))).toEqual([{ overlong: 255 }]);
    expect(splitter.buffered).toBe(0);
    expect(simplify(splitter.push(Buffer.alloc(1_000_000, 0x42)))).toEqual([]);
    expect(splitter.buffered).toBe(0);
    expect(simplify(splitter.push(Buffer.from('\nQUIT\r\n')))).toEqual([line('QUIT')]);
  });

  it('recovers when the LF of the overlong line and the next line arrive in separate chunks', () => {
    const splitter = new LineSplitter(10);
    expect(simplify(splitter.push(Buffer.from('x'.repeat(30))))).toEqual([{ overlong: 10 }]);
    expect(splitter.push(Buffer.from('\r'))).toEqual([]);
    expect(splitter.push(Buffer.from('\n'))).toEqual([]);
    expect(simplify(splitter.push(Buffer.from('NOOP\r\n')))).toEqual([line('NOOP')]);
  });

  it('keeps the partial line under the limit while it is legal', () => {
    const splitter = new LineSplitter(10);
    splitter.push(Buffer.from('x'.repeat(8)));
    splitter.push(Buffer.from('\r'));
    expect(splitter.buffered).toBe(9);
    expect(simplify(splitter.push(Buffer.from('\n')))).toEqual([line('x'.repeat(8))]);
  });
});
