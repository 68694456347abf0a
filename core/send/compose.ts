/**
 * Builds the message `maillab send` sends, with nodemailer's MailComposer: the
 * MIME structure (multipart/mixed for attachments, multipart/alternative for an
 * HTML version), RFC 2047 encoded words for a non-ASCII Subject, Date and
 * Message-ID. What MailComposer does not do is a body in a legacy charset: it
 * labels every text part utf-8, so such a body is encoded here with iconv-lite
 * (core/send/charset.ts) and handed over as a ready-made part with its own
 * charset label; a non-ASCII Subject in a legacy charset goes out as encoded
 * words in that charset; a text attachment is labelled with the charset its
 * bytes are in.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAlternative, MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';
import { attachmentCharset, charsetLabel, encodeHeaderWords, encodeText, isKnownCharset, isUtf8 } from './charset.js';

export { charsetLabel, encodeText, isKnownCharset } from './charset.js';

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
  /** The Subject's charset for RFC 2047 encoded words (refused when it cannot hold it); default the body's when it can, else UTF-8. */
  subjectCharset?: string;
  attachments?: readonly ComposeAttachment[];
  /** Defaults to now; tests pin it. */
  date?: Date;
  /** Defaults to a random id at the sender's domain. */
  messageId?: string;
}

/** Text bodies are canonical with CRLF line breaks (RFC 2045 §6.8) before a transfer encoding is applied. */
function withCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
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
  for (const name of [charset, input.subjectCharset ?? charset]) if (!isKnownCharset(name)) throw new Error(`unknown charset "${name}"`);
  const attachments: MailComposerAttachment[] = (input.attachments ?? []).map((attachment) => ({
    filename: attachment.filename,
    content: attachment.content,
    // base64 keeps every byte as it was, whatever the type (quoted-printable text would be re-wrapped).
    contentTransferEncoding: 'base64',
    contentType: attachmentType(attachment, charset),
  }));
  const subject = input.subject === undefined ? {} : subjectHeader(input.subject, input.subjectCharset, charset);
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
    ...subject,
    date: input.date ?? new Date(),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...body,
    attachments,
  });
  return composer.compile().build();
}

/** A text attachment's type with the charset its bytes are in (RFC 2046 §4.1.2); other types as given or detected. */
function attachmentType(attachment: ComposeAttachment, bodyCharset: string): string {
  const type = attachment.contentType ?? detectMimeType(attachment.filename);
  if (!/^text\//i.test(type) || /;\s*charset=/i.test(type)) return type;
  return `${type}; charset=${attachmentCharset(attachment.content, bodyCharset)}`;
}

/**
 * The Subject: MailComposer's UTF-8 encoded words, or ready-made words in a
 * legacy charset (RFC 2047 §2). Asked for a charset, it is that one or an
 * error; by default the body's charset when it holds the subject, else UTF-8
 * (each encoded word names its own charset, so nothing is mislabelled).
 */
function subjectHeader(subject: string, asked: string | undefined, bodyCharset: string): { subject: string } | { headers: Record<string, { prepared: true; value: string }> } {
  const charset = asked ?? bodyCharset;
  if (isUtf8(charset) || /^[\x20-\x7e]*$/.test(subject)) return { subject };
  try {
    return { headers: { Subject: { prepared: true, value: encodeHeaderWords(subject, charset, 'subject') } } };
  } catch (error) {
    if (asked !== undefined) throw error;
    return { subject };
  }
}
