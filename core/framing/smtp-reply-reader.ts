/**
 * Assembles SMTP replies from the lines a server sends (RFC 5321 §4.2.1):
 * "250-first", "250-second", "250 last" is one reply with three lines. Used by
 * every SMTP client part (tracker, sender), so a reply is parsed one way only.
 */

export interface AssembledReply {
  readonly code: number;
  /** RFC 3463 enhanced code at the start of the text, when present ("2.1.5"). */
  readonly enhanced?: string;
  /** The text of each line, without code, separator or enhanced code. */
  readonly lines: readonly string[];
  /** The lines exactly as received. */
  readonly raw: readonly string[];
}

export type ReplyLineResult =
  | { kind: 'partial' }
  | { kind: 'complete'; reply: AssembledReply }
  /** Not a reply line (no 3-digit code), or a code that changed mid-reply. */
  | { kind: 'malformed'; reason: string };

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

export class SmtpReplyReader {
  private raw: string[] = [];
  private code: number | undefined;

  /** True while a multi-line reply has started and not ended. */
  get inProgress(): boolean {
    return this.raw.length > 0;
  }

  /** Feeds one line without its CRLF. */
  line(text: string): ReplyLineResult {
    const match = /^(\d{3})([ -]|$)(.*)$/.exec(text);
    if (!match) {
      this.reset();
      return { kind: 'malformed', reason: `not an SMTP reply line (expected a 3-digit code): "${text.slice(0, 60)}"` };
    }
    const code = Number(match[1]);
    if (this.code !== undefined && code !== this.code) {
      this.reset();
      return { kind: 'malformed', reason: `reply code changed from ${this.code} to ${code} inside a multi-line reply (RFC 5321 section 4.2.1)` };
    }
    this.code = code;
    this.raw.push(text);
    if (match[2] === '-') return { kind: 'partial' };
    const raw = this.raw;
    this.reset();
    const texts = raw.map((line) => line.slice(4));
    const enhanced = ENHANCED.exec(texts[0] ?? '');
    const lines = enhanced ? texts.map((line) => line.replace(ENHANCED, '')) : texts;
    return { kind: 'complete', reply: enhanced ? { code, enhanced: `${enhanced[1]}.${enhanced[2]}.${enhanced[3]}`, lines, raw } : { code, lines, raw } };
  }

  private reset(): void {
    this.raw = [];
    this.code = undefined;
  }
}
