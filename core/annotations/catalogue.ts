/**
 * The annotation catalogue: one entry per key (DESIGN.md §4). Commands and
 * states come from the protocol tables, where they are defined next to their
 * handlers; replies, codes, keywords and notices from the data files beside
 * this one (gathered in data-entries.ts).
 */
import { POP3_COMMANDS } from '../pop3/commands/index.js';
import { POP3_STATE_INFO } from '../pop3/states.js';
import { SMTP_COMMANDS } from '../smtp/commands/index.js';
import { SMTP_STATE_INFO } from '../smtp/states.js';
import { dataEntries } from './data-entries.js';
import type { CatalogueEntry } from './entry.js';

function build(): Map<string, CatalogueEntry> {
  const entries = new Map<string, CatalogueEntry>();
  const add = (entry: CatalogueEntry) => {
    if (entries.has(entry.key)) throw new Error(`catalogue: duplicate key ${entry.key}`);
    entries.set(entry.key, entry);
  };
  for (const command of POP3_COMMANDS) {
    add({
      key: `pop3.command.${command.name}`,
      title: command.name,
      summary: command.summary,
      rfc: command.rfc,
      syntax: command.syntax,
      states: command.states,
      ...(command.historic ? { historic: command.historic } : {}),
    });
  }
  for (const command of SMTP_COMMANDS) {
    add({ key: `smtp.command.${command.name}`, title: command.name, summary: command.summary, rfc: command.rfc, syntax: command.syntax, states: command.states });
  }
  for (const [state, info] of Object.entries(POP3_STATE_INFO)) add({ key: `pop3.state.${state}`, title: state, summary: info.summary, rfc: info.rfc });
  for (const [state, info] of Object.entries(SMTP_STATE_INFO)) add({ key: `smtp.state.${state}`, title: state, summary: info.summary, rfc: info.rfc });
  dataEntries().forEach(add);
  return entries;
}

let catalogue: Map<string, CatalogueEntry> | undefined;

/** The entry for a key, if the catalogue has one. */
export function lookup(key: string): CatalogueEntry | undefined {
  catalogue ??= build();
  return catalogue.get(key);
}

/** Every entry, for docs and completeness tests. */
export function allEntries(): CatalogueEntry[] {
  catalogue ??= build();
  return [...catalogue.values()];
}
