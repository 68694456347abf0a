/**
 * The entry to show for a key: the catalogue's own, or, for an SMTP reply code
 * or enhanced status code nobody listed, one composed from the meaning of its
 * parts. Real servers send codes no catalogue can foresee; RFC 5321 §4.2.1 and
 * RFC 3463 §2 are built so that a client can still tell what they mean.
 */
import { lookup } from './catalogue.js';
import { ENHANCED_CLASSES, ENHANCED_DETAILS, ENHANCED_SUBJECTS } from './enhanced-codes.js';
import type { CatalogueEntry } from './entry.js';

/** The catalogue entry for a key, or one composed from its parts; undefined when neither exists. */
export function describeKey(key: string): CatalogueEntry | undefined {
  const entry = lookup(key);
  if (entry) return entry;
  const reply = /^smtp\.reply\.(\d{3})$/.exec(key);
  if (reply) return composeSmtpReply(reply[1]!);
  const enhanced = /^smtp\.enhanced\.(\d\.\d{1,3}\.\d{1,3})$/.exec(key);
  if (enhanced) return composeEnhancedCode(enhanced[1]!);
  return undefined;
}

/** "521": what its first and second digits say (RFC 5321 §4.2.1). */
function composeSmtpReply(code: string): CatalogueEntry | undefined {
  const first = lookup(`smtp.digit1.${code[0]}`);
  if (!first) return undefined;
  const second = lookup(`smtp.digit2.${code[1]}`);
  const parts = second ? `${first.brief}, ${second.brief}` : first.brief;
  return {
    key: `smtp.reply.${code}`,
    title: `${code} (read from its digits)`,
    brief: parts,
    summary: `No standard meaning is listed for ${code}; read it by its digits. ${first.title}: ${first.summary}${second ? ` ${second.title}: ${second.summary}` : ''}`,
    rfc: 'RFC 5321 §4.2.1',
  };
}

/**
 * "2.4.7": a registered detail in a class it is not used in, or a detail
 * nobody registered, read from class and subject (RFC 3463 §2). The class
 * is what the server reports; a detail that does not fit it adds nothing a
 * client can rely on, and the words say so rather than invent a meaning.
 */
function composeEnhancedCode(code: string): CatalogueEntry | undefined {
  const [cls, subject, detail] = code.split('.');
  const classInfo = cls === '2' || cls === '4' || cls === '5' ? ENHANCED_CLASSES[cls] : undefined;
  if (!classInfo) return undefined;
  const known = ENHANCED_DETAILS.find((entry) => entry.code === `${subject}.${detail}`);
  if (known) {
    const usual = known.classes.map((value) => `${value}.${known.code}`).join(' or ');
    const summary =
      cls === '2'
        ? // A 2.X.X code reports success (RFC 3463 §2); a detail registered only for 4 or 5 has no meaning as one.
          `${classInfo.words}: ${classInfo.meaning}. The detail X.${known.code} is registered (${known.rfc}) for ${usual}; no RFC gives it a meaning as a success, so it adds nothing a client can rely on: read the reply by its class.`
        : `${classInfo.words}: ${known.meaning}. ${known.rfc} registers this detail for ${usual}; sent with class ${cls}, the class says what happened.`;
    return { key: `smtp.enhanced.${code}`, title: `${code} ${known.words}`, brief: known.words, summary, rfc: known.rfc };
  }
  const subjectInfo = ENHANCED_SUBJECTS.find((entry) => String(entry.subject) === subject);
  return {
    key: `smtp.enhanced.${code}`,
    title: `${code} (not registered; read from its class${subjectInfo ? ' and subject' : ''})`,
    brief: subjectInfo ? `${classInfo.words}, ${subjectInfo.words}` : classInfo.words,
    summary:
      `X.${subject}.${detail} is not registered in the IANA registry of enhanced status codes (RFC 5248), so read it by its parts: the class and the subject are standard, the detail is this server's own. ${classInfo.words}: ${classInfo.meaning}.` +
      (subjectInfo ? ` Subject ${subject}, ${subjectInfo.words}: ${subjectInfo.meaning}.` : ''),
    rfc: 'RFC 3463 §2',
  };
}
