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
 * last line is terminated. Bare LF becomes CRLF; CRLF is kept. Always a new
 * buffer the caller owns; `asWireFormat` avoids the copy.
 */
export function toWireFormat(message: Uint8Array): Buffer {
  return converted(message) ?? Buffer.from(message);
}

/**
 * Like `toWireFormat`, but a message already in wire format comes back as a view
 * of the same bytes, not a copy (a message read from disk or received by SMTP
 * usually is). Copies runs between bare LFs with Buffer methods, not byte by byte.
 */
export function asWireFormat(message: Uint8Array): Buffer {
  const input = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const output = converted(input) ?? input;
  // The scan saw every LF; remember the count so the body event of a RETR need not scan again.
  knownLineCounts.set(output, lastLineCount);
  return output;
}

/**
 * Line counts of buffers `asWireFormat` returned (a RETR body is scanned once,
 * not twice). Those buffers are message bodies nobody writes to afterwards.
 */
const knownLineCounts = new WeakMap<Uint8Array, number>();
/** The LF count of the last `converted` output, set as a side result of its scan. */
let lastLineCount = 0;

/** The message converted to wire format, or undefined when it already is. */
function converted(message: Uint8Array): Buffer | undefined {
  const input = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const { bare: bareLfCount, all } = countLf(input);
  const needsFinalNewline = input.length > 0 && input[input.length - 1] !== LF;
  lastLineCount = all + (needsFinalNewline ? 1 : 0);
  if (bareLfCount === 0 && !needsFinalNewline) return undefined;
  const out = Buffer.allocUnsafe(input.length + bareLfCount + (needsFinalNewline ? 2 : 0));
  let o = 0;
  let from = 0;
  for (let lf = input.indexOf(LF); lf !== -1; lf = input.indexOf(LF, lf + 1)) {
    if (lf > 0 && input[lf - 1] === CR) continue;
    o += input.copy(out, o, from, lf);
    out[o++] = CR;
    from = lf; // the LF itself starts the next run
  }
  o += input.copy(out, o, from);
  if (needsFinalNewline) {
    out[o++] = CR;
    out[o++] = LF;
  }
  return out;
}

/** LFs without a CR before them, and all LFs. */
function countLf(input: Buffer): { bare: number; all: number } {
  let bare = 0;
  let all = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    all++;
    if (i === 0 || input[i - 1] !== CR) bare++;
  }
  return { bare, all };
}

/** The octet count RFC 1939 asks for: the size of `toWireFormat(message)`, without building it. */
export function wireSize(message: Uint8Array): number {
  const input = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  let size = input.length + countLf(input).bare;
  if (input.length > 0 && input[input.length - 1] !== LF) size += 2;
  return size;
}

const LF_DOT = Buffer.from('\n.', 'latin1');
const TERMINATOR = Buffer.from('.\r\n', 'latin1');

/**
 * Byte-stuffs a wire-format body and appends the terminating ".\r\n".
 * The body must already end with CRLF (or be empty). `head` (a status line)
 * goes first in the same buffer, so a reply is built with one copy of the body.
 */
export function stuffBody(body: Uint8Array, head?: Uint8Array): Buffer {
  const input = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const headLength = head?.length ?? 0;
  // Every line that starts with "." gets one more: the first line, and each "." after an LF.
  // One search finds them all (usually none); the copy then runs between them.
  const dotsAt: number[] = input.length > 0 && input[0] === DOT ? [0] : [];
  for (let i = input.indexOf(LF_DOT); i !== -1; i = input.indexOf(LF_DOT, i + 2)) dotsAt.push(i + 1);
  const out = Buffer.allocUnsafe(headLength + input.length + dotsAt.length + TERMINATOR.length);
  let o = 0;
  if (head) {
    out.set(head, 0);
    o = headLength;
  }
  let from = 0;
  for (const dot of dotsAt) {
    o += input.copy(out, o, from, dot);
    out[o++] = DOT;
    from = dot; // the line's own "." starts the next run
  }
  o += input.copy(out, o, from);
  TERMINATOR.copy(out, o);
  return out;
}

/** Counts the lines of a wire-format body (one per CRLF). */
export function countLines(body: Uint8Array): number {
  const known = knownLineCounts.get(body);
  if (known !== undefined) return known;
  const input = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let lines = 0;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) lines++;
  return lines;
}
