/**
 * The POP3 capabilities as data, as core/protocols/smtp-extensions.ts has
 * SMTP's: each CAPA tag (RFC 2449 §6) with its RFC, what follows the tag, the
 * states in which the lab lists it and the line that offers it now. The CAPA
 * handler (core/pop3/commands/session-commands.ts) lists the table; the
 * annotations of engine and tracker (core/annotations/annotate.ts) and the
 * catalogue (core/annotations/keywords.ts) take each tag's RFC and name from
 * it; the words are in core/annotations/messages/en/keywords.json. Adding a
 * capability is an entry here, its handler logic, and its words.
 */
import type { Pop3State } from './pop3.js';

/** What decides whether the lab lists a capability now and what its line says. */
export interface CapaOfferContext {
  readonly state: Pop3State;
  readonly secure: boolean;
  readonly tlsAvailable: boolean;
  /** USER/PASS may be used now (under TLS, from loopback, or by the operator's flag). */
  readonly plaintextAllowed: boolean;
  /** The server sends RFC 2449 §8 response codes ("-ERR [IN-USE]"). */
  readonly responseCodes: boolean;
  /** The SASL mechanisms AUTH offers now. */
  readonly mechanisms: readonly string[];
  readonly loginDelaySeconds: number;
  /** The EXPIRE policy (RFC 2449 §6.7): days, or "NEVER". */
  readonly expire: number | 'NEVER';
  readonly serverName: string;
}

export interface Pop3CapabilitySpec {
  /** The tag (RFC 2449 §6), the line's first word. */
  readonly tag: string;
  readonly rfc: string;
  /** What follows the tag on its line, as the RFC writes it; none for a bare tag. */
  readonly arguments?: string;
  /** The states in which the lab lists it (RFC 2449 §5: the list may change after login). */
  readonly states: readonly Pop3State[];
  /** The CAPA line that offers it in this session, or undefined when the lab does not offer it now. */
  readonly offer: (context: CapaOfferContext) => string | undefined;
}

const BOTH: readonly Pop3State[] = ['AUTHORIZATION', 'TRANSACTION'];
const AUTHORIZATION: readonly Pop3State[] = ['AUTHORIZATION'];

/** The capabilities, in the order the lab lists them after CAPA. */
export const POP3_CAPABILITIES: readonly Pop3CapabilitySpec[] = [
  { tag: 'TOP', rfc: 'RFC 2449 §6.1', states: BOTH, offer: () => 'TOP' },
  { tag: 'UIDL', rfc: 'RFC 2449 §6.8', states: BOTH, offer: () => 'UIDL' },
  // A persona without response codes (an RFC 1939 server) lists neither of them.
  { tag: 'RESP-CODES', rfc: 'RFC 2449 §6.4', states: BOTH, offer: (context) => (context.responseCodes ? 'RESP-CODES' : undefined) },
  { tag: 'AUTH-RESP-CODE', rfc: 'RFC 3206 §6', states: BOTH, offer: (context) => (context.responseCodes ? 'AUTH-RESP-CODE' : undefined) },
  { tag: 'PIPELINING', rfc: 'RFC 2449 §6.6', states: BOTH, offer: () => 'PIPELINING' },
  // Not where a password in the clear is refused: the client learns to use STLS first.
  { tag: 'USER', rfc: 'RFC 2449 §6.2', states: AUTHORIZATION, offer: (context) => (context.plaintextAllowed ? 'USER' : undefined) },
  { tag: 'SASL', rfc: 'RFC 2449 §6.3', arguments: 'mechanism…', states: AUTHORIZATION, offer: (context) => `SASL ${context.mechanisms.join(' ')}` },
  // RFC 2595 §4: not offered again once TLS is up.
  { tag: 'STLS', rfc: 'RFC 2595 §4', states: AUTHORIZATION, offer: (context) => (!context.secure && context.tlsAvailable ? 'STLS' : undefined) },
  { tag: 'LOGIN-DELAY', rfc: 'RFC 2449 §6.5', arguments: 'seconds', states: BOTH, offer: (context) => `LOGIN-DELAY ${context.loginDelaySeconds}` },
  { tag: 'EXPIRE', rfc: 'RFC 2449 §6.7', arguments: 'days|NEVER', states: BOTH, offer: (context) => `EXPIRE ${context.expire}` },
  { tag: 'IMPLEMENTATION', rfc: 'RFC 2449 §6.9', arguments: 'name', states: BOTH, offer: (context) => `IMPLEMENTATION ${context.serverName}` },
  // Tags real servers send that the lab does not offer: known here so that a tracker explains them.
  { tag: 'UTF8', rfc: 'RFC 6856 §2', arguments: '[USER]', states: [], offer: () => undefined },
  { tag: 'LANG', rfc: 'RFC 6856 §3', states: [], offer: () => undefined },
  // A private tag (Gmail's): X tags stay outside the registry (RFC 2449 §9).
  { tag: 'X-GOOGLE-RICO', rfc: 'RFC 2449 §9', states: [], offer: () => undefined },
];

/** The lines the lab's CAPA lists in this session, in table order (RFC 2449 §5). */
export function offeredCapabilities(context: CapaOfferContext): string[] {
  return POP3_CAPABILITIES.filter((capability) => capability.states.includes(context.state))
    .map((capability) => capability.offer(context))
    .filter((line): line is string => line !== undefined);
}

/** The table's entry for a CAPA line (by its first word, case-insensitively), if the tag is one maillab knows. */
export function capabilitySpec(line: string): Pop3CapabilitySpec | undefined {
  const tag = line.split(' ')[0]!.toUpperCase();
  return POP3_CAPABILITIES.find((capability) => capability.tag === tag);
}
