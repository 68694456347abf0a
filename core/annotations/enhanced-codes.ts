/**
 * Enhanced mail system status codes, class.subject.detail (RFC 3463), with
 * those RFC 4954 (AUTH) and RFC 6531 (SMTPUTF8) add: one catalogue entry per
 * detail code in each class the RFC allows it in (`smtp.enhanced.5.1.1`), and
 * entries for each class and subject, so that a code nobody listed can still
 * be explained "by subject" as RFC 3463 §2 asks of clients (see describe.ts).
 * The words live in the message file messages/en/enhanced-codes.json.
 */
import messages from './messages/en/enhanced-codes.json' with { type: 'json' };
import type { CatalogueEntry } from './entry.js';

export interface EnhancedPart {
  readonly words: string;
  readonly meaning: string;
}

export interface DetailCode extends EnhancedPart {
  /** "1.1" for X.1.1. */
  readonly code: string;
  readonly rfc: string;
  /** The classes it is given with; all three where its RFC sets no limit. */
  readonly classes?: readonly number[];
}

export const ENHANCED_CLASSES: Readonly<Record<'2' | '4' | '5', EnhancedPart>> = messages.classes;
export const ENHANCED_SUBJECTS: readonly (EnhancedPart & { subject: number })[] = messages.subjects;
export const ENHANCED_DETAILS: readonly DetailCode[] = messages.details;

/** Every enhanced-code entry: classes, subjects, and each detail code in each of its classes. */
export function enhancedCodeEntries(): readonly CatalogueEntry[] {
  return messages.entries;
}
