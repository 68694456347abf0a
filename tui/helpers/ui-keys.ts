/**
 * The keys the TUI handles itself (selection, folding), split from those the
 * console model edits with (core/models/terminal-keys.ts decodes those). Pure.
 */
import { decodeTerminalKeys, type ConsoleKey } from '../../core/browser.js';

export type UiKey = { kind: 'select'; step: number } | { kind: 'select-latest' } | { kind: 'toggle-body' };
export type TuiKey = { ui: UiKey } | { console: ConsoleKey };

const UI_SEQUENCES: Readonly<Record<string, UiKey>> = {
  '\x1b[1;2A': { kind: 'select', step: -1 },
  '\x1b[1;2B': { kind: 'select', step: 1 },
  '\x1b[5~': { kind: 'select', step: -5 },
  '\x1b[6~': { kind: 'select', step: 5 },
  '\x1b': { kind: 'select-latest' },
  '\x0f': { kind: 'toggle-body' },
};

/** The keys in one chunk of terminal input (Ink hands escape sequences over one at a time). */
export function decodeTuiKeys(chunk: string): TuiKey[] {
  const ui = UI_SEQUENCES[chunk];
  if (ui) return [{ ui }];
  if (chunk.includes('\x0f')) return chunk.split('\x0f').flatMap((part, index) => [...(index > 0 ? [{ ui: { kind: 'toggle-body' } as UiKey }] : []), ...decodeTuiKeys(part)]);
  return chunk === '' ? [] : decodeTerminalKeys(chunk).map((key) => ({ console: key }));
}
