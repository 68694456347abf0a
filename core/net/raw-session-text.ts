/**
 * What the raw client says about a session beyond the wire: why a greeting
 * is the wrong protocol, and the notes a saved text
 * transcript keeps besides the C:/S: lines. Pure words from events and facts.
 */
import { hostPort } from '../host-port.js';
import type { WireEvent } from '../events.js';
import type { ClientEndpoint } from './server-url.js';

/** What a saved text transcript says besides the wire: TLS and its verification, warnings, credentials held back. */
export function transcriptNote(event: WireEvent): string | undefined {
  if (event.kind === 'tls') return `TLS ${event.version} ${event.cipher}; certificate ${event.peer?.verified === false ? 'NOT verified (UNVERIFIED connection)' : 'verified'}${event.peer ? `; subject ${event.peer.subject}; issuer ${event.peer.issuer}` : ''}`;
  if (event.kind === 'annotation' && event.key.startsWith('client.warning.')) return `warning: ${event.detail ?? event.key}`;
  if (event.kind === 'error' && event.code === 'TLS_FAILED') return `error: ${event.message}`;
  if (event.kind === 'notice' && event.level === 'warning') return `warning: ${event.text}`;
  return undefined;
}

/** What the first line says when it is not this protocol's greeting: another protocol, HTTP, or TLS bytes; with the likely fix. */
export function wrongGreeting(endpoint: ClientEndpoint, line: string): string | undefined {
  const where = hostPort(endpoint.host, endpoint.port);
  if (endpoint.protocol === 'pop3' && /^\d{3}[ -]/.test(line)) return `this is an SMTP greeting, not POP3: the port ${endpoint.port} speaks SMTP; try smtp://${where}, or the POP3 port (110, or 1110 in the lab)`;
  if (endpoint.protocol === 'smtp' && /^[+-](OK|ERR)\b/i.test(line)) return `this is a POP3 greeting, not SMTP: the port ${endpoint.port} speaks POP3; try pop3://${where}, or an SMTP port (25, 587, or 2525/2587 in the lab)`;
  if (/^HTTP\/\d/i.test(line) || /^<(!doctype|html)/i.test(line)) return `an HTTP server answered on ${where}, not ${endpoint.protocol.toUpperCase()}; check the port`;
  if (/^[\x14-\x17]\x03[\x00-\x04]/.test(line)) return `TLS bytes came back on ${where}: this port expects TLS from the first byte; try ${endpoint.protocol}s://${where}`;
  if (/^SSH-\d/.test(line)) return `an SSH server answered on ${where}, not ${endpoint.protocol.toUpperCase()}; check the port`;
  return undefined;
}
