/**
 * Charsets in what `maillab send` composes, read back with an independent
 * MIME parser (mailparser) and checked byte by byte: GB2312 that is GB2312
 * (not GBK under its name), a Subject in the body's charset (RFC 2047), and
 * a text attachment's charset parameter.
 */
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { attachmentCharset, encodeHeaderWords, encodeText } from '../../core/send/charset.js';
import { composeMessage } from '../../core/send/compose.js';

const BASE = { from: 'alice@maillab.test', to: ['bob@maillab.test'], date: new Date('2025-07-01T12:00:00Z') };

/** The Subject header as on the wire, folded lines included. */
const subjectHeader = (raw: string) => /^Subject: [^]*?\r\n(?![ \t])/m.exec(raw)![0];

describe('GB2312 is GB2312', () => {
  it('refuses a character only GBK has, in one line naming it and the way out', () => {
    // 镕 (GBK 0xE946: trail byte below 0xA1), € (GBK 0x80), 丂 (GBK 0x8140): none is in GB 2312-80.
    for (const character of ['镕', '€', '丂']) {
      expect(() => encodeText(`你好${character}`, 'gb2312', 'body')).toThrow(`the body has characters GB2312 cannot represent (first: "${character}", only in its superset GBK); use --charset gbk (labelled GBK) or --charset utf-8`);
    }
    expect(() => encodeText('你好 ✓', 'gb2312', 'body')).toThrow('the body has characters GB2312 cannot represent (first: "✓"); use --charset utf-8');
  });

  it('accepts every GB2312 row: symbols, pinyin, level 1 and level 2 hanzi', () => {
    const text = '　、ā你好齄';
    expect(encodeText(text, 'gb2312', 'body')).toEqual(Buffer.from('a1a1a1a2a8a1c4e3bac3f7fe', 'hex'));
  });

  it('sends a GBK-only character with --charset gbk, labelled GBK', async () => {
    const message = await composeMessage({ ...BASE, subject: '镕', text: '镕\n', charset: 'gbk' });
    const raw = message.toString('latin1');
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=GBK\r\n/m);
    expect(subjectHeader(raw)).toBe('Subject: =?GBK?B?6UY=?=\r\n');
    const parsed = await simpleParser(message);
    expect(parsed.text).toBe('镕\n');
    expect(parsed.subject).toBe('镕');
  });
});

describe('the Subject in the chosen charset (RFC 2047)', () => {
  it('goes out as GB2312 encoded words, each whole characters, folded under 76 columns', async () => {
    const subject = '关于下周会议的安排以及需要准备的材料清单，请各位同事在周五之前确认';
    const message = await composeMessage({ ...BASE, subject, text: '见附件。', charset: 'gb2312' });
    const header = subjectHeader(message.toString('latin1'));
    const words = [...header.matchAll(/=\?GB2312\?B\?([A-Za-z0-9+/=]+)\?=/g)];
    expect(words.length).toBeGreaterThan(1);
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    // Each word decodes alone to whole characters: no character is split between two words.
    const decoded = words.map((word) => iconv.decode(Buffer.from(word[1]!, 'base64'), 'gb2312'));
    expect(decoded.join('')).toBe(subject);
    expect(decoded.every((part) => !part.includes('\ufffd'))).toBe(true);
    expect((await simpleParser(message)).subject).toBe(subject);
  });

  it('keeps UTF-8 words when asked (--subject-charset utf-8), and an ASCII subject as it is', async () => {
    const utf8 = await composeMessage({ ...BASE, subject: '会议 ✓', text: '你好', charset: 'gb2312', subjectCharset: 'utf-8' });
    expect(subjectHeader(utf8.toString('latin1'))).toMatch(/=\?UTF-8\?/i);
    expect((await simpleParser(utf8)).subject).toBe('会议 ✓');
    const ascii = await composeMessage({ ...BASE, subject: 'Plain words', text: '你好', charset: 'gb2312' });
    expect(subjectHeader(ascii.toString('latin1'))).toBe('Subject: Plain words\r\n');
  });

  it('a subject the body\'s charset cannot hold goes out in UTF-8 words; one in a charset asked for is refused, saying it is the subject', async () => {
    const message = await composeMessage({ ...BASE, subject: 'Grüße 价格', text: '你好', charset: 'gb2312' });
    expect(subjectHeader(message.toString('latin1'))).toMatch(/=\?UTF-8\?/i);
    expect((await simpleParser(message)).subject).toBe('Grüße 价格');
    await expect(composeMessage({ ...BASE, subject: 'Grüße 价格', text: '你好', charset: 'gb2312', subjectCharset: 'gb2312' })).rejects.toThrow(/^the subject has characters GB2312 cannot represent \(first: "ß"\)/);
    expect(() => encodeHeaderWords('价格 €5', 'gb2312', 'subject')).toThrow(/^the subject has characters GB2312 cannot represent \(first: "€"/);
  });
});

describe('a text attachment carries its charset', () => {
  it('labels each text attachment by its bytes, and leaves other types alone', async () => {
    const message = await composeMessage({
      ...BASE,
      text: '你好',
      charset: 'gb2312',
      attachments: [
        { filename: 'ascii.txt', content: Buffer.from('plain\r\n') },
        { filename: 'utf8.csv', content: Buffer.from('名字,值\r\n') },
        { filename: 'gb.txt', content: iconv.encode('你好\r\n', 'gb2312') },
        { filename: 'given.txt', content: Buffer.from('x'), contentType: 'text/plain; charset=koi8-r' },
        { filename: 'image.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
      ],
    });
    const raw = message.toString('latin1');
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=us-ascii; name=ascii\.txt\r\n/m);
    expect(raw).toMatch(/^Content-Type: text\/csv; charset=utf-8; name=utf8\.csv\r\n/m);
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=GB2312; name=gb\.txt\r\n/m);
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=koi8-r; name=given\.txt\r\n/m);
    expect(raw).toMatch(/^Content-Type: image\/png; name=image\.png\r\n/m);
    const parsed = await simpleParser(message);
    expect(parsed.attachments.find((part) => part.filename === 'gb.txt')!.content.equals(iconv.encode('你好\r\n', 'gb2312'))).toBe(true);
  });

  it('says unknown-8bit (RFC 1428) for 8-bit bytes it cannot tell, with a UTF-8 body', () => {
    expect(attachmentCharset(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]), 'utf-8')).toBe('unknown-8bit');
    expect(attachmentCharset(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]), 'iso-8859-1')).toBe('ISO-8859-1');
  });
});
