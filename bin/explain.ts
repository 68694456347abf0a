/**
 * `maillab explain <thing...>`: what a command, reply, code, keyword or state
 * means, from the annotation catalogue, without connecting anywhere.
 */
import { explain } from '../core/annotations/explain.js';
import { renderEntry, renderNoEntry } from '../core/render/catalogue-entry.js';

export interface ExplainCliOptions {
  json: boolean;
}

/** Prints the entries (text or JSON); nothing found: one line on stderr and exit status 1. */
export function runExplain(words: readonly string[], options: ExplainCliOptions): void {
  // Unknown options are let through so that "-ERR [IN-USE]" reaches us; a "--word" is still a mistyped option.
  const option = words.find((word) => /^--\w/.test(word));
  if (option !== undefined) {
    process.stderr.write(`maillab: unknown option '${option}' (run maillab explain --help for usage)\n`);
    process.exitCode = 1;
    return;
  }
  const result = explain(words.join(' '));
  if (options.json) process.stdout.write(`${JSON.stringify(result.entries, null, 2)}\n`);
  if (result.entries.length === 0) {
    process.stderr.write(`maillab: ${renderNoEntry(result)}\n`);
    process.exitCode = 1;
    return;
  }
  if (!options.json) process.stdout.write(`${result.entries.map(renderEntry).join('\n\n')}\n`);
}
