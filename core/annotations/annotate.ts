/**
 * The annotation events a reply, a CAPA tag or an EHLO keyword gives rise to.
 * Server engines and client trackers both call these, so a reply is explained
 * the same way whichever side maillab is on. The words live in the catalogue;
 * events carry only the key and the RFC section.
 */
import type { AnnotationEvent } from '../events.js';
import { lookup } from './catalogue.js';

function annotation(about: AnnotationEvent['about'], key: string, fallbackRfc: string, detail?: string): AnnotationEvent {
  const rfc = lookup(key)?.rfc ?? fallbackRfc;
  return detail === undefined ? { kind: 'annotation', about, key, rfc } : { kind: 'annotation', about, key, rfc, detail };
}

/** "+OK …" / "-ERR [IN-USE] …": the status, and the RFC 2449 response code if any. */
export function pop3ReplyAnnotations(statusLine: string): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  if (statusLine.startsWith('+OK')) events.push(annotation('reply', 'pop3.reply.ok', 'RFC 1939 §3'));
  else if (statusLine.startsWith('-ERR')) events.push(annotation('reply', 'pop3.reply.err', 'RFC 1939 §3'));
  else if (statusLine.startsWith('+ ') || statusLine === '+') events.push(annotation('reply', 'pop3.reply.continue', 'RFC 5034 §4'));
  const code = /^(?:\+OK|-ERR) \[([^\]]+)\]/.exec(statusLine);
  if (code) events.push(annotation('reply', `pop3.code.${code[1]!.toUpperCase()}`, 'RFC 2449 §8'));
  return events;
}

/** An SMTP reply: its code, and its RFC 3463 enhanced code if any. */
export function smtpReplyAnnotations(code: number, enhanced?: string): AnnotationEvent[] {
  const events = [annotation('reply', `smtp.reply.${code}`, 'RFC 5321 §4.2')];
  if (enhanced) events.push(annotation('reply', `smtp.enhanced.${enhanced}`, 'RFC 3463 §3'));
  return events;
}

/** One annotation per CAPA tag (RFC 2449 §6), keyed by the tag's first word. */
export function pop3CapaAnnotations(lines: readonly string[]): AnnotationEvent[] {
  return lines.map((line) => {
    const tag = line.split(' ')[0]!.toUpperCase();
    return annotation('keyword', `pop3.capa.${tag}`, 'RFC 2449 §6', line);
  });
}

/** One annotation per EHLO keyword line (RFC 5321 §4.1.1.1), keyed by the keyword. */
export function smtpKeywordAnnotations(lines: readonly string[]): AnnotationEvent[] {
  return lines.map((line) => {
    const keyword = line.split(' ')[0]!.toUpperCase();
    return annotation('keyword', `smtp.keyword.${keyword}`, 'RFC 5321 §4.1.1.1', line);
  });
}
