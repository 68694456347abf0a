/**
 * Replays a parsed session log through a client tracker, so a log from a
 * failing production exchange is explained line by line as if it were live.
 * What the tool recorded besides the wire (the TLS handshake, the certificate
 * and whether it was verified, data logged by size only, a listing written
 * to standard output, the tool's own complaints) becomes notices and the TLS
 * event, in place.
 */
import { logReadingText } from '../annotations/log-messages.js';
import type { CertSummary, WireEvent } from '../events.js';
import type { LogCertificate, LogEntry, ParsedLog } from './log-parser.js';
import { Pop3Tracker } from './pop3-tracker.js';
import { SmtpTracker } from './smtp-tracker.js';
import type { ClientTracker } from './tracker.js';

/** The events of a whole log, in order. */
export function annotateLog(log: ParsedLog): WireEvent[] {
  return new LogReplay(log).run();
}

class LogReplay {
  private readonly tracker: ClientTracker;
  private readonly events: WireEvent[] = [];
  /** The client asked for TLS and the server agreed; the handshake is expected next. */
  private tlsAgreed = false;
  private tlsAsked = false;
  private tlsOn = false;
  /** curl is sending the message: octets it logged so far (0 inside TLS, where it logs none). */
  private upload: number | undefined;
  /** A POP3 multi-line reply is open: curl writes its body to standard output. */
  private serverBody = false;
  private stdoutLines = 0;
  private toldAboutRecords = false;

  constructor(private readonly log: ParsedLog) {
    this.tracker = log.protocol === 'pop3' ? new Pop3Tracker() : new SmtpTracker();
  }

  run(): WireEvent[] {
    this.events.push(...this.tracker.connected());
    for (const entry of this.log.entries) this.entry(entry);
    this.endStdoutBody(true);
    this.handshakeMissing();
    return this.events;
  }

  private entry(entry: LogEntry): void {
    switch (entry.kind) {
      case 'wire':
        if (entry.from === 'client') return this.clientLine(entry.text, entry.tls);
        return this.serverLine(entry.text);
      case 'data':
        if (entry.from === 'server' || this.tracker.inputMode !== 'data') return this.notice(logReadingText(`curl.data.${entry.from}`, { octets: entry.octets }));
        this.upload = (this.upload ?? 0) + entry.octets;
        return this.notice(logReadingText('curl.data.client', { octets: entry.octets }));
      case 'tls':
        return this.establish(entry.version, entry.cipher, entry.peer);
      case 'tls-peer':
        return this.notice(logReadingText('swaks.tls.peer', { subject: entry.subject }));
      case 'uploaded':
        return this.endUpload();
      case 'stdout':
        if (!this.serverBody) return;
        if (this.stdoutLines++ === 0) this.notice(logReadingText('curl.stdout'));
        this.events.push(...this.tracker.received(entry.text));
        return;
      case 'tool':
        this.handshakeMissing();
        return this.notice(logReadingText(this.log.format === 'curl' ? 'curl.error' : 'swaks.error', { text: entry.text }));
    }
  }

  private clientLine(text: string, tls: boolean): void {
    this.endStdoutBody();
    // A log that marks TLS lines without recording the handshake (older swaks): TLS is on from the first such line.
    if (tls && !this.tlsOn) this.establish(logReadingText('tls.assumed'), logReadingText('tls.cipher-unrecorded'));
    if (this.tracker.inputMode === 'command' && /^(STLS|STARTTLS)$/i.test(text.trim())) this.tlsAsked = true;
    this.events.push(...this.tracker.sent(text));
  }

  private serverLine(text: string): void {
    if (this.upload !== undefined) this.endUpload();
    this.events.push(...this.tracker.received(text));
    this.serverBody = this.log.protocol === 'pop3' && this.tracker.awaitingReply && (this.serverBody || /^\+OK\b/.test(text));
    if (this.tlsAsked && !this.tracker.awaitingReply) {
      this.tlsAsked = false;
      if (!/^(\+OK|220)\b/.test(text)) return;
      // An RFC-style transcript records no handshake: the positive reply is where TLS starts.
      if (this.log.format === 'rfc') this.establish(logReadingText('tls.assumed'), logReadingText('tls.cipher-unrecorded'));
      else this.tlsAgreed = true;
    }
  }

  private establish(version: string, cipher: string, certificate?: LogCertificate): void {
    if (this.tlsOn) return;
    this.tlsOn = true;
    this.tlsAgreed = false;
    const peer = certificate ? certSummary(certificate) : undefined;
    this.events.push(...this.tracker.tlsEstablished({ version, cipher }).map((event) => (event.kind === 'tls' && peer ? { ...event, peer } : event)));
    if (this.log.format === 'curl' && !this.toldAboutRecords) {
      this.toldAboutRecords = true;
      this.notice(logReadingText('curl.tls.records'));
    }
    if (certificate?.verifyResult !== undefined) {
      this.notice(logReadingText(certificate.verified ? 'curl.tls.verified' : 'curl.tls.unverified', { result: certificate.verifyResult }), certificate.verified ? 'info' : 'warning');
    }
  }

  /**
   * The message curl sent has ended: it went out (dot-stuffed, with its final
   * ".") but only its size, or nothing, is in the log. The tracker is told,
   * so the reply after it answers the DATA.
   */
  private endUpload(): void {
    const octets = this.upload;
    this.upload = undefined;
    if (this.tracker.inputMode !== 'data') return;
    this.notice(logReadingText(octets === undefined || octets === 0 ? 'curl.upload.tls' : 'curl.data.ended'));
    this.events.push(...this.tracker.sent('.').filter((event) => event.kind !== 'body' && !(event.kind === 'line' && event.from === 'client')));
  }

  /** curl removes a POP3 body's final "." before writing it out: the tracker gets it back. */
  private endStdoutBody(atEnd = false): void {
    if (!this.serverBody || this.log.format !== 'curl') return;
    // Before the next line of the log, a body with no stdout lines may still be coming (pipelined); at the end it is not.
    if (this.stdoutLines === 0 && !atEnd) return;
    const missing = this.stdoutLines === 0;
    if (missing) this.notice(logReadingText('curl.stdout-missing'));
    this.stdoutLines = 0;
    this.serverBody = false;
    // With the body not in the log, a note counting its lines ("0 messages listed") would mislead.
    this.events.push(...this.tracker.received('.').filter((event) => !(missing && event.kind === 'annotation' && event.key === 'pop3.context.listing')));
  }

  private handshakeMissing(): void {
    if (!this.tlsAgreed) return;
    this.tlsAgreed = false;
    this.notice(logReadingText('tls.no-handshake'), 'warning');
  }

  private notice(text: string, level?: 'info' | 'warning'): void {
    this.events.push({ kind: 'notice', text, ...(level ? { level } : {}) });
  }
}

/** curl's certificate listing as the TLS event's peer; a field curl did not log is said to be so. */
function certSummary(certificate: LogCertificate): CertSummary {
  const or = (value: string) => value || logReadingText('certificate.field-missing');
  return {
    subject: or(certificate.subject),
    issuer: or(certificate.issuer),
    validFrom: or(certificate.validFrom),
    validTo: or(certificate.validTo),
    verified: certificate.verified === true,
  };
}
