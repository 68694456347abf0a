/** How a body row becomes text (issue 9): every line, re-stuffed, folded on request, BDAT chunks as chunks. */
import { describe, expect, it } from 'vitest';
import type { BodyEvent } from '../../core/events.js';
import { createTranscriptPrinter, renderBody, wireText } from '../../core/render/transcript.js';

const retr: BodyEvent = { kind: 'body', from: 'server', lines: 4, octets: 40, content: 'Subject: x\r\n\r\n.leading dot\r\nend', ending: 'dot' };

describe('renderBody', () => {
  it('shows every line as it crossed the wire: dot-stuffed again, then "."', () => {
    expect(renderBody(retr)).toEqual(['S: Subject: x', 'S: ', 'S: ..leading dot', 'S: end', 'S: .']);
  });

  it('a client body leaves its "." to the line event that follows it; a BDAT chunk says it is one, with no "."', () => {
    expect(renderBody({ ...retr, from: 'client' }).at(-1)).toBe('C: end');
    const chunk = renderBody({ kind: 'body', from: 'client', lines: 1, octets: 4, content: '.hi', ending: 'chunk' });
    expect(chunk).toEqual(['C: .hi', '   (end of the BDAT chunk: 4 octets, counted by the BDAT command, no "." line)']);
  });

  it('folds after N lines and says how to see the rest; /more continues, /show N shows it whole', () => {
    const printer = createTranscriptPrinter({ foldAfter: 2 });
    printer.print({ kind: 'line', from: 'client', text: 'RETR 1' });
    printer.print({ kind: 'line', from: 'server', text: '+OK' });
    const shown = printer.print(retr);
    expect(shown).toEqual(['S: Subject: x', 'S: ', '   ... 2 more lines not shown: /more shows the next 2, /show 1 the whole body']);
    expect(printer.more()).toEqual(['S: ..leading dot', 'S: end', 'S: .']);
    expect(printer.more()[0]).toContain('no folded body');
    expect(printer.show(1)).toHaveLength(5);
    expect(printer.show(2)[0]).toContain('no body 2');
  });

  it('a summary when the producer kept no content; UTF-8 octets shown as the characters they encode', () => {
    expect(renderBody({ kind: 'body', from: 'server', lines: 12, octets: 390 })).toEqual(['S: (12 lines, 390 octets, then ".")']);
    expect(wireText('Gr\u00c3\u00bc\u00c3\u009fe')).toBe('Grüße');
    expect(wireText('caf\u00e9')).toBe('caf\u00e9');
  });
});
