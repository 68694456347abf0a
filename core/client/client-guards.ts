/**
 * What a careful raw client checks before a line goes out, from what the
 * server has said so far (its EHLO keywords or CAPA tags, as the tracker
 * keeps them): credentials only for an AUTH the server offered (RFC 4954 §4,
 * RFC 5034 §4), pipelining only when offered (RFC 2920 §3, RFC 2449 §6.6),
 * a SIZE= no larger than the server announced (RFC 1870 §6); and how the
 * capability lists before and after TLS differ (RFC 3207 §4.2). Pure.
 */
import { looksLikeCredential } from '../masking.js';
import type { ClientTracker } from './tracker.js';

/** The capability words a server announced: EHLO keywords (with AUTH mechanisms as "AUTH PLAIN") or CAPA tags; undefined when not asked yet. */
export function announcedCapabilities(tracker: ClientTracker): string[] | undefined {
  if (tracker.protocol === 'smtp') {
    const extensions = (tracker as { extensions?: ReadonlyMap<string, string> }).extensions;
    if (!extensions || extensions.size === 0) return undefined;
    return [...extensions].map(([keyword, params]) => (params ? `${keyword} ${params}` : keyword));
  }
  const capabilities = (tracker as { capabilities?: readonly string[] }).capabilities;
  return capabilities ? [...capabilities] : undefined;
}

/** The SASL mechanisms offered (SMTP "AUTH …", POP3 "SASL …"), upper-cased; undefined when the server has not said. */
export function offeredMechanisms(tracker: ClientTracker): string[] | undefined {
  const capabilities = announcedCapabilities(tracker);
  if (!capabilities) return undefined;
  const tag = tracker.protocol === 'smtp' ? 'AUTH' : 'SASL';
  const lines = capabilities.filter((line) => new RegExp(`^${tag}(?:[ =]|$)`, 'i').test(line));
  return [...new Set(lines.flatMap((line) => line.slice(tag.length + 1).split(/[\s=]+/).filter(Boolean).map((word) => word.toUpperCase())))];
}

/** True when the server offered pipelining; undefined until its EHLO or CAPA answer is known. */
export function pipeliningOffered(tracker: ClientTracker): boolean | undefined {
  const capabilities = announcedCapabilities(tracker);
  if (!capabilities) return undefined;
  return capabilities.some((line) => /^PIPELINING\b/i.test(line));
}

/**
 * Why a line carrying credentials must not go out, or undefined when it may:
 * an AUTH with an initial response for a mechanism the server did not offer,
 * or a base64 credential typed when no AUTH exchange is open. `tls` says
 * whether TLS is up (the usual fix is STARTTLS first).
 */
export function credentialRefusal(tracker: ClientTracker, line: string, tls: boolean): string | undefined {
  if (tracker.inputMode !== 'command') return undefined;
  const smtp = tracker.protocol === 'smtp';
  const upgrade = smtp ? 'STARTTLS (then EHLO again)' : 'STLS (then CAPA again)';
  const insist = 'type /plain! (or start with --force-auth) to send it anyway';
  const auth = /^AUTH\s+(\S+)\s+(\S+)/i.exec(line.trim());
  if (!auth) {
    if (!looksLikeCredential(tracker.protocol, line)) return undefined;
    return `not sent: this looks like a base64 credential, but no AUTH exchange is open (the server refused it or none was started), so it would go out as a command; ${insist}`;
  }
  if (auth[2] === '=') return undefined;
  const mechanism = auth[1]!.toUpperCase();
  const offered = offeredMechanisms(tracker);
  if (offered === undefined) {
    // POP3 servers need not answer CAPA; only SMTP's EHLO always says what it offers.
    if (!smtp) return undefined;
    return `not sent: the server has not said whether it offers AUTH ${mechanism} yet; send EHLO first (and ${tls ? 'then AUTH' : `on a plaintext connection ${upgrade} before any password`}); ${insist}`;
  }
  if (offered.length === 0) {
    const where = smtp ? 'its EHLO reply has no AUTH' : 'its CAPA answer has no SASL';
    const fix = tls ? 'this server may not take logins here (a submission port, 587, usually does)' : `many servers offer it only after TLS: send ${upgrade} first`;
    return `not sent: the server did not offer AUTH (${where}), so these credentials would be refused and could be read on the way; ${fix}; ${insist}`;
  }
  if (!offered.includes(mechanism)) return `not sent: the server offers AUTH ${offered.join(' ')}, not ${mechanism}; use one of those; ${insist}`;
  return undefined;
}

/** A note when MAIL FROM's SIZE= is larger than the SIZE the server announced (RFC 1870 §6: it will refuse). */
export function sizeNote(tracker: ClientTracker, line: string): { over: boolean; text: string } | undefined {
  if (tracker.protocol !== 'smtp' || tracker.inputMode !== 'command') return undefined;
  const declared = /^MAIL\s+FROM:.*\bSIZE=(\d+)/i.exec(line.trim())?.[1];
  const limit = (tracker as { extensions?: ReadonlyMap<string, string> }).extensions?.get('SIZE');
  if (declared === undefined || limit === undefined || !/^\d+$/.test(limit) || Number(limit) === 0) return undefined;
  if (Number(declared) <= Number(limit)) return { over: false, text: `SIZE=${declared} is within the ${limit} octets the server announced (RFC 1870)` };
  return { over: true, text: `SIZE=${declared} is larger than the ${limit} octets the server announced in EHLO: expect 552 5.3.4 (RFC 1870 §6)` };
}

/** What changed in the capability list across the TLS handshake ("added AUTH PLAIN LOGIN; dropped STARTTLS"), or undefined when nothing did. */
export function capabilityChange(before: readonly string[], after: readonly string[]): string | undefined {
  const normal = (lines: readonly string[]) => new Set(lines.map((line) => line.trim().toUpperCase().replace(/\s+/g, ' ')));
  const was = normal(before);
  const now = normal(after);
  const added = [...now].filter((line) => !was.has(line));
  const dropped = [...was].filter((line) => !now.has(line));
  if (added.length === 0 && dropped.length === 0) return undefined;
  return [added.length > 0 ? `added ${added.join(', ')}` : '', dropped.length > 0 ? `dropped ${dropped.join(', ')}` : ''].filter(Boolean).join('; ');
}
