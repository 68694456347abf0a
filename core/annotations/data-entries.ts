/**
 * The catalogue entries that are plain data: replies, response and status
 * codes, CAPA tags, EHLO keywords and notices. Kept apart from catalogue.ts,
 * which also reads the command tables, so that command handlers can annotate
 * (through annotate.ts) without an import cycle back into those tables.
 */
import { enhancedCodeEntries } from './enhanced-codes.js';
import type { CatalogueEntry } from './entry.js';
import { HEADER_FIELD_ENTRIES } from './header-fields.js';
import { POP3_CAPA_ENTRIES, SMTP_KEYWORD_ENTRIES } from './keywords.js';
import { CLIENT_NOTICE_ENTRIES, NOTICE_ENTRIES } from './notices.js';
import { REPLY_CONTEXT_ENTRIES } from './reply-context.js';
import { POP3_REPLY_ENTRIES } from './pop3-replies.js';
import { SMTP_FIRST_DIGIT_ENTRIES, SMTP_REPLY_ENTRIES, SMTP_SECOND_DIGIT_ENTRIES } from './smtp-replies.js';

let entries: readonly CatalogueEntry[] | undefined;
let byKey: Map<string, CatalogueEntry> | undefined;

/** Every data entry, in catalogue order. */
export function dataEntries(): readonly CatalogueEntry[] {
  entries ??= [
    ...POP3_REPLY_ENTRIES,
    ...SMTP_REPLY_ENTRIES,
    ...SMTP_FIRST_DIGIT_ENTRIES,
    ...SMTP_SECOND_DIGIT_ENTRIES,
    ...enhancedCodeEntries(),
    ...POP3_CAPA_ENTRIES,
    ...SMTP_KEYWORD_ENTRIES,
    ...NOTICE_ENTRIES,
    ...CLIENT_NOTICE_ENTRIES,
    ...REPLY_CONTEXT_ENTRIES,
    ...HEADER_FIELD_ENTRIES,
  ];
  return entries;
}

/** The data entry for a key, if there is one. */
export function lookupData(key: string): CatalogueEntry | undefined {
  byKey ??= new Map(dataEntries().map((entry) => [entry.key, entry]));
  return byKey.get(key);
}
