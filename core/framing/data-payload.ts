/**
 * The message as an SMTP client sends it after 354 (RFC 5321 §4.5.2, §2.3.8):
 * CRLF line ends only, dot-stuffed, ended by ".\r\n"; and the size SIZE=
 * declares for it (RFC 1870). Pure functions, the client-side counterpart of
 * the server's DATA framing.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * The message as DATA sends it (RFC 5321 §4.5.2, §2.3.8): every line end CRLF
 * (a bare CR or bare LF becomes CRLF, so nothing can smuggle a second message),
 * a line starting with "." gets one more, and ".\r\n" ends it.
 */
export function dataPayload(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length * 2 + 5);
  let o = 0;
  let lineStart = true;
  for (let i = 0; i < message.length; i++) {
    const byte = message[i]!;
    if (byte === CR || byte === LF) {
      if (byte === CR && message[i + 1] === LF) i++;
      out[o++] = CR;
      out[o++] = LF;
      lineStart = true;
      continue;
    }
    if (lineStart && byte === DOT) out[o++] = DOT;
    out[o++] = byte;
    lineStart = false;
  }
  if (!lineStart) {
    out[o++] = CR;
    out[o++] = LF;
  }
  out[o++] = DOT;
  out[o++] = CR;
  out[o++] = LF;
  return Buffer.from(out.subarray(0, o));
}

/** The size SIZE= declares: the message with CRLF line ends, before dot-stuffing (RFC 1870 §3). */
export function wireLength(message: Uint8Array): number {
  let size = 0;
  let lineStart = true;
  for (let i = 0; i < message.length; i++) {
    const byte = message[i]!;
    if (byte === CR || byte === LF) {
      if (byte === CR && message[i + 1] === LF) i++;
      size += 2;
      lineStart = true;
    } else {
      size++;
      lineStart = false;
    }
  }
  return lineStart ? size : size + 2;
}

/** True when the message holds a byte above 127 (then MAIL FROM wants BODY=8BITMIME, RFC 6152). */
export function hasEightBitBytes(message: Uint8Array): boolean {
  for (const byte of message) if (byte > 0x7f) return true;
  return false;
}
