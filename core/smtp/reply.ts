/**
 * SMTP replies are values `{code, enhanced, lines}` (docs/ARCHITECTURE.md, "Replies"), serialised
 * here and nowhere else: "250-" on every line but the last, "250 " on the last
 * (RFC 5321 §4.2.1), each text prefixed with the RFC 3463 enhanced status code
 * when ENHANCEDSTATUSCODES is in force (RFC 2034 §3).
 */

export interface SmtpReply {
  /** Three-digit reply code (RFC 5321 §4.2). */
  readonly code: number;
  /** class.subject.detail (RFC 3463), e.g. "2.1.5"; left out of 3xx replies, the greeting and EHLO. */
  readonly enhanced?: string;
  readonly lines: readonly string[];
  /** The lines exactly as they go on the wire, for a reply written by hand (a lab fault rule, core/faults). */
  readonly raw?: readonly string[];
}

export function reply(code: number, enhanced: string | undefined, ...lines: string[]): SmtpReply {
  return enhanced === undefined ? { code, lines } : { code, enhanced, lines };
}

/**
 * A reply sent exactly as written: "250-first\n250 last" (a lab fault rule, whose parser
 * has checked the code and separators). Code, enhanced code and texts are read back from
 * the lines, so the reply is annotated like any other.
 */
export function rawReply(text: string): SmtpReply {
  const raw = text.split('\n');
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?= |$)/.exec(raw[0]!)?.[1];
  const lines = raw.map((line) => {
    const rest = line.slice(4);
    return enhanced !== undefined && (rest === enhanced || rest.startsWith(`${enhanced} `)) ? rest.slice(enhanced.length + 1) : rest;
  });
  const code = Number(raw[0]!.slice(0, 3));
  return enhanced === undefined ? { code, lines, raw } : { code, enhanced, lines, raw };
}

/** The enhanced code as it goes on the wire: only with ENHANCEDSTATUSCODES, and never on 3yz (RFC 2034 §4); a raw reply's as written. */
export function shownEnhancedCode(value: SmtpReply, withEnhanced: boolean): string | undefined {
  if (value.raw) return value.enhanced;
  return withEnhanced && value.enhanced && value.code >= 200 && value.code < 600 && Math.floor(value.code / 100) !== 3 ? value.enhanced : undefined;
}

/** The reply's lines as sent (without CRLF). */
export function replyLines(value: SmtpReply, withEnhanced: boolean): string[] {
  if (value.raw) return [...value.raw];
  const lines = value.lines.length === 0 ? [''] : value.lines;
  const shown = shownEnhancedCode(value, withEnhanced);
  const prefix = shown ? `${shown} ` : '';
  return lines.map((text, index) => {
    const separator = index === lines.length - 1 ? ' ' : '-';
    const body = `${prefix}${wireText(text)}`;
    // RFC 4954 §4: an empty SASL challenge is "334 ", space kept; other empty last lines are the bare code.
    return body === '' && separator === ' ' && value.code !== 334 ? `${value.code}` : `${value.code}${separator}${body}`;
  });
}

/**
 * Reply text is US-ASCII (RFC 5321 §4.2): the "§" our texts cite sections with is spelled out,
 * and control characters a client got echoed back (a HELP topic, a parameter value) become "?".
 */
export function wireText(text: string): string {
  return text.replace(/§\s?/g, 'section ').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '?');
}

export function serializeSmtpReply(value: SmtpReply, withEnhanced: boolean): Buffer {
  return Buffer.from(replyLines(value, withEnhanced).map((line) => `${line}\r\n`).join(''), 'utf8');
}

/** True for 4yz and 5yz: the command failed. */
export const isFailure = (value: SmtpReply): boolean => value.code >= 400;
