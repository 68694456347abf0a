/**
 * The --show-bytes view: what is normally invisible on the wire. CR and LF
 * become ␍ ␊, a bare LF is flagged, and control bytes are shown by their hex
 * value, so "250-" against "250 ", dot-stuffing and broken line ends are seen.
 */
import type { RawLine } from '../events.js';

/** One line with its ending made visible. */
export function showBytes(line: RawLine): string {
  const visible = [...line.text].map((char) => {
    const code = char.charCodeAt(0);
    if (char === '\r') return '␍';
    if (char === '\t') return '␉';
    if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
    if (code >= 0x80) return `\\x${code.toString(16)}`;
    return char;
  });
  const ending = line.ending === 'crlf' ? '␍␊' : '␊   <- bare LF: this line should end with CRLF';
  const notes: string[] = [];
  if (/^\.\./.test(line.text)) notes.push('byte-stuffed: the first "." was added by the sender and is removed by the reader');
  if (/^\d{3}-/.test(line.text)) notes.push('"-" after the code: more lines of this reply follow');
  return `${visible.join('')}${ending}${notes.length ? `   (${notes.join('; ')})` : ''}`;
}
