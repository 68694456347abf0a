/**
 * The annotation catalogue: one entry per key (docs/ARCHITECTURE.md, "The catalogue"). Commands and
 * states come from the protocol tables, where they are defined next to their
 * handlers; replies, codes, keywords and notices from the data files beside
 * this one (gathered in data-entries.ts).
 */
import { POP3 } from '../protocols/pop3.js';
import type { ProtocolData } from '../protocols/protocol-data.js';
import { SMTP } from '../protocols/smtp.js';
import { dataEntries } from './data-entries.js';
import type { CatalogueEntry } from './entry.js';
import { commandHistoric, commandSummary, stateSummary } from './messages.js';

function build(): Map<string, CatalogueEntry> {
  const entries = new Map<string, CatalogueEntry>();
  const add = (entry: CatalogueEntry) => {
    if (entries.has(entry.key)) throw new Error(`catalogue: duplicate key ${entry.key}`);
    entries.set(entry.key, entry);
  };
  // Commands and states: the facts from the protocol data (core/protocols), the words from the message files.
  for (const data of [POP3, SMTP] as readonly ProtocolData<string, string>[]) {
    const { protocol } = data;
    for (const command of data.commands) {
      add({
        key: `${protocol}.command.${command.name}`,
        title: command.name,
        summary: commandSummary(protocol, command.name),
        rfc: command.rfc,
        syntax: command.syntax,
        states: command.states,
        ...(command.historic ? { historic: commandHistoric(protocol, command.name) } : {}),
      });
    }
    for (const state of data.states) add({ key: `${protocol}.state.${state}`, title: state, summary: stateSummary(protocol, state), rfc: data.stateRfc[state]! });
  }
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
