/**
 * The one event vocabulary every front end renders (see DESIGN.md, "One event
 * vocabulary"). Events are data; wording lives in the annotation catalogue.
 */

export type Protocol = 'pop3' | 'smtp';
export type Party = 'client' | 'server';

/** A summary of a peer certificate, for TLS events. */
export interface CertSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  verified: boolean;
}

export type WireEvent =
  /** One line on the wire. `masked` lines had a secret replaced by `*` before they got here. */
  | { kind: 'line'; from: Party; text: string; masked?: boolean }
  /** The body of a multi-line reply, summarised rather than repeated line by line. */
  | { kind: 'body'; from: Party; lines: number; octets: number }
  | { kind: 'transition'; protocol: Protocol; from: string; to: string; cause: string; rfc: string }
  | { kind: 'annotation'; about: 'command' | 'reply' | 'keyword' | 'state' | 'warning'; key: string; rfc: string; detail?: string }
  | { kind: 'tls'; version: string; cipher: string; peer?: CertSummary }
  | { kind: 'error'; code: string; message: string };

export type AnnotationEvent = Extract<WireEvent, { kind: 'annotation' }>;
export type TransitionEvent = Extract<WireEvent, { kind: 'transition' }>;

/**
 * Orders one input's events the way a learner reads them: what was said on the
 * wire first, then the state changes it caused (stable otherwise).
 */
export function transitionsLast(events: readonly WireEvent[]): WireEvent[] {
  return [...events.filter((event) => event.kind !== 'transition'), ...events.filter((event) => event.kind === 'transition')];
}
