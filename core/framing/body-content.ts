/**
 * The content of a body the engine holds whole (a POP3 reply, a received
 * message), as a body event carries it: latin1 text, CRLF-separated, without
 * the last CRLF, cut at a line end past the bound. Engine side (uses Buffer);
 * trackers, which see bodies line by line, use BodyText (./body-text.ts).
 */
import { BODY_CONTENT_LIMIT } from '../events.js';

export function bodyContent(bytes: Uint8Array, limit = BODY_CONTENT_LIMIT): { content: string; truncated?: true } {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = buffer.length;
  // The text of the lines, without the CRLF that ends the last one.
  if (end >= 2 && buffer[end - 2] === 0x0d && buffer[end - 1] === 0x0a) end -= 2;
  if (end <= limit) return { content: buffer.toString('latin1', 0, end) };
  const cut = buffer.lastIndexOf('\r\n', limit);
  return { content: buffer.toString('latin1', 0, cut > 0 ? cut : limit), truncated: true };
}
