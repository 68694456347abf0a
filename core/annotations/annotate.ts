/**
 * The annotation events a reply, a CAPA tag or an EHLO keyword gives rise to.
 * Server engines and client trackers both call these, so a reply is explained
 * the same way whichever side maillab is on. The words live in the catalogue;
 * events carry only the key and the RFC section.
 */
import type { AnnotationEvent } from '../events.js';
import { capabilitySpec } from '../protocols/pop3-capabilities.js';
import { lookupData } from './data-entries.js';
import { pop3CapaContext, smtpKeywordContext } from './reply-context.js';

function annotation(about: AnnotationEvent['about'], key: string, fallbackRfc: string, detail?: string): AnnotationEvent {
  const rfc = lookupData(key)?.rfc ?? fallbackRfc;
  return detail === undefined ? { kind: 'annotation', about, key, rfc } : { kind: 'annotation', about, key, rfc, detail };
}

/** "+OK …" / "-ERR [IN-USE] …": the status, and the RFC 2449 response code if any. */
export function pop3ReplyAnnotations(statusLine: string): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  if (statusLine.startsWith('+OK')) events.push(annotation('reply', 'pop3.reply.ok', 'RFC 1939 §3'));
  else if (statusLine.startsWith('-ERR')) events.push(annotation('reply', 'pop3.reply.err', 'RFC 1939 §3'));
  else if (statusLine.startsWith('+ ') || statusLine === '+') events.push(annotation('reply', 'pop3.reply.continue', 'RFC 5034 §4'));
  const code = /^(?:\+OK|-ERR) \[([^\]]+)\]/.exec(statusLine);
  if (code) events.push(annotation('reply', pop3CodeKey(code[1]!), 'RFC 2449 §8'));
  return events;
}

/**
 * The key for a response code. Codes are hierarchical ("SYS/TEMP") and a client
 * must ignore detail it does not know (RFC 2449 §8), so an unknown "SYS/TEMP/DISK"
 * is keyed by the longest known prefix, "SYS/TEMP"; a wholly unknown code keeps its name.
 */
export function pop3CodeKey(code: string): string {
  const levels = code.toUpperCase().split('/');
  for (let depth = levels.length; depth > 0; depth--) {
    const key = `pop3.code.${levels.slice(0, depth).join('/')}`;
    if (lookupData(key)) return key;
  }
  return `pop3.code.${levels.join('/')}`;
}

/** An SMTP reply: its code, and its RFC 3463 enhanced code if any. */
export function smtpReplyAnnotations(code: number, enhanced?: string): AnnotationEvent[] {
  const events = [annotation('reply', `smtp.reply.${code}`, 'RFC 5321 §4.2')];
  if (enhanced) events.push(annotation('reply', `smtp.enhanced.${enhanced}`, 'RFC 3463 §3'));
  return events;
}

/** One annotation per CAPA tag (RFC 2449 §6), and a context note after LOGIN-DELAY/EXPIRE (core/annotations/reply-context.ts), keyed by the tag's first word; the RFC is the CAPA table's (core/protocols/pop3-capabilities.ts). */
export function pop3CapaAnnotations(lines: readonly string[]): AnnotationEvent[] {
  return lines.flatMap((line) => {
    const tag = line.split(' ')[0]!.toUpperCase();
    const context = pop3CapaContext(line);
    const event = annotation('keyword', `pop3.capa.${tag}`, capabilitySpec(line)?.rfc ?? 'RFC 2449 §6', line);
    return context ? [event, context] : [event];
  });
}

/**
 * One annotation per EHLO keyword line (RFC 5321 §4.1.1.1), keyed by the keyword,
 * and a context note after SIZE (its limit in words, RFC 1870 §4).
 * The pre-standard "AUTH=LOGIN PLAIN" form some servers still send is keyed as AUTH.
 */
export function smtpKeywordAnnotations(lines: readonly string[]): AnnotationEvent[] {
  return lines.flatMap((line) => {
    const keyword = line.split(/[ =]/)[0]!.toUpperCase();
    const context = smtpKeywordContext(line);
    const event = annotation('keyword', `smtp.keyword.${keyword}`, 'RFC 5321 §4.1.1.1', line);
    return context ? [event, context] : [event];
  });
}
