import { describe, expect, it } from 'vitest';
import { asWireFormat, countLines, stuffBody, toWireFormat, wireSize } from '../../core/framing/dot-stuffing.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const text = (buffer: Uint8Array) => Buffer.from(buffer).toString('latin1');

/** A small deterministic generator, so the property tests are repeatable. */
function randomTexts(count: number, alphabet: string, maxLength: number, seed = 1): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: count }, () => {
    const length = next() % (maxLength + 1);
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[next() % alphabet.length];
    return out;
  });
}

/** An independent reading of a multi-line body (RFC 1939 §3), the way a client does it. */
function unstuff(wire: string): { body: string; rest: string } {
  const lines: string[] = [];
  let position = 0;
  for (;;) {
    const end = wire.indexOf('\r\n', position);
    if (end === -1) throw new Error('no terminating "."');
    const current = wire.slice(position, end);
    position = end + 2;
    if (current === '.') return { body: lines.map((l) => `${l}\r\n`).join(''), rest: wire.slice(position) };
    lines.push(current.startsWith('.') ? current.slice(1) : current);
  }
}

describe('toWireFormat', () => {
  const cases: Array<[string, string, string]> = [
    ['empty stays empty', '', ''],
    ['adds the missing final CRLF', 'a', 'a\r\n'],
    ['turns a final bare LF into CRLF', 'a\n', 'a\r\n'],
    ['keeps CRLF', 'a\r\n', 'a\r\n'],
    ['turns every bare LF into CRLF', 'a\nb\nc', 'a\r\nb\r\nc\r\n'],
    ['handles a leading LF', '\nx', '\r\nx\r\n'],
    ['handles LF only', '\n', '\r\n'],
    ['handles blank lines', '\n\n', '\r\n\r\n'],
    ['handles mixed line ends', 'a\r\nb\nc\r\n\nd', 'a\r\nb\r\nc\r\n\r\nd\r\n'],
    ['keeps a CR that is not before an LF', 'a\rb\n', 'a\rb\r\n'],
    ['leaves dots alone (stuffing is a separate step)', '.\n..\n', '.\r\n..\r\n'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(text(toWireFormat(bytes(input)))).toBe(expected);
      expect(wireSize(bytes(input))).toBe(expected.length);
    });
  }

  it('keeps 8-bit bytes unchanged', () => {
    const input = Buffer.from([0xe9, 0x0a, 0xff, 0x00]);
    expect(toWireFormat(input)).toEqual(Buffer.from([0xe9, 0x0d, 0x0a, 0xff, 0x00, 0x0d, 0x0a]));
  });

  it('returns a copy when nothing changes, so the caller owns the result', () => {
    const input = bytes('a\r\n');
    const output = toWireFormat(input);
    output[0] = 0x7a;
    expect(text(input)).toBe('a\r\n');
  });

  it('reads a Uint8Array view at an offset', () => {
    const backing = bytes('xxa\nbyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 3);
    expect(text(toWireFormat(view))).toBe('a\r\nb\r\n');
    expect(wireSize(view)).toBe(6);
  });

  it('is idempotent, and wireSize always equals the length of toWireFormat (random inputs)', () => {
    for (const input of randomTexts(2000, 'a.\r\n', 12)) {
      const once = toWireFormat(bytes(input));
      expect(text(toWireFormat(once)), JSON.stringify(input)).toBe(text(once));
      expect(wireSize(bytes(input)), JSON.stringify(input)).toBe(once.length);
    }
  });

  it('produces only CRLF line ends and ends with one, for non-empty inputs without bare CR', () => {
    for (const input of randomTexts(1000, 'ab.\n', 12, 7)) {
      const wire = text(toWireFormat(bytes(input)));
      if (input === '') continue;
      expect(wire.endsWith('\r\n'), JSON.stringify(input)).toBe(true);
      expect(wire.replace(/\r\n/g, ''), JSON.stringify(input)).not.toMatch(/[\r\n]/);
      expect(wire.replace(/\r\n/g, '\n').replace(/\n$/, ''), JSON.stringify(input)).toBe(input.replace(/\n$/, ''));
    }
  });
});

describe('stuffBody', () => {
  const cases: Array<[string, string, string]> = [
    ['an empty body is just the terminator', '', '.\r\n'],
    ['a plain line', 'a\r\n', 'a\r\n.\r\n'],
    ['a line that is a single dot', '.\r\n', '..\r\n.\r\n'],
    ['a ".." line gets a third dot', '..\r\n', '...\r\n.\r\n'],
    ['a leading dot on the first line', '.hidden\r\nb\r\n', '..hidden\r\nb\r\n.\r\n'],
    ['dots inside or at the end of a line stay', 'a.b\r\nc.\r\n', 'a.b\r\nc.\r\n.\r\n'],
    ['every line starting with a dot', '.a\r\nx\r\n.b\r\n.\r\n', '..a\r\nx\r\n..b\r\n..\r\n.\r\n'],
    ['a blank line then a dot line', '\r\n.\r\n', '\r\n..\r\n.\r\n'],
    ['a line after a bare LF counts as a line start', 'x\n.y\r\n', 'x\n..y\r\n.\r\n'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(text(stuffBody(bytes(input)))).toBe(expected);
    });
  }

  it('stuffs a body given as a Uint8Array view at an offset', () => {
    const backing = bytes('zz.a\r\nzz');
    expect(text(stuffBody(new Uint8Array(backing.buffer, backing.byteOffset + 2, 4)))).toBe('..a\r\n.\r\n');
  });

  it('round-trips through an independent unstuffer, and "." never appears early (random bodies)', () => {
    const lines = randomTexts(3000, 'a..', 4, 3);
    for (let i = 0; i + 3 <= lines.length; i += 3) {
      const body = lines.slice(i, i + 3).map((l) => `${l}\r\n`).join('');
      const wire = text(stuffBody(bytes(body)));
      const read = unstuff(wire);
      expect(read.body, JSON.stringify(body)).toBe(body);
      expect(read.rest, JSON.stringify(body)).toBe('');
      expect(`\r\n${wire}`.indexOf('\r\n.\r\n'), JSON.stringify(body)).toBe(wire.length - 3);
    }
  });
});

describe('countLines', () => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['a', 0],
    ['a\r\n', 1],
    ['a\r\nb', 1],
    ['\r\n\r\n', 2],
    ['a\nb\n', 2],
    ['a\rb', 0],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} has ${expected} line(s)`, () => {
      expect(countLines(bytes(input))).toBe(expected);
    });
  }
});

/** The byte-by-byte definitions the Buffer.indexOf versions replaced, kept as the reference. */
const reference = {
  wire(input: Uint8Array): string {
    let out = '';
    for (let i = 0; i < input.length; i++) {
      if (input[i] === 0x0a && (i === 0 || input[i - 1] !== 0x0d)) out += '\r';
      out += String.fromCharCode(input[i]!);
    }
    return input.length > 0 && input[input.length - 1] !== 0x0a ? `${out}\r\n` : out;
  },
  stuff(input: Uint8Array): string {
    let out = '';
    for (let i = 0; i < input.length; i++) {
      if (input[i] === 0x2e && (i === 0 || input[i - 1] === 0x0a)) out += '.';
      out += String.fromCharCode(input[i]!);
    }
    return `${out}.\r\n`;
  },
  lines: (input: Uint8Array) => [...input].filter((byte) => byte === 0x0a).length,
};

describe('the Buffer.indexOf implementations agree with the byte-by-byte definitions', () => {
  it('toWireFormat, asWireFormat, wireSize, stuffBody and countLines on random inputs', () => {
    for (const input of randomTexts(3000, 'a.\r\n', 14, 7)) {
      const raw = bytes(input);
      const name = JSON.stringify(input);
      expect(text(toWireFormat(raw)), name).toBe(reference.wire(raw));
      expect(text(asWireFormat(raw)), name).toBe(reference.wire(raw));
      expect(wireSize(raw), name).toBe(reference.wire(raw).length);
      expect(text(stuffBody(raw)), name).toBe(reference.stuff(raw));
      expect(countLines(raw), name).toBe(reference.lines(raw));
      // The count asWireFormat remembers for its output is that output's own.
      expect(countLines(asWireFormat(raw)), name).toBe(reference.lines(toWireFormat(raw)));
    }
  });

  it('agree on views starting and ending at every byte of a body (split on the dot, the CR, the LF)', () => {
    const body = bytes('.a\r\n..\r\nx\n.y\r\n.\r\n\r\n.z\r\nend.\r\n');
    const backing = Buffer.concat([bytes('.\n'), body, bytes('\n.')]);
    for (let start = 0; start <= backing.length; start++) {
      for (let end = start; end <= backing.length; end++) {
        const view = new Uint8Array(backing.buffer, backing.byteOffset + start, end - start);
        const name = `${start}..${end}`;
        expect(text(stuffBody(view)), name).toBe(reference.stuff(view));
        expect(text(asWireFormat(view)), name).toBe(reference.wire(view));
        expect(wireSize(view), name).toBe(reference.wire(view).length);
        expect(countLines(view), name).toBe(reference.lines(view));
      }
    }
  });
});

describe('asWireFormat', () => {
  it('returns a view of the same bytes when the message is already in wire format', () => {
    const input = bytes('a\r\n.b\r\n');
    const output = asWireFormat(input);
    expect(output.buffer).toBe(input.buffer);
    expect(output.byteOffset).toBe(input.byteOffset);
    expect(output.length).toBe(input.length);
  });

  it('returns a new buffer when it has to convert', () => {
    const input = bytes('a\nb');
    const output = asWireFormat(input);
    output[0] = 0x7a;
    expect(text(input)).toBe('a\nb');
    expect(text(output)).toBe('z\r\nb\r\n');
  });
});

describe('stuffBody with a status line', () => {
  it('puts the head first, in the same buffer', () => {
    expect(text(stuffBody(bytes('.a\r\nb\r\n'), bytes('+OK 7 octets\r\n')))).toBe('+OK 7 octets\r\n..a\r\nb\r\n.\r\n');
    expect(text(stuffBody(bytes(''), bytes('+OK\r\n')))).toBe('+OK\r\n.\r\n');
  });
});
