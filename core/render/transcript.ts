/**
 * Renders events as RFC-style transcript text (`C:` / `S:` lines plus indented
 * notes). The one place events become plain text for logs and non-TTY output.
 * Annotation wording comes from the catalogue; events carry only keys.
 */
import { describeKey } from '../annotations/describe.js';
import type { AnnotationEvent, WireEvent } from '../events.js';

/**
 * A renderer for one session: the first time a command, reply or state is
 * explained it gets its whole summary; after that one short line, so every
 * line stays annotated without the same paragraph repeating.
 */
export function createTranscriptRenderer(): (event: WireEvent) => string | undefined {
  const explained = new Set<string>();
  return (event) => {
    if (event.kind !== 'annotation' || event.about === 'warning' || event.about === 'keyword' || event.detail !== undefined) return renderEvent(event);
    if (!explained.has(event.key)) {
      explained.add(event.key);
      return renderEvent(event);
    }
    const entry = describeKey(event.key);
    return `   = ${entry?.title ?? event.key} (${event.rfc})`;
  };
}

export function renderEvent(event: WireEvent): string | undefined {
  switch (event.kind) {
    case 'line':
      return `${event.from === 'client' ? 'C:' : 'S:'} ${event.text}`;
    case 'body':
      return `${event.from === 'client' ? 'C:' : 'S:'} (${event.lines} line${event.lines === 1 ? '' : 's'}, ${event.octets} octets, then ".")`;
    case 'transition':
      return `   state ${event.from} -> ${event.to}: ${event.cause} (${event.rfc})`;
    case 'tls': {
      const peer = event.peer
        ? `; certificate ${event.peer.subject}, issued by ${event.peer.issuer}, valid ${event.peer.validFrom} to ${event.peer.validTo}, ${event.peer.verified ? 'verified' : 'NOT verified'}`
        : '';
      return `   TLS ${event.version} ${event.cipher}${peer}`;
    }
    case 'error':
      return `   error ${event.code}: ${event.message}`;
    case 'annotation':
      return renderAnnotation(event);
  }
}

/**
 * `   = 354 Start mail input: … (RFC 5321 §4.1.1.4)` for commands, replies and states;
 * `   + SIZE 10485760: message size declaration (RFC 1870 §4)` for keywords, one short line each;
 * `   !! WARNING Password sent without TLS: … (RFC 8314 §1)` for warnings.
 * An event's own detail (the keyword line, the decoded challenge) is shown in place of the summary.
 */
function renderAnnotation(event: AnnotationEvent): string {
  const entry = describeKey(event.key);
  const rfc = `(${event.rfc})`;
  switch (event.about) {
    case 'warning':
      return `   !! WARNING ${entry?.title ?? event.key}: ${event.detail ?? entry?.summary ?? ''} ${rfc}`;
    case 'keyword':
      return `   + ${event.detail ?? entry?.title ?? event.key}: ${entry ? (entry.brief ?? entry.title) : 'not in the catalogue'} ${rfc}`;
    default: {
      if (!entry) return `   = ${event.key}${event.detail ? `: ${event.detail}` : ''} ${rfc}`;
      return `   = ${entry.title}: ${event.detail ?? entry.summary} ${rfc}`;
    }
  }
}
