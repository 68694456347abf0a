import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { createTranscriptPrinter } from '../../core/render/transcript.js';
import { VerbosePrinters } from '../../bin/verbose-printers.js';

const client = (text: string): WireEvent => ({ kind: 'line', from: 'client', text });
const server = (text: string): WireEvent => ({ kind: 'line', from: 'server', text });

describe('serve --verbose printers (issue 19, item 3)', () => {
  it('do not hold every row of a long session, and print each command as a fresh printer would', () => {
    const printers = new VerbosePrinters({ foldAfter: 20 });
    printers.print('pop3#1', server('+OK ready'));
    let most = 0;
    for (let index = 0; index < 30_000; index++) {
      printers.print('pop3#1', client('NOOP'));
      printers.print('pop3#1', server('+OK'));
      most = Math.max(most, printers.held('pop3#1').rows);
    }
    expect(most).toBeLessThanOrEqual(502);
    const fresh = createTranscriptPrinter({ foldAfter: 20, foldOffersMore: false });
    fresh.print(client('NOOP'));
    const expected = fresh.print(server('+OK'));
    printers.print('pop3#1', client('NOOP'));
    expect(printers.print('pop3#1', server('+OK'))).toEqual(expected);
  });

  it('do not hold every body of a session that fetches a large message again and again', () => {
    const printers = new VerbosePrinters({ foldAfter: 20, maxBodyBytes: 4 * 1024 * 1024 });
    const content = `${'x'.repeat(98)}\r\n`.repeat(10_000).slice(0, -2);
    let most = 0;
    for (let index = 0; index < 40; index++) {
      printers.print('pop3#2', client('RETR 1'));
      printers.print('pop3#2', server('+OK message follows'));
      const lines = printers.print('pop3#2', { kind: 'body', from: 'server', lines: 10_000, octets: content.length + 2, content, ending: 'dot' });
      expect(lines.length).toBeLessThan(30);
      most = Math.max(most, printers.held('pop3#2').bodyBytes);
    }
    // At most the bound plus the one body that passed it: 40 MB went by.
    expect(most).toBeLessThanOrEqual(4 * 1024 * 1024 + content.length);
    printers.forget('pop3#2');
    expect(printers.held('pop3#2')).toEqual({ rows: 0, bodyBytes: 0 });
  });
});
