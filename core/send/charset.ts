/**
 * Charsets for `maillab send`: the label a charset parameter carries, text
 * encoded in a legacy charset (with iconv-lite) refusing what the charset
 * cannot hold, RFC 2047 encoded words in that charset, and the charset of a
 * text attachment.
 *
 * GB2312 is stricter than what iconv-lite writes for it: iconv-lite's
 * "gb2312" is GBK (its superset, code page 936), which also encodes some
 * 21,000 characters GB2312 does not have (as lead bytes 0x81-0xA0, trail
 * bytes below 0xA1, rows 0xAA-0xAF and 0xF8-0xFE, and the euro sign as 0x80).
 * A part labelled GB2312 that holds them is mislabelled: readers that
 * decode GB2312 strictly show garbage. So maillab refuses such a character
 * with GB2312 and names GBK, which is labelled as what it is.
 */
import iconv from 'iconv-lite';

/** Spellings iconv-lite accepts that are not the IANA names a charset parameter should carry. */
const IANA_NAMES: Readonly<Record<string, string>> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  latin1: 'ISO-8859-1',
  iso88591: 'ISO-8859-1',
  cp1252: 'windows-1252',
  win1252: 'windows-1252',
  cp936: 'GBK',
  'windows-936': 'GBK',
  euccn: 'GB2312',
  'euc-cn': 'GB2312',
  csgb2312: 'GB2312',
  cp932: 'Shift_JIS',
  sjis: 'Shift_JIS',
  eucjp: 'EUC-JP',
  euckr: 'EUC-KR',
  big5hkscs: 'Big5-HKSCS',
};

/** True when iconv-lite can encode this charset. */
export function isKnownCharset(name: string): boolean {
  return iconv.encodingExists(name);
}

/** The name to put in `charset=`: the IANA spelling for common aliases, else the name as given, upper-cased. */
export function charsetLabel(name: string): string {
  return IANA_NAMES[name.toLowerCase()] ?? name.toUpperCase();
}

/** True for any spelling of UTF-8 (MailComposer's own encoding). */
export function isUtf8(name: string): boolean {
  return charsetLabel(name) === 'utf-8';
}

/**
 * True when `bytes` (one character encoded by iconv-lite's GBK) is GB2312:
 * ASCII, or two bytes in rows 0xA1-0xA9 or 0xB0-0xF7 with a trail byte 0xA1-0xFE
 * (GB 2312-80's EUC-CN form, RFC 1922 §2.1).
 */
function isGb2312(bytes: Uint8Array): boolean {
  if (bytes.length === 1) return bytes[0]! < 0x80;
  if (bytes.length !== 2) return false;
  const [lead, trail] = [bytes[0]!, bytes[1]!];
  return ((lead >= 0xa1 && lead <= 0xa9) || (lead >= 0xb0 && lead <= 0xf7)) && trail >= 0xa1 && trail <= 0xfe;
}

/** Why one character cannot go out in `charset`, or undefined when it can. */
function unrepresentable(character: string, charset: string): string | undefined {
  const bytes = iconv.encode(character, charset);
  if (iconv.decode(bytes, charset) !== character) return 'missing';
  if (charsetLabel(charset) === 'GB2312' && !isGb2312(bytes)) return 'gbk-only';
  return undefined;
}

/**
 * Encodes a text in a legacy charset, refusing characters the charset cannot
 * hold (iconv-lite would silently write "?" for them, or GBK for GB2312), in
 * one line that names the first and what to use instead.
 */
export function encodeText(text: string, charset: string, what: string): Buffer {
  const bytes = iconv.encode(text, charset);
  const strict = charsetLabel(charset) === 'GB2312';
  if (!strict && iconv.decode(bytes, charset) === text) return bytes;
  for (const character of new Set(text)) {
    const why = unrepresentable(character, charset);
    if (why === 'gbk-only') throw new Error(`the ${what} has characters GB2312 cannot represent (first: "${character}", only in its superset GBK); use --charset gbk (labelled GBK) or --charset utf-8`);
    if (why) throw new Error(`the ${what} has characters ${charsetLabel(charset)} cannot represent (first: "${character}"); use --charset utf-8`);
  }
  return bytes;
}

/** Longest encoded word RFC 2047 §2 allows, less room for "Subject: " so the first line stays under 76 characters. */
const MAX_WORD = 75 - 'Subject: '.length;

/**
 * A header value as RFC 2047 "B" encoded words in `charset`, folded one word
 * a line (RFC 2047 §2: at most 75 characters each; a word never splits a
 * character, §5 (3)). ASCII text without "=?" is returned as it is.
 */
export function encodeHeaderWords(text: string, charset: string, what: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?')) return text;
  const label = charsetLabel(charset);
  const room = Math.floor((MAX_WORD - `=?${label}?B??=`.length) / 4) * 3;
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (size > 0) words.push(`=?${label}?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  for (const character of text) {
    const bytes = encodeText(character, charset, what);
    if (size + bytes.length > room) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words.join('\r\n ');
}

/**
 * The charset parameter of a text attachment, from its bytes: us-ascii when
 * every byte is ASCII, utf-8 when they are valid UTF-8, else the body's
 * legacy charset when they decode in it, else unknown-8bit (RFC 1428 §3):
 * maillab does not guess a file's charset it cannot tell.
 */
export function attachmentCharset(content: Uint8Array, bodyCharset: string): string {
  if (content.every((byte) => byte < 0x80)) return 'us-ascii';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return 'utf-8';
  } catch {
    // not UTF-8: the body's charset, when the bytes round-trip through it
  }
  if (!isUtf8(bodyCharset) && Buffer.from(content).equals(iconv.encode(iconv.decode(Buffer.from(content), bodyCharset), bodyCharset))) return charsetLabel(bodyCharset);
  return 'unknown-8bit';
}
