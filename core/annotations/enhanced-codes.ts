/**
 * Enhanced mail system status codes, class.subject.detail (RFC 3463). Which
 * detail codes exist, where each is defined and in which classes it is used
 * is the IANA registry, shipped as data in registries/enhanced-status-codes.json
 * (RFC 3463 and the RFCs that add to it: 3886, 4468, 4954, 5248, 6531,
 * 6710, 7293, 7372, 7505, 8617, 8689). The catalogue has one entry per
 * detail code in each class it is used in (`smtp.enhanced.5.1.1`), and
 * entries for each class and subject, so that any other code can still be
 * explained "by subject" as RFC 3463 §2 asks of clients (see describe.ts).
 * The words live in the message file messages/en/enhanced-codes.json.
 */
import messages from './messages/en/enhanced-codes.json' with { type: 'json' };
import registry from './registries/enhanced-status-codes.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

export interface EnhancedPart {
  readonly words: string;
  readonly meaning: string;
}

/** One row of the IANA registry of enumerated status codes. */
export interface RegisteredCode {
  /** "1.1" for X.1.1. */
  readonly code: string;
  /** The registry's sample text. */
  readonly text: string;
  /** The reply codes the registry associates with it. */
  readonly basic: readonly number[];
  /** Where it is defined: "RFC 3463 §3.2". */
  readonly reference: string;
  /** The classes it is used in. */
  readonly classes: readonly number[];
}

export interface DetailCode extends EnhancedPart {
  /** "1.1" for X.1.1. */
  readonly code: string;
  readonly rfc: string;
  /** The classes it is used in (the registry's). */
  readonly classes: readonly number[];
}

/** The registry, as shipped. */
export const ENHANCED_REGISTRY: readonly RegisteredCode[] = registry.codes;

export const ENHANCED_CLASSES: Readonly<Record<'2' | '4' | '5', EnhancedPart>> = messages.classes;
export const ENHANCED_SUBJECTS: readonly (EnhancedPart & { subject: number })[] = messages.subjects;

const WORDS = new Map(messages.details.map((detail) => [detail.code, detail]));

/** Every registered detail code, with its words; a registered code without words is a gap the catalogue test reports. */
export const ENHANCED_DETAILS: readonly DetailCode[] = ENHANCED_REGISTRY.map((row) => ({
  code: row.code,
  words: WORDS.get(row.code)?.words ?? row.text,
  meaning: WORDS.get(row.code)?.meaning ?? row.text.toLowerCase(),
  rfc: row.reference,
  classes: row.classes,
}));

/** Every enhanced-code entry: classes, subjects, and each detail code in each of its classes. */
export function enhancedCodeEntries(): readonly CatalogueEntry[] {
  return messages.entries;
}
