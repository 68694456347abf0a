/**
 * SMTP reply codes: every code RFC 5321 lists (§4.2.2, §4.2.3) and those its
 * extensions add, plus what the first and second digits mean on their own
 * (§4.2.1). The words live in the message file messages/en/smtp-replies.json.
 */
import messages from './messages/en/smtp-replies.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

export const SMTP_REPLY_ENTRIES: readonly CatalogueEntry[] = messages.replies;
export const SMTP_FIRST_DIGIT_ENTRIES: readonly CatalogueEntry[] = messages.firstDigit;
export const SMTP_SECOND_DIGIT_ENTRIES: readonly CatalogueEntry[] = messages.secondDigit;
