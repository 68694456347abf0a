/**
 * Replays a parsed session log through a client tracker, so a log from a
 * failing production exchange is explained line by line as if it were live.
 */
import type { WireEvent } from '../events.js';
import type { ParsedLog } from './log-parser.js';
import { Pop3Tracker } from './pop3-tracker.js';
import { SmtpTracker } from './smtp-tracker.js';
import type { ClientTracker } from './tracker.js';

export function annotateLog(log: ParsedLog): WireEvent[] {
  const tracker: ClientTracker = log.protocol === 'pop3' ? new Pop3Tracker() : new SmtpTracker();
  const events: WireEvent[] = [...tracker.connected()];
  let tlsAsked = false;
  let tlsOn = false;
  const startTls = () => {
    if (tlsOn) return;
    tlsOn = true;
    events.push(...tracker.tlsEstablished({ version: 'TLS (from the log)', cipher: 'not recorded' }));
  };
  for (const line of log.lines) {
    if (line.tls) startTls();
    if (line.from === 'client') {
      if (tracker.inputMode === 'command' && /^(STLS|STARTTLS)$/i.test(line.text.trim())) tlsAsked = true;
      events.push(...tracker.sent(line.text));
      continue;
    }
    events.push(...tracker.received(line.text));
    if (tlsAsked && !tracker.awaitingReply) {
      tlsAsked = false;
      if (/^(\+OK|220)\b/.test(line.text)) startTls();
    }
  }
  return events;
}
