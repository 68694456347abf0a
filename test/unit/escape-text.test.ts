import { describe, expect, it } from 'vitest';
import { escapeControls, escapeFoldedLine, escapeLines, isPrintable } from '../../core/escape-text.js';
import { createTranscriptPrinter, renderBody, renderEvent } from '../../core/render/transcript.js';

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

describe('folded header lines (issue 18): folding TABs are whitespace, --show-bytes reveals them', () => {
  it('escapeFoldedLine shows the folding TABs as spaces to the next 8-column stop, and escapes the rest', () => {
    expect(escapeFoldedLine('\tby mx.example.net')).toBe('        by mx.example.net');
    expect(escapeFoldedLine(' \tid 42')).toBe('        id 42');
    expect(escapeFoldedLine('    for <bob@example.net>')).toBe('    for <bob@example.net>');
    expect(escapeFoldedLine('\tinner\ttab\x1b[2J')).toBe('        inner\\x09tab\\x1b[2J');
    expect(escapeFoldedLine('\t\x1b]0;owned\x07')).not.toMatch(/[\x00-\x1f]/);
  });

  const message = {
    kind: 'body' as const,
    from: 'server' as const,
    lines: 6,
    octets: 0,
    content: ['Received: from client.example.org', '\tby mx.example.net with ESMTP;', '\tTue, 1 Jul 2025 12:00:00 +0000', 'Subject: hi', '', '\tan indented body line'].join('\r\n'),
  };

  it('a message\'s folded header reads as folded; a TAB in the body or mid-line stays visible as \\x09', () => {
    expect(renderBody(message)).toEqual([
      'S: Received: from client.example.org',
      'S:         by mx.example.net with ESMTP;',
      'S:         Tue, 1 Jul 2025 12:00:00 +0000',
      'S: Subject: hi',
      'S: ',
      'S: \\x09an indented body line',
      'S: .',
    ]);
  });

  it('the show-bytes view shows each TAB as ␉', () => {
    expect(renderBody(message, { showBytes: true })[1]).toBe('S: ␉by mx.example.net with ESMTP;␍␊');
  });

  it('a body that is no message (a listing) is left as it was', () => {
    expect(renderBody({ kind: 'body', from: 'server', lines: 2, octets: 0, content: '1 390\r\n\t2 466' })).toEqual(['S: 1 390', 'S: \\x092 466', 'S: .']);
  });
});
