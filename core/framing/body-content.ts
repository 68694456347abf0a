/**
 * The content of a body the engine holds whole (a POP3 reply, a received
 * message), as a body event carries it: latin1 text, CRLF-separated, without
 * the last CRLF, cut at a line end past the bound. Engine side (uses Buffer);
 * trackers, which see bodies line by line, use BodyText (./body-text.ts).
 */
import { BODY_CONTENT_LIMIT, type WireEvent } from '../events.js';

type BodyEvent = Extract<WireEvent, { kind: 'body' }>;

/**
 * A body event whose `content` is made only when something reads it, then
 * kept. A server nobody watches (a lab without --verbose, a benchmark) never
 * reads it, so a received or retrieved message is not copied into a string
 * for nothing: the store's or the framer's buffer stays its only copy.
 * `truncated` is known from the length alone and set at once. Only for bytes
 * no one changes while the event lives: a message read for one reply, or one
 * a framer handed over (each message gets a buffer of its own).
 */
export function withLazyContent(event: Omit<BodyEvent, 'content' | 'truncated'>, bytes: Uint8Array, limit = BODY_CONTENT_LIMIT): BodyEvent {
  const body: BodyEvent = { ...event, ...(textEnd(bytes) > limit ? { truncated: true } : {}) };
  Object.defineProperty(body, 'content', {
    enumerable: true,
    configurable: true,
    get(this: BodyEvent): string {
      const { content } = bodyContent(bytes, limit);
      // Kept for the next reader, unless someone froze the event meanwhile: then it is made again.
      if (Object.isExtensible(this)) Object.defineProperty(this, 'content', { value: content, enumerable: true, configurable: true, writable: true });
      return content;
    },
  });
  return body;
}

/** Where the text of a body ends: before the CRLF that ends its last line. */
function textEnd(bytes: Uint8Array): number {
  const end = bytes.length;
  return end >= 2 && bytes[end - 2] === 0x0d && bytes[end - 1] === 0x0a ? end - 2 : end;
}

export function bodyContent(bytes: Uint8Array, limit = BODY_CONTENT_LIMIT): { content: string; truncated?: true } {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The text of the lines, without the CRLF that ends the last one.
  const end = textEnd(buffer);
  if (end <= limit) return { content: buffer.toString('latin1', 0, end) };
  const cut = buffer.lastIndexOf('\r\n', limit);
  return { content: buffer.toString('latin1', 0, cut > 0 ? cut : limit), truncated: true };
}
