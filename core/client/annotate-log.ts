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
    if (line.dataOctets !== undefined) {
      events.push(...curlData(tracker, line.from, line.dataOctets));
      continue;
    }
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

/**
 * curl's "} [N bytes data]": the message went out (dot-stuffed, with its final
 * ".") but only its size is in the log. The tracker is told the message ended,
 * so the reply after it answers the DATA; what is shown says what curl logged.
 */
function curlData(tracker: ClientTracker, from: 'client' | 'server', octets: number): WireEvent[] {
  const logged = `curl logged ${from === 'client' ? 'the message it sent' : 'what the server sent'} as "[${octets} bytes data]": ${octets} octets, their lines not in the log`;
  if (from === 'server' || tracker.inputMode !== 'data') return [{ kind: 'notice', text: logged }];
  // The end of the message (the "." line) is part of what curl sent without logging it.
  const ended = tracker.sent('.').filter((event) => event.kind !== 'body' && !(event.kind === 'line' && event.from === 'client'));
  return [{ kind: 'notice', text: `${logged}; curl ends it with the "." line itself (RFC 5321 §4.1.1.4)` }, ...ended];
}
