/**
 * Message header fields that the course reads on the wire but no command
 * or reply describes: trace and authentication fields added by receiving
 * servers. The words live in the message file messages/en/header-fields.json.
 */
import messages from './messages/en/header-fields.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

export const HEADER_FIELD_ENTRIES: readonly CatalogueEntry[] = messages.fields;
