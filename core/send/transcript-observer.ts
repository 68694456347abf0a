/**
 * Turns what the SMTP client sends and receives into the same annotated
 * events a raw session shows (docs/ARCHITECTURE.md, "Trackers"): every line goes through a client
 * tracker, which masks secrets, adds the state transitions and reply
 * annotations, and summarises the message content after 354 as one `body`
 * event. Without a tracker, plain line events (secrets masked here) are emitted.
 */
import type { ClientTracker } from '../client/tracker.js';
import { clientLineEvent } from '../masking.js';
import type { WireEvent } from '../events.js';
import type { SmtpObserver } from './smtp-client.js';
import { hostLabel } from '../host-port.js';

export interface TranscriptObserverOptions {
  /** A fresh tracker for this connection, if one is available. */
  tracker?: ClientTracker;
  onEvent: (event: WireEvent) => void;
  /** Plain notes that are not wire events: "connecting to …", why a connection ended. */
  onNote: (text: string) => void;
}

export function transcriptObserver(options: TranscriptObserverOptions): SmtpObserver {
  const { tracker, onEvent, onNote } = options;
  const emit = (events: readonly WireEvent[]) => events.forEach((event) => onEvent(event));
  return {
    connecting({ host, address, port, implicitTls }) {
      onNote(`connecting to ${hostLabel(host, address, port)}${implicitTls ? ' (implicit TLS)' : ''}`);
    },
    connected() {
      if (tracker) emit(tracker.connected());
    },
    sent(line, secret) {
      if (tracker) emit(tracker.sent(line));
      else onEvent(clientLineEvent('smtp', line, secret && !/^\s*AUTH\b/i.test(line) ? 'sasl' : 'command'));
    },
    sentMessage(payload) {
      if (tracker) {
        // The tracker counts content lines into one `body` event and shows the final ".".
        for (const line of payload.toString('utf8').split('\r\n').slice(0, -1)) emit(tracker.sent(line));
        return;
      }
      const lines = payload.toString('latin1').split('\r\n').length - 2;
      onEvent({ kind: 'body', from: 'client', lines, octets: payload.length - 3 });
      onEvent({ kind: 'line', from: 'client', text: '.' });
    },
    received(line) {
      if (tracker) emit(tracker.received(line));
      else onEvent({ kind: 'line', from: 'server', text: line });
    },
    tlsEstablished(info) {
      if (tracker) emit(tracker.tlsEstablished(info));
      else onEvent({ kind: 'tls', version: info.version, cipher: info.cipher });
      if (!info.authorized) onNote(`the server certificate was NOT verified${info.problems && info.problems.length > 0 ? `: ${info.problems.join('; ')}` : ''} (an UNVERIFIED connection)`);
    },
    warning(text) {
      onNote(`warning: ${text}`);
    },
    closed(reason) {
      if (reason) onNote(reason);
    },
  };
}
