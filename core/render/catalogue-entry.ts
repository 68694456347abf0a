/**
 * Catalogue entries as plain text, for `maillab explain` and anything else
 * that prints an entry in full: title and kind, syntax and states for
 * commands, the RFC section, the summary wrapped to a terminal's width, and
 * the historic note.
 */
import type { CatalogueEntry } from '../annotations/entry.js';
import type { ExplainResult } from '../annotations/explain.js';
import { keyKind } from '../annotations/key-kinds.js';

const WIDTH = 78;
const INDENT = '  ';

/** One entry as a few lines of text (no trailing newline). */
export function renderEntry(entry: CatalogueEntry): string {
  const kind = keyKind(entry.key)?.label;
  const lines = [kind ? `${entry.title}  (${kind})` : entry.title];
  if (entry.syntax) lines.push(`${INDENT}syntax:   ${entry.syntax}`);
  if (entry.states && entry.states.length > 0) lines.push(`${INDENT}states:   ${entry.states.join(', ')}`);
  lines.push(`${INDENT}see:      ${entry.rfc}`);
  lines.push(...wrap(entry.summary, WIDTH - INDENT.length).map((line) => `${INDENT}${line}`));
  if (entry.historic) lines.push(...wrap(`Historic: ${entry.historic}.`, WIDTH - INDENT.length).map((line) => `${INDENT}${line}`));
  return lines.join('\n');
}

/** The one line for a query nothing matched: close names if any, else what can be asked. */
export function renderNoEntry(result: ExplainResult): string {
  const head = `no entry for "${result.query}"`;
  if (result.suggestions.length > 0) return `${head}; did you mean ${result.suggestions.join(', ')}?`;
  return (
    `${head}; try a command (RETR, "smtp QUIT"), a reply code or line (354, "550 5.1.1 …"), an enhanced code (5.7.1), ` +
    'a POP3 reply ("-ERR [IN-USE]"), a CAPA tag or EHLO keyword (PIPELINING) or a state (TRANSACTION)'
  );
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
