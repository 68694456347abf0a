/**
 * A Postfix/Dovecot log as text: each line as written ("L: "), then what it
 * means and what to check, indented like a transcript's notes. Full the first
 * time a kind of line appears, its meaning alone after that; `brief` gives the
 * title, `off` only the lines. Every text is escaped (core/escape-text.ts): a
 * log holds what clients sent (a HELO name, an address), and none of it may
 * drive the terminal.
 */
import messages from '../annotations/messages/en/server-log.json' with { type: 'json' };
import type { ServerLogLine } from '../client/server-log.js';
import { escapeControls } from '../escape-text.js';

export interface ServerLogTextOptions {
  annotations?: 'full' | 'brief' | 'off';
}

/** The lines of a server log with their explanations. */
export function renderServerLog(lines: readonly ServerLogLine[], options: ServerLogTextOptions = {}): string[] {
  const level = options.annotations ?? 'full';
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    out.push(`L: ${escapeControls(line.text)}`);
    const explanation = line.explanation;
    if (!explanation || level === 'off') continue;
    if (level === 'brief') {
      out.push(`   = ${explanation.title} (${explanation.rfc})`);
      continue;
    }
    out.push(`   = ${escapeControls(`${explanation.title}: ${explanation.meaning}`)} (${explanation.rfc})`);
    if (!seen.has(explanation.key)) out.push(`   ? ${messages.format.check}: ${escapeControls(explanation.check)}`);
    seen.add(explanation.key);
  }
  return out;
}
