/**
 * The message `maillab send` builds, read back with an independent MIME
 * parser (mailparser): structure, charset labels, encoded subject and the
 * exact bytes of attachments. Also the bounce (RFC 3464) the queue sends.
 */
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildBounce, headerSection, rfc5322Date, statusOf } from '../../core/send/bounce.js';
import { hasEightBitBytes } from '../../core/framing/data-payload.js';
import { charsetLabel, composeMessage, isKnownCharset } from '../../core/send/compose.js';

const DATE = new Date('2025-07-01T12:00:00Z');
const BASE = { from: 'alice@maillab.test', to: ['bob@maillab.test'], date: DATE };

/** The header block of the MIME part (or the message) whose Content-Type starts with `type`. */
function partHeaders(raw: string, type: string): string {
  const block = raw.split('\r\n\r\n').find((section) => new RegExp(`^Content-Type: ${type.replace('/', '\\/')}`, 'im').test(section));
  if (block === undefined) throw new Error(`no ${type} part in:\n${raw}`);
  return `${block.slice(block.lastIndexOf('\r\n--') === -1 ? 0 : block.lastIndexOf('\r\n--'))}\r\n\r\n`;
}

describe('composeMessage', () => {
  it('a plain UTF-8 message: headers, Date, Message-ID, the text', async () => {
    const message = await composeMessage({ ...BASE, cc: ['carol@maillab.test'], subject: 'Hello', text: 'Hi Bob\nsecond line\n', messageId: '<fixed@maillab.test>' });
    const raw = message.toString('latin1');
    expect(raw).toMatch(/^From: alice@maillab\.test\r\n/m);
    expect(raw).toMatch(/^To: bob@maillab\.test\r\n/m);
    expect(raw).toMatch(/^Cc: carol@maillab\.test\r\n/m);
    expect(raw).toMatch(/^Date: Tue, 01 Jul 2025 12:00:00 \+0000\r\n/m);
    expect(raw).toMatch(/^Message-ID: <fixed@maillab\.test>\r\n/m);
    const parsed = await simpleParser(message);
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text).toBe('Hi Bob\nsecond line\n');
    expect(hasEightBitBytes(message)).toBe(false);
  });

  it('a generated Message-ID sits at the sender\'s domain', async () => {
    const raw = (await composeMessage({ ...BASE, text: 'x' })).toString('latin1');
    expect(raw).toMatch(/^Message-ID: <[^@>\s]+@maillab\.test>\r\n/m);
  });

  it('a non-ASCII Subject goes out as an RFC 2047 encoded word and comes back intact', async () => {
    const message = await composeMessage({ ...BASE, subject: 'Grüße aus 北京', text: 'x' });
    const subjectLines = /^Subject: [^]*?\r\n(?![ \t])/m.exec(message.toString('latin1'))![0];
    expect(subjectLines).toMatch(/=\?UTF-8\?[BQ]\?/i);
    expect(subjectLines).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    expect((await simpleParser(message)).subject).toBe('Grüße aus 北京');
  });

  it('GB2312: the text is encoded with the charset, labelled with it, and sent as base64', async () => {
    const text = '你好，世界。\n这是第二行。\n';
    const message = await composeMessage({ ...BASE, text, charset: 'gb2312' });
    const raw = message.toString('latin1');
    const headers = partHeaders(raw, 'text/plain');
    expect(headers).toMatch(/charset="?GB2312"?/);
    expect(headers).toMatch(/Content-Transfer-Encoding: base64/);
    expect(hasEightBitBytes(message)).toBe(false);
    // The encoded bytes are GB2312 itself, not UTF-8.
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    expect(bytes.equals(iconv.encode(text.replace(/\n/g, '\r\n'), 'gb2312'))).toBe(true);
    expect((await simpleParser(message)).text).toBe(text);
  });

  it('a legacy charset applies to the HTML alternative too: multipart/alternative, text first', async () => {
    const message = await composeMessage({ ...BASE, text: 'Grüße', html: '<p>Grüße</p>', charset: 'iso-8859-1' });
    const raw = message.toString('latin1');
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw.indexOf('text/plain')).toBeLessThan(raw.indexOf('text/html'));
    expect(partHeaders(raw, 'text/html')).toMatch(/charset="?ISO-8859-1"?/);
    const parsed = await simpleParser(message);
    expect(parsed.text).toBe('Grüße');
    expect(parsed.html).toBe('<p>Grüße</p>');
  });

  it('UTF-8 text and HTML: multipart/alternative labelled utf-8', async () => {
    const message = await composeMessage({ ...BASE, text: 'héllo', html: '<b>héllo</b>' });
    const raw = message.toString('latin1');
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(partHeaders(raw, 'text/html')).toMatch(/charset=utf-8/i);
    const parsed = await simpleParser(message);
    expect(parsed.html).toBe('<b>héllo</b>');
  });

  it('attachments make it multipart/mixed and keep every byte', async () => {
    const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
    const message = await composeMessage({ ...BASE, text: 'see attached', attachments: [{ filename: 'data.bin', content: binary }, { filename: 'notes.txt', content: Buffer.from('line\n.dot\n') }] });
    expect(message.toString('latin1')).toMatch(/^Content-Type: multipart\/mixed;/m);
    const parsed = await simpleParser(message);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['data.bin', 'notes.txt']);
    expect(parsed.attachments[0]!.content.equals(binary)).toBe(true);
    expect(parsed.attachments[1]!.content.toString()).toBe('line\n.dot\n');
    expect(parsed.text).toBe('see attached');
  });

  it('refuses an unknown charset and text the charset cannot hold', async () => {
    await expect(composeMessage({ ...BASE, text: 'x', charset: 'klingon-8' })).rejects.toThrow(/unknown charset "klingon-8"/);
    await expect(composeMessage({ ...BASE, text: 'Grüße 北京', charset: 'iso-8859-1' })).rejects.toThrow(/ISO-8859-1 cannot represent.*"北"/);
  });

  it('charset names: known ones, IANA labels for common aliases', () => {
    expect(isKnownCharset('GB2312')).toBe(true);
    expect(isKnownCharset('nonsense')).toBe(false);
    expect(charsetLabel('gb2312')).toBe('GB2312');
    expect(charsetLabel('latin1')).toBe('ISO-8859-1');
    expect(charsetLabel('UTF8')).toBe('utf-8');
  });
});

describe('buildBounce (RFC 3464)', () => {
  const original = Buffer.from('From: alice@maillab.test\r\nTo: x@remote.test\r\nSubject: lost\r\nMessage-ID: <orig@maillab.test>\r\n\r\nthe body stays here\r\n');

  it('multipart/report with a text part, message/delivery-status and the original headers', async () => {
    const bounce = await buildBounce({
      hostname: 'maillab.test',
      sender: 'alice@maillab.test',
      arrivalDate: DATE,
      date: new Date('2025-07-01T13:00:00Z'),
      failures: [{ recipient: 'x@remote.test', failure: { code: 550, enhanced: '5.1.1', text: 'no such user', host: 'mx1.remote.test [127.0.0.2]:25' } }],
      expired: false,
      attempts: 1,
      original,
    });
    const raw = bounce.toString('latin1');
    expect(raw).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status;/m);
    expect(raw).toMatch(/^From: Mail Delivery System <MAILER-DAEMON@maillab\.test>\r\n/m);
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\r\n/m);
    expect(raw).toMatch(/^In-Reply-To: <orig@maillab\.test>\r\n/m);
    expect(raw).toContain('Reporting-MTA: dns; maillab.test\r\nArrival-Date: Tue, 01 Jul 2025 12:00:00 +0000\r\n\r\nFinal-Recipient: rfc822; x@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx1.remote.test\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n');
    expect(raw).toMatch(/Content-Type: text\/rfc822-headers/);
    expect(raw).toContain('Subject: lost');
    expect(raw).not.toContain('the body stays here');
    const parsed = await simpleParser(bounce);
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(parsed.text).toContain('<x@remote.test>: 550 5.1.1 no such user');
  });

  it('after the retries ran out: says so, keeps the last temporary status', async () => {
    const bounce = await buildBounce({
      hostname: 'maillab.test',
      sender: 'alice@maillab.test',
      arrivalDate: DATE,
      date: DATE,
      failures: [{ recipient: 'y@down.test', failure: { code: 0, text: 'cannot connect to mx.down.test [127.0.0.3]:25: connection refused', host: 'mx.down.test [127.0.0.3]:25' } }],
      expired: true,
      attempts: 3,
      original,
    });
    const raw = bounce.toString('latin1');
    expect(raw).toContain('Status: 4.4.1');
    expect(raw).toContain('Diagnostic-Code: X-maillab; cannot connect to mx.down.test');
    expect((await simpleParser(bounce)).text).toContain('after 3 attempts');
  });

  it('helpers: header section, status, dates', () => {
    expect(headerSection(Buffer.from('A: 1\nB: 2\n\nbody')).toString()).toBe('A: 1\nB: 2\n');
    expect(headerSection(Buffer.from('A: 1\r\n\r\nbody\n\nmore')).toString()).toBe('A: 1\r\n');
    expect(statusOf({ code: 451, text: '', host: '' })).toBe('4.0.0');
    expect(statusOf({ code: 554, text: '', host: '' })).toBe('5.0.0');
    expect(statusOf({ code: 550, enhanced: '5.7.1', text: '', host: '' })).toBe('5.7.1');
    expect(rfc5322Date(new Date('2025-03-04T05:06:07Z'))).toBe('Tue, 04 Mar 2025 05:06:07 +0000');
  });
});
