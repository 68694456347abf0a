/**
 * How an SMTP server presents itself: host name, reply wording, whether
 * enhanced status codes are shown, and (for replaying RFC examples) an exact
 * EHLO keyword list. The defaults are maillab's own helpful wording; the lesson
 * personas reproduce an RFC's lines byte for byte.
 */

import type { MechanismName } from '../sasl/exchange.js';

/** Reply texts a persona may reword. `{host}`, `{client}`, `{address}`, `{domain}`, `{id}` are filled in. */
export interface SmtpTexts {
  greeting: string;
  ehlo: string;
  helo: string;
  mailOk: string;
  rcptOk: string;
  rcptUnknown: string;
  dataStart: string;
  dataOk: string;
  rsetOk: string;
  noopOk: string;
  quit: string;
  /** DATA when every RCPT was refused: the 554 (RFC 5321 §3.3; RFC 2920 §4 example: "no valid recipients given"). */
  noValidRecipients: string;
  /** STARTTLS accepted, the 220 before the handshake (RFC 3207 §5 example: "Go ahead"). */
  starttls: string;
  /** RCPT to another domain from a client that may not relay: the 550 (RFC 2920 §4 example: "remote mail to <…> not allowed"). */
  relayDenied: string;
}

export const DEFAULT_SMTP_TEXTS: SmtpTexts = {
  greeting: '{host} ESMTP maillab ready',
  ehlo: '{host} greets {client}',
  helo: '{host} greets {client}',
  mailOk: 'sender <{address}> OK',
  rcptOk: 'recipient <{address}> OK',
  rcptUnknown: 'no such user here: <{address}>',
  dataStart: 'Start mail input; end with <CRLF>.<CRLF>',
  dataOk: 'OK, message {id} accepted',
  rsetOk: 'OK, transaction reset',
  noopOk: 'OK',
  quit: '{host} Service closing transmission channel',
  noValidRecipients: 'No valid recipients',
  starttls: 'Ready to start TLS',
  relayDenied: 'Relay access denied: {domain} is not a local domain and you have not authenticated',
};

/** The wording of RFC 5321 Appendix D (foo.com, "250 OK"). */
export const RFC5321_TEXTS: SmtpTexts = {
  greeting: '{host} Simple Mail Transfer Service Ready',
  ehlo: '{host} greets {client}',
  helo: '{host} greets {client}',
  mailOk: 'OK',
  rcptOk: 'OK',
  rcptUnknown: 'No such user here',
  dataStart: 'Start mail input; end with <CRLF>.<CRLF>',
  dataOk: 'OK',
  rsetOk: 'OK',
  noopOk: 'OK',
  quit: '{host} Service closing transmission channel',
  noValidRecipients: 'No valid recipients',
  starttls: 'Ready to start TLS',
  relayDenied: 'Relay access denied',
};

export interface SmtpPersona {
  /** The server's name in the greeting, EHLO reply and Received lines. */
  hostname: string;
  texts: SmtpTexts;
  /** Prefix replies with RFC 3463 codes and advertise ENHANCEDSTATUSCODES (RFC 2034). */
  enhancedStatusCodes: boolean;
  /**
   * The exact EHLO keyword lines to advertise instead of the computed list
   * (RFC examples). Only keywords the engine supports may be named.
   */
  ehloKeywords?: readonly string[];
  /** The EHLO keywords the computed list may include (a lesson pins its list); unset: every one the lab supports. */
  extensions?: readonly string[];
  /** The SASL mechanisms AUTH offers, in order (OAUTHBEARER only when listed here); unset: PLAIN LOGIN CRAM-MD5. */
  mechanisms?: readonly MechanismName[];
  /** The exact EHLO keyword lines once TLS is active; without them, `ehloKeywords` less STARTTLS (RFC 3207 §4.2), or the computed list. */
  tlsEhloKeywords?: readonly string[];
  /** Reply wording once TLS is active, over `texts` (RFC 3207 §5: the EHLO greeting differs after STARTTLS). */
  tlsTexts?: Partial<SmtpTexts>;
  /** Answer VRFY for local users (RFC 5321 §3.5.1) instead of 252 "cannot verify". */
  verify: boolean;
  /** Mailing lists EXPN may expand (RFC 5321 §3.5.2): name → member addresses. */
  lists: Readonly<Record<string, readonly string[]>>;
  /**
   * Answer DATA with 354 even when every RCPT was refused, and refuse the
   * message at its end instead (the server of RFC 2920 §4's fourth example;
   * RFC 2920 §3.2 says a server SHOULD refuse DATA then, which is the default).
   */
  acceptDataWithoutRecipients?: boolean;
  /**
   * The reply to AUTH outside TLS when plaintext passwords are not allowed.
   * 'starttls-first' (the default) is what real submission servers send:
   * "530 5.7.0 Must issue a STARTTLS command first" (RFC 3207 §4).
   * 'encryption-required' is "538 5.7.11", defined by RFC 2554 §6 and kept by
   * RFC 4954 §6 "for historical purposes only".
   */
  authBeforeTls?: 'starttls-first' | 'encryption-required';
  /** The enhanced code of the 250 after a message is taken: 2.0.0 by default; RFC 2034 §6 shows 2.6.0 ("250 2.6.0 Message accepted"). */
  dataOkEnhancedCode?: string;
}

export const DEFAULT_SMTP_PERSONA: SmtpPersona = {
  hostname: 'maillab.test',
  texts: DEFAULT_SMTP_TEXTS,
  enhancedStatusCodes: true,
  verify: false,
  lists: {},
};

type Placeholder = 'host' | 'client' | 'address' | 'domain' | 'id';

export function fillText(template: string, values: Partial<Record<Placeholder, string>>): string {
  return template.replace(/\{(host|client|address|domain|id)\}/g, (_, key: Placeholder) => values[key] ?? '');
}
