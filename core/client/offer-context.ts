/**
 * What a raw session's replies mean in their context, beyond what the
 * catalogue says of a code alone (issue 18, "explanations in context"): a
 * refusal of an AUTH the server never offered (RFC 4954 §4), the capability
 * lists before and after TLS compared (RFC 3207 §4.2, RFC 2595 §4), and a
 * MAIL FROM's SIZE= against the SIZE announced (RFC 1870 §6). Pure: fed the
 * lines sent and received with the tracker, it gives annotation events.
 */
import type { WireEvent } from '../events.js';
import { announcedCapabilities, capabilityChange, offeredMechanisms, sizeNote } from './client-guards.js';
import type { ClientTracker } from './tracker.js';

export class OfferContext {
  /** The capability list when STARTTLS/STLS was sent, to compare with the one after the handshake. */
  private capabilitiesBeforeTls: string[] | undefined;
  /** An AUTH went out for a mechanism the server had not offered: its refusal gets a note. */
  private unofferedAuth: { preTls: boolean } | undefined;

  constructor(private readonly tracker: ClientTracker) {}

  /** A command line is about to go out (`tls`: TLS is up). */
  sending(line: string, tls: boolean): void {
    if (this.tracker.inputMode !== 'command') return;
    if (/^(STLS|STARTTLS)$/i.test(line.trim())) this.capabilitiesBeforeTls = announcedCapabilities(this.tracker);
    const mechanism = /^AUTH\s+(\S+)/i.exec(line.trim())?.[1]?.toUpperCase();
    const offered = offeredMechanisms(this.tracker);
    if (mechanism && offered && !offered.includes(mechanism)) this.unofferedAuth = { preTls: !tls };
  }

  /** Notes for the line just sent (they attach under it): SIZE= against the announced SIZE. */
  sent(line: string): WireEvent[] {
    const size = sizeNote(this.tracker, line);
    if (size === undefined) return [];
    return [{ kind: 'annotation', about: size.over ? 'warning' : 'keyword', key: 'client.warning.size-over-limit', rfc: 'RFC 1870 §6', detail: size.text }];
  }

  /** Notes for a server line, once its reply is complete. */
  received(text: string, tls: boolean): WireEvent[] {
    if (/^\d{3}-/.test(text) || this.tracker.awaitingReply) return [];
    return [...this.authNote(text), ...this.capabilityNote(tls)];
  }

  private authNote(text: string): WireEvent[] {
    const auth = this.unofferedAuth;
    if (!auth) return [];
    if (!/^(5\d\d|-ERR)\b/i.test(text)) {
      if (/^(2\d\d|\+OK)\b/i.test(text)) this.unofferedAuth = undefined;
      return [];
    }
    this.unofferedAuth = undefined;
    const smtp = this.tracker.protocol === 'smtp';
    const upgrade = auth.preTls && announcedCapabilities(this.tracker)?.some((line) => /^(STARTTLS|STLS)\b/i.test(line));
    const next = smtp ? 'STARTTLS, EHLO again, then AUTH' : 'STLS, CAPA again, then AUTH';
    return [
      {
        kind: 'annotation',
        about: 'reply',
        key: 'client.warning.auth-not-offered',
        rfc: smtp ? 'RFC 4954 §4' : 'RFC 5034 §4',
        detail: `refused because the server never offered this AUTH${upgrade ? `; before TLS it did not list it, and many servers offer AUTH only after TLS: ${next}` : ''}`,
      },
    ];
  }

  private capabilityNote(tls: boolean): WireEvent[] {
    const before = this.capabilitiesBeforeTls;
    const after = tls ? announcedCapabilities(this.tracker) : undefined;
    if (!before || !after) return [];
    this.capabilitiesBeforeTls = undefined;
    const change = capabilityChange(before, after);
    return [
      {
        kind: 'annotation',
        about: 'keyword',
        key: 'client.warning.capabilities-after-tls',
        rfc: this.tracker.protocol === 'smtp' ? 'RFC 3207 §4.2' : 'RFC 2595 §4',
        detail: change ? `compared with before TLS, the server ${change}` : 'the same list as before TLS',
      },
    ];
  }
}
