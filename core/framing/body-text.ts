/**
 * The content of a multi-line body as a transcript keeps it: lines joined by
 * CRLF, dot-unstuffed, cut at a bound so a 50 MB message costs at most
 * `BODY_CONTENT_LIMIT` characters of memory (the event then says `truncated`).
 */
import { BODY_CONTENT_LIMIT } from '../events.js';

export class BodyText {
  private parts: string[] = [];
  private kept = 0;
  private cut = false;

  constructor(private readonly limit = BODY_CONTENT_LIMIT) {}

  /** One line without its CRLF, already unstuffed. */
  add(line: string): void {
    if (this.cut) return;
    const cost = line.length + (this.parts.length > 0 ? 2 : 0);
    if (this.kept + cost > this.limit) {
      this.cut = true;
      return;
    }
    this.parts.push(line);
    this.kept += cost;
  }

  /** What a body event carries: the kept text, and `truncated` when lines were left out. */
  result(): { content: string; truncated?: true } {
    const content = this.parts.join('\r\n');
    return this.cut ? { content, truncated: true } : { content };
  }
}
