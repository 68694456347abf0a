/**
 * Builds the message `maillab send` sends, with nodemailer's MailComposer: the
 * MIME structure (multipart/mixed for attachments, multipart/alternative for an
 * HTML version), RFC 2047 encoded words for a non-ASCII Subject, Date and
 * Message-ID. What MailComposer does not do is a body in a legacy charset: it
 * labels every text part utf-8, so such a body is encoded here with iconv-lite
 * and handed over as a ready-made part with its own charset label.
 */
import iconv from 'iconv-lite';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAlternative, MailComposerAttachment } from 'nodemailer/lib/mail-composer';

export interface ComposeAttachment {
  filename: string;
  content: Buffer;
  /** Detected from the file name when absent. */
  contentType?: string;
}

export interface ComposeInput {
  from: string;
  to: readonly string[];
  cc?: readonly string[];
  subject?: string;
  /** The plain-text body (Unicode; encoded to `charset` here). */
  text: string;
  /** An HTML alternative (Unicode; encoded to `charset` like the text). */
  html?: string;
  /** The body's charset, any name iconv-lite knows; default utf-8. */
  charset?: string;
  attachments?: readonly ComposeAttachment[];
  /** Defaults to now; tests pin it. */
  date?: Date;
  /** Defaults to a random id at the sender's domain. */
  messageId?: string;
}

/** Spellings iconv-lite accepts that are not the IANA names a charset parameter should carry. */
const IANA_NAMES: Readonly<Record<string, string>> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  latin1: 'ISO-8859-1',
  'iso88591': 'ISO-8859-1',
  cp1252: 'windows-1252',
  win1252: 'windows-1252',
  cp936: 'GBK',
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

function isUtf8(name: string): boolean {
  return charsetLabel(name) === 'utf-8';
}

/** Text bodies are canonical with CRLF line breaks (RFC 2045 §6.8) before a transfer encoding is applied. */
function withCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * Encodes a text in a legacy charset, refusing characters the charset cannot
 * hold (iconv-lite would silently write "?" for them).
 */
export function encodeText(text: string, charset: string, what: string): Buffer {
  const bytes = iconv.encode(text, charset);
  if (iconv.decode(bytes, charset) !== text) {
    const bad = [...text].find((character) => iconv.decode(iconv.encode(character, charset), charset) !== character);
    throw new Error(`the ${what} has characters ${charsetLabel(charset)} cannot represent${bad ? ` (first: "${bad}")` : ''}; use --charset utf-8`);
  }
  return bytes;
}

/** A text part in a legacy charset: encoded bytes, labelled, base64 so no 8-bit byte reaches the wire. */
function legacyPart(text: string, type: 'text/plain' | 'text/html', charset: string, what: string): MailComposerAlternative {
  return {
    content: encodeText(withCrlf(text), charset, what),
    contentType: `${type}; charset=${charsetLabel(charset)}`,
    contentTransferEncoding: 'base64',
  };
}

/** Builds the whole message (headers and body) as it will go on the wire. */
export async function composeMessage(input: ComposeInput): Promise<Buffer> {
  const charset = input.charset ?? 'utf-8';
  if (!isKnownCharset(charset)) throw new Error(`unknown charset "${charset}"`);
  const attachments: MailComposerAttachment[] = (input.attachments ?? []).map((attachment) => ({
    filename: attachment.filename,
    content: attachment.content,
    // base64 keeps every byte as it was, whatever the type (quoted-printable text would be re-wrapped).
    contentTransferEncoding: 'base64',
    ...(attachment.contentType ? { contentType: attachment.contentType } : {}),
  }));
  const body = isUtf8(charset)
    ? { text: withCrlf(input.text), ...(input.html !== undefined ? { html: withCrlf(input.html) } : {}) }
    : {
        // MailComposer labels its text and html parts utf-8 whatever they hold, so a legacy
        // charset goes in as ready-made alternatives (text first: the least preferred, RFC 2046 §5.1.4).
        alternatives: [
          legacyPart(input.text, 'text/plain', charset, 'body'),
          ...(input.html !== undefined ? [legacyPart(input.html, 'text/html', charset, 'HTML part')] : []),
        ],
      };
  const composer = new MailComposer({
    from: input.from,
    to: [...input.to],
    ...(input.cc && input.cc.length > 0 ? { cc: [...input.cc] } : {}),
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    date: input.date ?? new Date(),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...body,
    attachments,
  });
  return composer.compile().build();
}
