/**
 * Reads an existing session log so it can be annotated after the fact: an
 * RFC-style transcript ("C:" / "S:"), swaks output or `curl -v` output.
 *
 * swaks: "->" / "<-", "~>" / "<~" once TLS is on, "<**" / "<~*" for a reply
 * swaks counts as an error, "=== TLS started with cipher VERSION:CIPHER:BITS"
 * and "=== TLS peer DN=…" for the handshake, "*** …" for its own complaints.
 *
 * curl -v: "> " / "< ", "* " for its own information (the TLS version and
 * cipher, the certificate and whether it verified), "} [N bytes data]" ("{"
 * for what it read) where it logged data by size only. Outside TLS that is
 * the message it uploaded; inside TLS every record is logged that way (a
 * 5-byte record header before each command), so those are not message data.
 * The progress meter shares lines with the log (after a CR, or before the
 * next marker on the same line): it is cut off, never the line it hides.
 * What curl wrote to standard output (a POP3 listing, a message) has no
 * prefix; it is kept, for the reply whose body it is.
 */

export type LogFormat = 'rfc' | 'swaks' | 'curl';

/** One entry of a session log, in the order the log has them. */
export type LogEntry =
  /** A protocol line on the wire. `tls`: swaks marked it as sent inside TLS ("~"). */
  | { kind: 'wire'; from: 'client' | 'server'; text: string; tls: boolean; lineNumber: number }
  /** curl logged data outside TLS by its size only ("} [103 bytes data]"): a message it uploaded, a body it read. */
  | { kind: 'data'; from: 'client' | 'server'; octets: number; lineNumber: number }
  /** The TLS handshake completed, as the tool recorded it; `peer` when curl listed the certificate. */
  | { kind: 'tls'; version: string; cipher: string; lineNumber: number; peer?: LogCertificate }
  /** swaks named the server's certificate subject ("=== TLS peer DN=…"). */
  | { kind: 'tls-peer'; subject: string; lineNumber: number }
  /** curl's "We are completely uploaded and fine": the message it sent has ended. */
  | { kind: 'uploaded'; lineNumber: number }
  /** A line curl wrote to standard output (no prefix): part of a reply's body. */
  | { kind: 'stdout'; text: string; lineNumber: number }
  /** The tool's own error line: swaks' "*** …", curl's "curl: (67) …". */
  | { kind: 'tool'; text: string; lineNumber: number };

/** The certificate as curl -v lists it after the handshake. */
export interface LogCertificate {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** curl's verify result ("ok", or what failed and whether it went on anyway); undefined when not logged. */
  verifyResult?: string;
  verified?: boolean;
}

export type WireEntry = Extract<LogEntry, { kind: 'wire' }>;

export interface ParsedLog {
  format: LogFormat;
  protocol: 'pop3' | 'smtp';
  entries: LogEntry[];
}

const PATTERNS: Record<LogFormat, { client: RegExp; server: RegExp }> = {
  rfc: { client: /^\s*C:\s?(.*)$/, server: /^\s*S:\s?(.*)$/ },
  swaks: { client: /^ ?(->|~>) ?(.*)$/, server: /^(<~\*|<\*\*|<-|<~) *(.*)$/ },
  curl: { client: /^> (.*)$/, server: /^< (.*)$/ },
};

const SIZE = String.raw`\d+(?:\.\d+)?[kMGTP]?`;
const TIME = String.raw`(?:--:--:--|\d+:\d\d:\d\d|\d+d \d\dh|\d+h \d\dm)`;
/** curl's progress meter: 3 × (percent, size), 2 speeds, 3 times, the current speed. */
const METER = new RegExp(String.raw`^ *\d{1,3} +${SIZE} +\d{1,3} +${SIZE} +\d{1,3} +${SIZE} +${SIZE} +${SIZE} +${TIME} +${TIME} +${TIME} +${SIZE}`);
const METER_HEADINGS = /^ *% Total +% Received|^ +Dload +Upload +Total/;

/** Parses a log; `format` and `protocol` are detected unless given. */
export function parseLog(text: string, options: { format?: LogFormat; protocol?: 'pop3' | 'smtp' } = {}): ParsedLog | { error: string } {
  const rawLines = text.split(/\r?\n/);
  const format = options.format ?? detectFormat(rawLines);
  if (!format) return { error: 'no session lines found: expected "C:"/"S:" lines, swaks output ("->"/"<-"), curl -v output (">"/"<") or a Postfix/Dovecot log' };
  const entries = format === 'curl' ? parseCurl(rawLines) : format === 'swaks' ? parseSwaks(rawLines) : parseRfc(rawLines);
  const protocol = options.protocol ?? detectProtocol(entries);
  if (!protocol) return { error: 'cannot tell POP3 from SMTP: no server line starts with "+OK", "-ERR" or a 3-digit code; use --protocol' };
  return { format, protocol, entries };
}

/** The wire lines of a parsed log. */
export function wireLines(log: ParsedLog): WireEntry[] {
  return log.entries.filter((entry): entry is WireEntry => entry.kind === 'wire');
}

function parseRfc(rawLines: readonly string[]): LogEntry[] {
  const { client, server } = PATTERNS.rfc;
  const entries: LogEntry[] = [];
  rawLines.forEach((raw, index) => {
    const match = client.exec(raw) ?? server.exec(raw);
    if (match) entries.push({ kind: 'wire', from: client.test(raw) ? 'client' : 'server', text: match[1]!, tls: false, lineNumber: index + 1 });
  });
  return entries;
}

function parseSwaks(rawLines: readonly string[]): LogEntry[] {
  const { client, server } = PATTERNS.swaks;
  const entries: LogEntry[] = [];
  rawLines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const clientMatch = client.exec(raw);
    const serverMatch = clientMatch ? null : server.exec(raw);
    const tlsStarted = /^=== TLS started with cipher ([^:\s]+):(\S+?)(?::\d+)?\s*$/.exec(raw);
    const peer = /^=== TLS peer DN="(.*)"\s*$/.exec(raw);
    if (clientMatch) entries.push({ kind: 'wire', from: 'client', text: clientMatch[2]!, tls: clientMatch[1] === '~>', lineNumber });
    else if (serverMatch) entries.push({ kind: 'wire', from: 'server', text: serverMatch[2]!, tls: serverMatch[1]!.includes('~'), lineNumber });
    else if (tlsStarted) entries.push({ kind: 'tls', version: tlsStarted[1]!, cipher: tlsStarted[2]!, lineNumber });
    else if (peer) entries.push({ kind: 'tls-peer', subject: peer[1]!, lineNumber });
    else if (/^\*\*\* /.test(raw)) entries.push({ kind: 'tool', text: raw.slice(4).trim(), lineNumber });
  });
  return entries;
}

/** The line as curl meant it: progress meters (before a CR, or in front of the log text) cut off. */
export function withoutProgressMeter(raw: string): string {
  const parts = raw.split('\r').map((part) => (METER_HEADINGS.test(part) ? '' : part.replace(METER, '')));
  return parts.filter((part) => part.trim() !== '').at(-1) ?? '';
}

function parseCurl(rawLines: readonly string[]): LogEntry[] {
  const entries: LogEntry[] = [];
  /** From the first "* TLSv…" line on, "[N bytes data]" are TLS records. */
  let tls = false;
  let certificate: LogCertificate | undefined;
  const lines = rawLines.map(withoutProgressMeter);
  /** The record that opens a handshake is logged before the handshake's own first line. */
  const opensHandshake = (index: number) => {
    let next = index + 1;
    while (next < lines.length && lines[next] === '') next++;
    return lines[next]?.startsWith('* TLSv') === true;
  };
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line === '') return;
    const data = /^([{}]) \[(\d+) bytes data\]$/.exec(line);
    if (data) {
      if (!tls && !opensHandshake(index)) entries.push({ kind: 'data', from: data[1] === '}' ? 'client' : 'server', octets: Number(data[2]), lineNumber });
      return;
    }
    if (line.startsWith('> ')) return void entries.push({ kind: 'wire', from: 'client', text: line.slice(2), tls, lineNumber });
    if (line.startsWith('< ')) return void entries.push({ kind: 'wire', from: 'server', text: line.slice(2), tls, lineNumber });
    if (line.startsWith('*')) {
      if (/^\* TLSv[\d.]+ \((IN|OUT)\)/.test(line)) tls = true;
      const using = /^\* SSL connection using (\S+) \/ ([^\s/]+)/.exec(line);
      if (using) {
        tls = true;
        certificate = { subject: '', issuer: '', validFrom: '', validTo: '' };
        entries.push({ kind: 'tls', version: using[1]!, cipher: using[2]!, lineNumber, peer: certificate });
      } else if (certificate) readCertificateLine(line, certificate);
      if (/^\* We are completely uploaded and fine/.test(line)) entries.push({ kind: 'uploaded', lineNumber });
      return;
    }
    const complaint = /^curl: (\(\d+\).*)$/.exec(line);
    if (complaint) return void entries.push({ kind: 'tool', text: complaint[1]!, lineNumber });
    entries.push({ kind: 'stdout', text: line, lineNumber });
  });
  return entries;
}

/** "*  subject: CN=…", "*  SSL certificate verify result: self-signed certificate (18), continuing anyway." */
function readCertificateLine(line: string, certificate: LogCertificate): void {
  const field = /^\* +(subject|issuer|start date|expire date): (.*)$/.exec(line);
  if (field) {
    const name = ({ subject: 'subject', issuer: 'issuer', 'start date': 'validFrom', 'expire date': 'validTo' } as const)[field[1] as 'subject' | 'issuer' | 'start date' | 'expire date'];
    certificate[name] = field[2]!.trim();
    return;
  }
  if (/^\* +SSL certificate verify ok/.test(line)) {
    certificate.verifyResult = 'ok';
    certificate.verified = true;
    return;
  }
  const result = /^\* +SSL certificate verify result: (.*?)\.?$/.exec(line);
  if (result) {
    certificate.verifyResult = result[1]!;
    certificate.verified = /^ok\b/i.test(result[1]!);
  }
}

function detectFormat(lines: readonly string[]): LogFormat | undefined {
  let best: LogFormat | undefined;
  let bestCount = 0;
  for (const format of Object.keys(PATTERNS) as LogFormat[]) {
    const { client, server } = PATTERNS[format];
    const read = format === 'curl' ? lines.map(withoutProgressMeter) : lines;
    const count = read.filter((line) => client.test(line) || server.test(line)).length;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return best;
}

function detectProtocol(entries: readonly LogEntry[]): 'pop3' | 'smtp' | undefined {
  const first = entries.find((entry): entry is WireEntry => entry.kind === 'wire' && entry.from === 'server');
  if (!first) return undefined;
  if (/^(\+OK|-ERR)/.test(first.text)) return 'pop3';
  if (/^\d{3}[ -]?/.test(first.text)) return 'smtp';
  return undefined;
}
