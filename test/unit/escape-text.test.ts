import { describe, expect, it } from 'vitest';
import { escapeControls, escapeLines, isPrintable } from '../../core/escape-text.js';
import { createTranscriptPrinter, renderEvent } from '../../core/render/transcript.js';

describe('escapeControls (issue 14 item 10)', () => {
  it('shows ESC, C0, DEL, bare CR, C1 and bidi overrides as escapes', () => {
    expect(escapeControls('a\x1b]0;t\x07b')).toBe('a\\x1b]0;t\\x07b');
    expect(escapeControls('x\ry\nz\t\x00\x7f')).toBe('x\\x0dy\\x0az\\x09\\x00\\x7f');
    expect(escapeControls('\x9b2J')).toBe('\\x9b2J');
    expect(escapeControls('abc\u202edef')).toBe('abc\\u{202e}def');
  });

  it('keeps printable ASCII and ordinary Unicode, and is idempotent', () => {
    expect(escapeControls('Grüße, 日本 <a@b>')).toBe('Grüße, 日本 <a@b>');
    const once = escapeControls('\x1b[31mred\r');
    expect(escapeControls(once)).toBe(once);
    expect(isPrintable(once)).toBe(true);
    expect(isPrintable('\x1b')).toBe(false);
  });

  it('escapeLines keeps our own line breaks and escapes the rest', () => {
    expect(escapeLines('one\x1b\ntwo\r')).toBe('one\\x1b\ntwo\\x0d');
  });

  it('the text renderer escapes server lines, errors and notices too', () => {
    expect(renderEvent({ kind: 'line', from: 'server', text: '250 ok\x1b[2J' })).toBe('S: 250 ok\\x1b[2J');
    expect(renderEvent({ kind: 'error', code: 'CONNECTION', message: 'bad\x07' })).toBe('   error CONNECTION: bad\\x07');
    const printer = createTranscriptPrinter();
    const out = [
      ...printer.print({ kind: 'line', from: 'client', text: 'NOOP \x1b]0;x\x07' }),
      ...printer.print({ kind: 'line', from: 'server', text: '250 \x9bok' }),
      ...printer.print({ kind: 'notice', text: 'first\nsecond\x1b' }),
    ].join('\n');
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });
});
