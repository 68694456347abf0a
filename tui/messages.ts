/**
 * Every word the TUI itself shows (the welcome, key hints, pane headings, the
 * meta-command marker, status words). The words live in the message file
 * messages/en/tui.json (templates with `{name}` placeholders, `.one`/`.other`
 * for counts) so they can be translated; this module only fills them in.
 * Protocol wording comes from the catalogue, lesson wording from core/lessons.
 */
import text from './messages/en/tui.json' with { type: 'json' };

export type TuiMessageKey = keyof typeof text;

/** The template `key` with its `{name}` placeholders filled in. */
export function tuiText(key: TuiMessageKey, values: Record<string, string | number> = {}): string {
  return text[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The `.one` or `.other` form of a counted message. */
export function tuiCount(key: 'status.messages', count: number): string {
  return tuiText(`${key}.${count === 1 ? 'one' : 'other'}`, { count });
}
