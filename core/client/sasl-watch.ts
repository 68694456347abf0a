/**
 * What both client trackers need to follow a SASL exchange (RFC 4422) from
 * the client's side of the wire: when the client's next line is a response
 * (to mask it), which user it names (for the same transition text the server
 * engines use), and what a base64 challenge says. A password is decoded only
 * long enough to find the user name next to it, and never kept.
 */
import type { AnnotationEvent } from '../events.js';
import { decodeBase64Text } from '../text-bytes.js';

/** Responses each mechanism needs from the client; an unknown mechanism may always want more. */
const RESPONSES_NEEDED: Readonly<Record<string, number>> = { PLAIN: 1, LOGIN: 2, 'CRAM-MD5': 1, EXTERNAL: 1, ANONYMOUS: 1 };

/** The longest user name or challenge text kept for an event. */
const MAX_SHOWN = 256;

export class SaslWatch {
  private responses = 0;
  private challenges = 0;
  private answers = 0;
  private userName: string | undefined;

  /**
   * @param mechanism upper-cased, as on the AUTH line
   * @param initialResponse the AUTH line's initial response, if any (RFC 4954 §4, RFC 5034 §4)
   */
  constructor(
    readonly mechanism: string,
    initialResponse: string | undefined,
  ) {
    if (initialResponse !== undefined) this.read(initialResponse);
  }

  /** The user the exchange names, once a response showed it (PLAIN, LOGIN, CRAM-MD5). */
  get user(): string | undefined {
    return this.userName;
  }

  /**
   * True when the client's next line belongs to the exchange: a challenge is
   * unanswered, or the mechanism still needs a response the client may send
   * before the challenge arrives.
   */
  get wantsResponse(): boolean {
    return this.unansweredChallenge || this.responses < (RESPONSES_NEEDED[this.mechanism] ?? Infinity);
  }

  /** The server sent a challenge the client has not answered yet. */
  get unansweredChallenge(): boolean {
    return this.challenges > this.answers;
  }

  /** The server sent a challenge ("+ …" or "334 …"). */
  challenge(): void {
    this.challenges++;
  }

  /** The client sent a response line. */
  respond(line: string): void {
    this.answers++;
    this.read(line);
  }

  private read(line: string): void {
    this.responses++;
    if (this.userName !== undefined || line === '*') return;
    const decoded = line === '=' ? '' : decodeBase64(line);
    if (decoded === undefined) return;
    let user: string | undefined;
    if (this.mechanism === 'PLAIN') {
      // RFC 4616 §2: [authzid] NUL authcid NUL passwd
      const parts = decoded.split('\0');
      if (parts.length === 3 && parts[1] !== '') user = parts[1];
    } else if (this.mechanism === 'LOGIN' && this.responses === 1) {
      user = decoded;
    } else if (this.mechanism === 'CRAM-MD5') {
      // RFC 2195 §2: user SP digest
      const space = decoded.lastIndexOf(' ');
      if (space > 0) user = decoded.slice(0, space);
    }
    if (user !== undefined && user !== '') this.userName = user.slice(0, MAX_SHOWN);
  }
}

/** Strict base64 (RFC 4648 §4) decoded as UTF-8; undefined if the text is not base64. */
export function decodeBase64(text: string): string | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return decodeBase64Text(text);
}

/**
 * The annotation for a SASL challenge: its decoded text as `detail` when that
 * is printable ("Username:", a CRAM-MD5 timestamp), none for binary or empty ones.
 */
export function challengeAnnotation(key: string, rfc: string, base64: string): AnnotationEvent {
  const decoded = decodeBase64(base64.trim());
  if (decoded === undefined || decoded === '' || /[\x00-\x08\x0a-\x1f\x7f\ufffd]/.test(decoded)) return { kind: 'annotation', about: 'reply', key, rfc };
  const detail = decoded.length > MAX_SHOWN ? `${decoded.slice(0, MAX_SHOWN)}…` : decoded;
  return { kind: 'annotation', about: 'reply', key, rfc, detail };
}
