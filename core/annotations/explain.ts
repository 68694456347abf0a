/**
 * Resolves whatever a learner types to catalogue entries: a command ("RETR",
 * "mail from:<a@b>"), a protocol-qualified one ("pop3 QUIT"), an SMTP reply
 * code or whole reply line ("550 5.1.1 no such user"), an enhanced status code
 * ("5.7.1"), a POP3 reply ("-ERR [IN-USE] …", "[LOGIN-DELAY]"), a CAPA tag or
 * EHLO keyword, a state, or a catalogue key. Names shared by both protocols
 * (QUIT, AUTH, PIPELINING) or by a command and a state (DATA) give every entry.
 * Nothing found: close names to try instead.
 */
import type { Protocol } from '../events.js';
import { pop3CodeKey, pop3ReplyAnnotations } from './annotate.js';
import { allEntries, lookup } from './catalogue.js';
import { describeKey } from './describe.js';
import type { CatalogueEntry } from './entry.js';
import { keyName } from './key-kinds.js';

export interface ExplainResult {
  /** The query as understood: trimmed, runs of blanks made one space. */
  readonly query: string;
  /** What it resolved to, in reading order; empty when nothing matched. */
  readonly entries: readonly CatalogueEntry[];
  /** Names close to the query, to try instead; only when nothing matched. */
  readonly suggestions: readonly string[];
}

/** Where a bare word is looked for, in the order results are listed. */
const WORD_FAMILIES: readonly { prefix: string; protocol: Protocol }[] = [
  { prefix: 'pop3.command.', protocol: 'pop3' },
  { prefix: 'smtp.command.', protocol: 'smtp' },
  { prefix: 'pop3.state.', protocol: 'pop3' },
  { prefix: 'smtp.state.', protocol: 'smtp' },
  { prefix: 'pop3.capa.', protocol: 'pop3' },
  { prefix: 'smtp.keyword.', protocol: 'smtp' },
  { prefix: 'pop3.code.', protocol: 'pop3' },
];

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/** Explains what a user typed; see the file comment for what is understood. */
export function explain(query: string): ExplainResult {
  const text = query.trim().replace(/\s+/g, ' ');
  if (text === '') return { query: text, entries: [], suggestions: [] };
  const exact = describeKey(text);
  if (exact) return found(text, [exact]);

  const qualified = /^(pop3|pop|smtp)\s(.+)$/i.exec(text);
  const protocol: Protocol | undefined = qualified ? (qualified[1]!.toLowerCase() === 'smtp' ? 'smtp' : 'pop3') : undefined;
  const rest = qualified ? qualified[2]! : text;

  const entries =
    (protocol !== 'smtp' ? pop3Reply(rest) : undefined) ?? (protocol !== 'pop3' ? smtpCode(rest) : undefined) ?? (protocol ? undefined : headerField(rest)) ?? words(rest, protocol);
  if (entries.length > 0) return found(text, entries);
  return { query: text, entries: [], suggestions: suggest(rest, protocol) };
}

function found(query: string, entries: readonly (CatalogueEntry | undefined)[]): ExplainResult {
  const unique = new Map<string, CatalogueEntry>();
  for (const entry of entries) if (entry) unique.set(entry.key, entry);
  return { query, entries: [...unique.values()], suggestions: [] };
}

/** "+OK …", "-ERR [IN-USE] …", "+ challenge", or a bare "[SYS/TEMP]". */
function pop3Reply(text: string): CatalogueEntry[] | undefined {
  const bracket = /^\[([^\]\s]+)\]$/.exec(text);
  if (bracket) return present([pop3CodeKey(bracket[1]!)]);
  const status = /^(\+OK|-ERR)(?=\s|\[|$)/i.exec(text);
  if (status) {
    const line = `${status[1]!.toUpperCase()}${text.slice(status[1]!.length)}`.replace(/^(\+OK|-ERR)\[/, '$1 [');
    return present(pop3ReplyAnnotations(line).map((event) => event.key));
  }
  if (text === '+' || text.startsWith('+ ')) return present(['pop3.reply.continue']);
  return undefined;
}

/**
 * "354", "550 5.1.1 no such user", "250-PIPELINING", "5.7.1", "X.1.1", "5yz", "x5z".
 * A code with no entry of its own is read from its digits (or class and subject).
 */
function smtpCode(text: string): CatalogueEntry[] | undefined {
  const line = /^(\d{3})(?:[ -](.*))?$/.exec(text);
  if (line) {
    const after = (line[2] ?? '').trim();
    const enhanced = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/.exec(after);
    const firstWord = after.split(/[ =]/)[0]!.toUpperCase();
    const keyword = line[1] === '250' && !enhanced && firstWord !== '' ? lookup(`smtp.keyword.${firstWord}`) : undefined;
    return present([`smtp.reply.${line[1]}`, ...(enhanced ? [`smtp.enhanced.${enhanced[1]}`] : [])]).concat(keyword ? [keyword] : []);
  }
  if (ENHANCED.test(text)) return present([`smtp.enhanced.${text}`]);
  const anyClass = /^x\.(\d{1,3})\.(\d{1,3})$/i.exec(text);
  if (anyClass) {
    const perClass = present(['5', '4', '2'].map((cls) => `smtp.enhanced.${cls}.${anyClass[1]}.${anyClass[2]}`).filter((key) => lookup(key)));
    return perClass.length > 0 ? perClass : present([`smtp.enhanced-subject.${anyClass[1]}`]);
  }
  const firstDigit = /^([2-5])(?:yz|xx)$/i.exec(text);
  if (firstDigit) return present([`smtp.digit1.${firstDigit[1]}`]);
  const secondDigit = /^x([0-9])(?:z|x)$/i.exec(text);
  if (secondDigit) return present([`smtp.digit2.${secondDigit[1]}`]);
  const enhancedClass = /^([245])\.x+\.x+$/i.exec(text);
  if (enhancedClass) return present([`smtp.enhanced-class.${enhancedClass[1]}`]);
  const enhancedSubject = /^x\.(\d{1,3})\.x+$/i.exec(text);
  if (enhancedSubject) return present([`smtp.enhanced-subject.${enhancedSubject[1]}`]);
  return undefined;
}

/** "Authentication-Results", or a whole header line "Authentication-Results: mx; spf=pass": the field's entry, in any case. */
function headerField(text: string): CatalogueEntry[] | undefined {
  const name = /^([A-Za-z][A-Za-z0-9-]*)(?::|$)/.exec(text)?.[1]?.toLowerCase();
  if (name === undefined) return undefined;
  const entry = allEntries().find((candidate) => candidate.key.startsWith('mail.header.') && candidate.key.slice('mail.header.'.length).toLowerCase() === name);
  return entry ? [entry] : undefined;
}

/** A bare name: its first word, as a command, state, CAPA tag, EHLO keyword or response code. */
function words(text: string, protocol: Protocol | undefined): CatalogueEntry[] {
  const word = firstWord(text);
  if (word === '') return [];
  return present(WORD_FAMILIES.filter((family) => protocol === undefined || family.protocol === protocol).map((family) => `${family.prefix}${word}`));
}

/** "MAIL FROM:<a@b>" → MAIL, "AUTH=PLAIN" → AUTH, "SIZE 1000" → SIZE. */
function firstWord(text: string): string {
  return text.split(/[ :=]/)[0]!.toUpperCase();
}

function present(keys: readonly string[]): CatalogueEntry[] {
  return keys.map(describeKey).filter((entry): entry is CatalogueEntry => entry !== undefined);
}

/** Up to five names a few edits away from the query, or starting with it. */
function suggest(text: string, protocol: Protocol | undefined): string[] {
  const target = (/^\d/.test(text) ? text.split(/[ -]/)[0]! : firstWord(text)).toUpperCase();
  if (target === '') return [];
  const limit = Math.max(1, Math.floor(target.length / 3));
  const scored = new Map<string, number>();
  for (const entry of allEntries()) {
    if (protocol && !entry.key.startsWith(`${protocol}.`)) continue;
    const name = keyName(entry.key);
    if (name.includes('.') && !/^[\d.X]+$/.test(name)) continue;
    const bare = name.replace(/^\[|\]$/g, '').toUpperCase();
    const distance = bare.startsWith(target) && target.length >= 2 ? 0.5 : editDistance(target, bare);
    if (distance <= limit) scored.set(name, Math.min(distance, scored.get(name) ?? Infinity));
  }
  return [...scored.entries()]
    .sort(([a, x], [b, y]) => x - y || a.localeCompare(b))
    .slice(0, 5)
    .map(([name]) => name);
}

/** Levenshtein distance, for suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
