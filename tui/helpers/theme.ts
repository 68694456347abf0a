/** Colours for each line style; none at all when NO_COLOR is set (https://no-color.org), emphasis kept. Pure. */
import type { LineStyle } from './transcript-lines.js';

export interface Theme {
  readonly color: boolean;
  /** The colour of a style, or undefined (the terminal's own). */
  of(style: LineStyle | 'accent' | 'muted' | 'data'): string | undefined;
}

const COLOURS: Readonly<Record<LineStyle | 'accent' | 'muted' | 'data', string>> = {
  client: 'cyan',
  server: 'green',
  body: 'green',
  note: 'gray',
  brief: 'gray',
  warning: 'red',
  transition: 'magenta',
  tls: 'yellow',
  notice: 'blue',
  'notice-warning': 'yellow',
  local: 'blue',
  error: 'red',
  accent: 'cyan',
  muted: 'gray',
  data: 'yellow',
};

export function createTheme(env: Readonly<Record<string, string | undefined>>): Theme {
  const color = env['NO_COLOR'] === undefined || env['NO_COLOR'] === '';
  return { color, of: (style) => (color ? COLOURS[style] : undefined) };
}
