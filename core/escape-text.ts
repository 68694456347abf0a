/**
 * The one escaping of peer text for every transcript, log and screen (the
 * text renderers, `serve --verbose`, the logs, the events front ends show).
 * Bytes from the network must never reach an operator's terminal as controls:
 * ESC starts sequences that set the title, clear the screen or move the
 * cursor; a bare CR or LF lets a client forge a server line; C1 controls
 * (0x80-0x9f, e.g. 0x9b, the one-byte CSI) and Unicode bidirectional
 * overrides reorder what is shown.
 *
 * Each such character becomes `\xNN` (or `\u{NNNN}`), printable and visible.
 * Idempotent: escaped text escapes to itself. Browser-safe: no Node built-ins.
 */

/** C0 controls (TAB, CR and LF included), DEL, C1 controls, line/paragraph separators, bidi embeddings, overrides and isolates. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control or reordering character shown as an escape. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Multi-line text of our own (a notice, an indented block) with its line breaks kept and every line escaped. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControls).join('\n');
}

/** True when `text` holds nothing `escapeControls` would change. */
export function isPrintable(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const unsafe = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return !unsafe;
}

/**
 * A continuation line of a folded header field (RFC 5322 §2.2.3: it starts
 * with a space or TAB): the TABs of its folding whitespace shown as spaces,
 * to the next multiple of 8 columns as a terminal would, so a Received:
 * header folded with TABs reads as it was written and not as `\x09`; the
 * rest escaped as by `escapeControls` (a TAB further on stays `\x09`). No
 * literal TAB is written: its width depends on the terminal, and Ink
 * measures it as nothing. The show-bytes view shows each TAB as ␉.
 */
export function escapeFoldedLine(text: string): string {
  const fold = /^[ \t]*/.exec(text)![0];
  let shown = '';
  for (const char of fold) shown += char === '\t' ? ' '.repeat(8 - (shown.length % 8)) : ' ';
  return shown + escapeControls(text.slice(fold.length));
}
