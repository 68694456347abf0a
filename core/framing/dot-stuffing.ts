/**
 * Multi-line reply bodies (RFC 1939 §3): lines beginning with "." are
 * byte-stuffed with one more ".", and the body ends with ".\r\n".
 * Also the CRLF normalisation that makes octet counts match the wire.
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/**
 * Returns the message as it goes on the wire: every line ending is CRLF and the
 * last line is terminated. Bare LF becomes CRLF; CRLF is kept.
 */
export function toWireFormat(message: Uint8Array): Buffer {
  const input = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  let bareLfCount = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    if (i === 0 || input[i - 1] !== CR) bareLfCount++;
  }
  const needsFinalNewline = input.length > 0 && input[input.length - 1] !== LF;
  if (bareLfCount === 0 && !needsFinalNewline) return Buffer.from(input);
  const out = Buffer.alloc(input.length + bareLfCount + (needsFinalNewline ? 2 : 0));
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === LF && (i === 0 || input[i - 1] !== CR)) out[o++] = CR;
    out[o++] = byte;
  }
  if (needsFinalNewline) {
    out[o++] = CR;
    out[o++] = LF;
  }
  return out;
}

/** The octet count RFC 1939 asks for: the size of `toWireFormat(message)`, without building it. */
export function wireSize(message: Uint8Array): number {
  let size = message.length;
  for (let i = 0; i < message.length; i++) {
    if (message[i] === LF && (i === 0 || message[i - 1] !== CR)) size++;
  }
  if (message.length > 0 && message[message.length - 1] !== LF) size += 2;
  return size;
}

/**
 * Byte-stuffs a wire-format body and appends the terminating ".\r\n".
 * The body must already end with CRLF (or be empty).
 */
export function stuffBody(body: Uint8Array): Buffer {
  const input = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let dots = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === DOT && (i === 0 || input[i - 1] === LF)) dots++;
  }
  const out = Buffer.alloc(input.length + dots + 3);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === DOT && (i === 0 || input[i - 1] === LF)) out[o++] = DOT;
    out[o++] = input[i]!;
  }
  out[o++] = DOT;
  out[o++] = CR;
  out[o++] = LF;
  return out;
}

/** Counts the lines of a wire-format body (one per CRLF). */
export function countLines(body: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < body.length; i++) if (body[i] === LF) lines++;
  return lines;
}
