/**
 * Notices and warnings the engines and trackers emit (TLS up, SASL challenge,
 * cleartext password, bare LF, fault applied …). The words live in the
 * message file messages/en/notices.json.
 */
import messages from './messages/en/notices.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

/** Emitted by the server engines and the lab. */
export const NOTICE_ENTRIES: readonly CatalogueEntry[] = messages.server;
/** Emitted by the client trackers and the raw client. */
export const CLIENT_NOTICE_ENTRIES: readonly CatalogueEntry[] = messages.client;
