/**
 * CAPA tags (RFC 2449 §6) and EHLO keywords (RFC 5321 §4.1.1.1 and the
 * extensions). The words live in the message file messages/en/keywords.json.
 */
import messages from './messages/en/keywords.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

export const POP3_CAPA_ENTRIES: readonly CatalogueEntry[] = messages.pop3Capa;
export const SMTP_KEYWORD_ENTRIES: readonly CatalogueEntry[] = messages.smtpEhlo;
