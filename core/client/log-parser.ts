/**
 * Reads an existing session log so it can be annotated after the fact: an
 * RFC-style transcript ("C:" / "S:"), swaks output ("->" / "<-", "~>" / "<~"
 * once TLS is on, "<**" for error replies) or `curl -v` output ("> " / "< ",
 * and "} [N bytes data]" where curl sent a message without logging its lines).
 * Everything else (narration, "* " info lines, "===" notes) is skipped.
 */

export type LogFormat = 'rfc' | 'swaks' | 'curl';

export interface LogLine {
  from: 'client' | 'server';
  text: string;
  /** The line was sent inside TLS (swaks marks it with "~"). */
  tls: boolean;
  /** 1-based line number in the file, for messages. */
  lineNumber: number;
  /**
   * curl -v logs a message it uploads (or a body it downloads) not line by
   * line but as "} [103 bytes data]" ("{" for the server's): its size in octets.
   */
  dataOctets?: number;
}

export interface ParsedLog {
  format: LogFormat;
  protocol: 'pop3' | 'smtp';
  lines: LogLine[];
}

const PATTERNS: Record<LogFormat, { client: RegExp; server: RegExp }> = {
  rfc: { client: /^\s*C:\s?(.*)$/, server: /^\s*S:\s?(.*)$/ },
  swaks: { client: /^ ?(->|~>) ?(.*)$/, server: /^(<-|<~|<\*\*|<~\*) *(.*)$/ },
  curl: { client: /^> (.*)$/, server: /^< (.*)$/ },
};

/** Parses a log; `format` and `protocol` are detected unless given. */
export function parseLog(text: string, options: { format?: LogFormat; protocol?: 'pop3' | 'smtp' } = {}): ParsedLog | { error: string } {
  const rawLines = text.split(/\r?\n/);
  const format = options.format ?? detectFormat(rawLines);
  if (!format) return { error: 'no session lines found: expected "C:"/"S:" lines, swaks output ("->"/"<-") or curl -v output (">"/"<")' };
  const { client, server } = PATTERNS[format];
  const lines: LogLine[] = [];
  rawLines.forEach((raw, index) => {
    const data = format === 'curl' ? /^([{}]) \[(\d+) bytes data\]$/.exec(raw) : null;
    if (data) {
      lines.push({ from: data[1] === '}' ? 'client' : 'server', text: '', tls: false, lineNumber: index + 1, dataOctets: Number(data[2]) });
      return;
    }
    const clientMatch = client.exec(raw);
    const serverMatch = clientMatch ? null : server.exec(raw);
    if (clientMatch) {
      const text = format === 'swaks' ? clientMatch[2]! : clientMatch[1]!;
      lines.push({ from: 'client', text, tls: format === 'swaks' && clientMatch[1] === '~>', lineNumber: index + 1 });
    } else if (serverMatch) {
      const text = format === 'swaks' ? serverMatch[2]! : serverMatch[1]!;
      lines.push({ from: 'server', text, tls: format === 'swaks' && serverMatch[1]!.includes('~'), lineNumber: index + 1 });
    }
  });
  const protocol = options.protocol ?? detectProtocol(lines);
  if (!protocol) return { error: 'cannot tell POP3 from SMTP: no server line starts with "+OK", "-ERR" or a 3-digit code; use --protocol' };
  return { format, protocol, lines };
}

function detectFormat(lines: readonly string[]): LogFormat | undefined {
  let best: LogFormat | undefined;
  let bestCount = 0;
  for (const format of Object.keys(PATTERNS) as LogFormat[]) {
    const { client, server } = PATTERNS[format];
    const count = lines.filter((line) => client.test(line) || server.test(line)).length;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return best;
}

function detectProtocol(lines: readonly LogLine[]): 'pop3' | 'smtp' | undefined {
  const first = lines.find((line) => line.from === 'server');
  if (!first) return undefined;
  if (/^(\+OK|-ERR)/.test(first.text)) return 'pop3';
  if (/^\d{3}[ -]?/.test(first.text)) return 'smtp';
  return undefined;
}
