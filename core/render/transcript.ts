/**
 * Renders events as RFC-style transcript text (`C:` / `S:` lines plus indented
 * notes). The one place events become plain text for logs and non-TTY output.
 */
import type { WireEvent } from '../events.js';

export function renderEvent(event: WireEvent): string | undefined {
  switch (event.kind) {
    case 'line':
      return `${event.from === 'client' ? 'C:' : 'S:'} ${event.text}`;
    case 'body':
      return `${event.from === 'client' ? 'C:' : 'S:'} (${event.lines} line${event.lines === 1 ? '' : 's'}, ${event.octets} octets, then ".")`;
    case 'transition':
      return `   state ${event.from} -> ${event.to}: ${event.cause} (${event.rfc})`;
    case 'tls':
      return `   TLS ${event.version} ${event.cipher}`;
    case 'error':
      return `   error ${event.code}: ${event.message}`;
    case 'annotation':
      return event.about === 'warning' ? `   warning: ${event.detail ?? event.key} (${event.rfc})` : undefined;
  }
}
