/**
 * Text laid out for a pane of fixed size: wrapped to the width, cut to the
 * height, so Ink never has to clip wrapped text (one Text per terminal row). Pure.
 */
import { wrap } from '../../core/render/catalogue-entry.js';

export interface PanelLine {
  readonly text: string;
  readonly style?: 'heading' | 'current' | 'muted' | 'transition' | 'accent';
}

/** Wraps one paragraph into panel lines of one style. */
export function wrapped(text: string, width: number, style?: PanelLine['style']): PanelLine[] {
  return wrap(text, Math.max(8, width)).map((line) => (style ? { text: line, style } : { text: line }));
}

/** The first `height` lines. */
export function fit(lines: readonly PanelLine[], height: number): PanelLine[] {
  return lines.slice(0, Math.max(0, height));
}
