/**
 * CAPA tags (RFC 2449 §6) and EHLO keywords (RFC 5321 §4.1.1.1 and the
 * extensions). The words live in the message file messages/en/keywords.json;
 * a CAPA tag's name and RFC are the CAPA table's (core/protocols/pop3-capabilities.ts).
 */
import messages from './messages/en/keywords.json' with { type: 'json' };
import { POP3_CAPABILITIES } from '../protocols/pop3-capabilities.js';
import type { CatalogueEntry } from './entry.js';

const capaWords = new Map(messages.pop3Capa.map((words) => [words.key, words]));

/** One entry per capability of the table, with its words; a tag without words is a missing translation and throws. */
export const POP3_CAPA_ENTRIES: readonly CatalogueEntry[] = POP3_CAPABILITIES.map((capability) => {
  const key = `pop3.capa.${capability.tag}`;
  const words = capaWords.get(key);
  if (!words) throw new Error(`message file has no entry for ${key}`);
  return { key, title: capability.tag, brief: words.brief, summary: words.summary, rfc: capability.rfc };
});
export const SMTP_KEYWORD_ENTRIES: readonly CatalogueEntry[] = messages.smtpEhlo;
