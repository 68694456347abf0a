/**
 * Transcript rows (core/models/transcript.ts) as the screen lines of the
 * transcript pane: one terminal row each (Ink truncates, never wraps), with
 * a style the components turn into colours. Wording comes from the core's row
 * renderer; this file only picks markers and styles, folds bodies, and cuts
 * the window that fits the pane, so a session of 10,000 lines draws only what
 * is visible. Pure.
 */
import { renderBody, renderBodySummary, renderNote, renderRowHead, type TranscriptRow } from '../../core/browser.js';
import { wrap } from '../../core/render/catalogue-entry.js';

export type LineStyle = 'client' | 'server' | 'note' | 'brief' | 'warning' | 'transition' | 'tls' | 'notice' | 'notice-warning' | 'local' | 'error' | 'body';

export interface DisplayLine {
  readonly rowId: number;
  readonly text: string;
  readonly style: LineStyle;
}

export interface LineOptions {
  /** The body row is shown whole rather than as its one-line summary. */
  readonly unfolded: boolean;
  /** The row is the echo of a meta-command typed here (never on the wire). */
  readonly local: boolean;
  /** Columns of the pane: notices (narration, help) wrap to it; wire lines are cut, never wrapped. */
  readonly width: number;
}

export const CLIENT_MARKER = '→';
export const SERVER_MARKER = '←';
export const LOCAL_MARKER = '⌂';

/** Bodies up to this many lines are shown whole; longer ones are folded to their summary. */
export const FOLD_OVER_LINES = 6;

/** Whether a body row is shown whole: short ones are, unless the learner folded them; long ones only when unfolded. */
export function isUnfolded(row: TranscriptRow, toggled: ReadonlySet<number>): boolean {
  if (row.kind !== 'body') return false;
  return (row.body.lines <= FOLD_OVER_LINES && row.body.content !== undefined) !== toggled.has(row.id);
}

/** One row as screen lines: its head, then its notes. */
export function rowLines(row: TranscriptRow, options: LineOptions): DisplayLine[] {
  const lines: DisplayLine[] = [];
  const add = (text: string, style: LineStyle) => lines.push({ rowId: row.id, text, style });
  switch (row.kind) {
    case 'line':
      for (const text of renderRowHead(row)) add(`${row.from === 'client' ? CLIENT_MARKER : SERVER_MARKER} ${text}`, row.from);
      break;
    case 'body': {
      const marker = row.from === 'client' ? CLIENT_MARKER : SERVER_MARKER;
      // Folded: the one-line summary and the key hint; unfolded: the lines as on the wire (core/render/transcript.ts).
      if (!options.unfolded) add(`${marker} ${renderBodySummary(row.body)}  [+]`, 'body');
      // (The pane's own │ marks the lines as the body's; the C:/S: prefix would only repeat the row's arrow.)
      else for (const text of renderBody(row.body)) add(`  │ ${text.replace(/^[CS]: /, '')}`, 'body');
      break;
    }
    case 'tls':
      for (const text of renderRowHead(row)) add(`──── ${text.trim()} ────`, 'tls');
      break;
    case 'notice':
      for (const paragraph of row.text.split('\n'))
        for (const text of paragraph.length + 2 <= options.width ? [paragraph] : wrap(paragraph, Math.max(10, options.width - 2)))
          add(`${options.local ? LOCAL_MARKER : '·'} ${text}`, options.local ? 'local' : row.level === 'warning' ? 'notice-warning' : 'notice');
      break;
    case 'error':
      for (const text of renderRowHead(row)) add(text, 'error');
      break;
    case 'raw':
    case 'notes':
      break;
  }
  for (const note of row.notes) {
    const text = renderNote(note);
    if (text === undefined) continue;
    const style: LineStyle = note.event.kind === 'transition' ? 'transition' : note.event.about === 'warning' ? 'warning' : note.explanation === 'brief' ? 'brief' : 'note';
    for (const part of text.split('\n')) add(part, style);
  }
  return lines;
}

/** Caches the lines of rows that can no longer change (frozen), so a long session is not re-rendered row by row. */
export class LineCache {
  private readonly cache = new WeakMap<TranscriptRow, LineOptions & { lines: DisplayLine[] }>();

  lines(row: TranscriptRow, options: LineOptions): DisplayLine[] {
    const cached = this.cache.get(row);
    if (cached && cached.unfolded === options.unfolded && cached.local === options.local && cached.width === options.width) return cached.lines;
    const lines = rowLines(row, options);
    if (Object.isFrozen(row)) this.cache.set(row, { ...options, lines });
    return lines;
  }
}

/**
 * The lines that fit a pane of `height` rows: the newest ones, or, with a
 * selected row, the ones ending with that row's last line; rows before
 * `first` are left out (/clear). Only the rows on screen are turned into lines.
 */
export function windowLines(rows: readonly TranscriptRow[], height: number, selected: number | undefined, lineOf: (row: TranscriptRow) => DisplayLine[], first = 0): DisplayLine[] {
  if (height <= 0) return [];
  const last = selected === undefined ? rows.length - 1 : Math.min(selected, rows.length - 1);
  const out: DisplayLine[][] = [];
  let count = 0;
  for (let index = last; index >= first && count < height; index--) {
    const lines = lineOf(rows[index]!);
    out.push(lines);
    count += lines.length;
  }
  const flat = out.reverse().flat();
  return flat.slice(Math.max(0, flat.length - height));
}

/** The row the explanation pane describes: the selected one, else the latest with an annotation. */
export function explainedRow(rows: readonly TranscriptRow[], selected: number | undefined): TranscriptRow | undefined {
  if (selected !== undefined) return rows[selected];
  for (let index = rows.length - 1, seen = 0; index >= 0 && seen < 200; index--, seen++) {
    const row = rows[index]!;
    if (row.notes.some((note) => note.event.kind === 'annotation')) return row;
  }
  return undefined;
}

/** The next row a selection moves to: rows that are on the wire (lines, bodies, TLS) or say something (notices, errors). */
export function moveSelection(rows: readonly TranscriptRow[], selected: number | undefined, step: number): number | undefined {
  if (rows.length === 0) return undefined;
  let index = selected ?? rows.length;
  const direction = Math.sign(step);
  for (let moved = 0; moved < Math.abs(step); ) {
    const next = index + direction;
    if (next < 0) break;
    if (next >= rows.length) return undefined;
    index = next;
    if (rows[index]!.kind !== 'notes' && rows[index]!.kind !== 'raw') moved++;
  }
  return index;
}
