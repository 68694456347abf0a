/**
 * The keys the TUI handles itself (selection, folding, the mouse wheel), split
 * from those the console model edits with (core/models/terminal-keys.ts
 * decodes those). Pure.
 */
import { decodeTerminalKeys, type ConsoleKey } from '../../core/browser.js';

export type UiKey = { kind: 'select'; step: number } | { kind: 'select-latest' } | { kind: 'toggle-body' } | { kind: 'ignore' };
export type TuiKey = { ui: UiKey } | { console: ConsoleKey };

const UI_SEQUENCES: Readonly<Record<string, UiKey>> = {
  '\x1b[1;2A': { kind: 'select', step: -1 },
  '\x1b[1;2B': { kind: 'select', step: 1 },
  '\x1b[5~': { kind: 'select', step: -5 },
  '\x1b[6~': { kind: 'select', step: 5 },
  '\x1b': { kind: 'select-latest' },
  '\x0f': { kind: 'toggle-body' },
};

/**
 * xterm mouse reporting (button events, SGR encoding): what run-tui turns on
 * while the TUI runs and off when it leaves. A report is `ESC [ < button ; column ; row M`
 * (press) or `… m` (release); Ink hands each one over whole.
 */
export const MOUSE_REPORTING_ON = '\x1b[?1000h\x1b[?1006h';
export const MOUSE_REPORTING_OFF = '\x1b[?1006l\x1b[?1000l';
const SGR_MOUSE = /^\x1b\[<(\d+);\d+;\d+[Mm]$/;
const WHEEL_UP = 64;
const WHEEL_DOWN = 65;

/** A mouse report: the wheel moves the selection one row (up: older); clicks are swallowed, never typed. */
export function decodeMouse(chunk: string): UiKey | undefined {
  const match = SGR_MOUSE.exec(chunk);
  if (!match) return undefined;
  const button = Number(match[1]);
  if (button === WHEEL_UP) return { kind: 'select', step: -1 };
  if (button === WHEEL_DOWN) return { kind: 'select', step: 1 };
  return { kind: 'ignore' };
}

/** The keys in one chunk of terminal input (Ink hands escape sequences over one at a time). */
export function decodeTuiKeys(chunk: string): TuiKey[] {
  const ui = UI_SEQUENCES[chunk] ?? decodeMouse(chunk);
  if (ui) return [{ ui }];
  if (chunk.includes('\x0f')) return chunk.split('\x0f').flatMap((part, index) => [...(index > 0 ? [{ ui: { kind: 'toggle-body' } as UiKey }] : []), ...decodeTuiKeys(part)]);
  return chunk === '' ? [] : decodeTerminalKeys(chunk).map((key) => ({ console: key }));
}
