/**
 * The page's own notes as terminal text. A note can carry words from
 * elsewhere (a refusal's text quotes a server's reply to STLS, a welcome
 * lists logins), so every line goes through the core's one escaping
 * (core/escape-text.ts): no ESC, OSC 8 link or bare CR from a peer reaches
 * xterm.js as a control.
 */
import { escapeLines } from '../../core/browser.js';

/** `text` escaped line by line and indented, lines joined with CRLF for the terminal. */
export function noticeText(text: string): string {
  return `   ${escapeLines(text).replace(/\n/g, '\r\n   ')}`;
}
