/**
 * POP3 status indicators and RFC 2449 / RFC 3206 response codes. The words
 * live in the message file messages/en/pop3-replies.json (translatable);
 * this module only hands them to the catalogue.
 */
import messages from './messages/en/pop3-replies.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

export const POP3_REPLY_ENTRIES: readonly CatalogueEntry[] = messages.replies;
