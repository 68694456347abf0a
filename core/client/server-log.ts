/**
 * Reads a mail server's own log — Postfix's (syslog, or its maillog_file) and
 * Dovecot's (syslog, or its log_path) — so `maillab annotate` can say what each
 * line means and what to check: the server side's why, next to a client's
 * transcript of the same session. Lines of other programs are left out.
 */
import { fillTemplate } from '../annotations/log-messages.js';
import messages from '../annotations/messages/en/server-log.json' with { type: 'json' };
import { SERVER_LOG_RULES } from './server-log-rules.js';

/** One Postfix or Dovecot line, and what it means when maillab knows it. */
export interface ServerLogLine {
  /** 1-based line number in the file. */
  lineNumber: number;
  /** The line as written (without its line end). */
  text: string;
  daemon: 'postfix' | 'dovecot';
  /** "postfix/smtpd", "dovecot", or Dovecot's own log's process ("pop3-login"). */
  program: string;
  pid?: string;
  /** The message after the prefix. */
  message: string;
  explanation?: ServerLogExplanation;
}

export interface ServerLogExplanation {
  /** The message key in server-log.json. */
  key: string;
  title: string;
  meaning: string;
  check: string;
  rfc: string;
  /** What the line says, by name (client, ip, stage, code, user…). */
  facts: Record<string, string>;
}

export interface ParsedServerLog {
  format: 'maillog';
  lines: ServerLogLine[];
}

type Entry = { title: string; meaning: string; check: string; rfc: string };
const ENTRIES = messages as unknown as Record<string, Entry | undefined> & { format: Record<string, string> };

/** "Dec  8 01:28:10 host postfix/smtpd[21908]: …", or with an RFC 3339 time. */
const SYSLOG = /^(?<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?<host>\S+) (?<program>postfix[\w./-]*|dovecot)(?:\[(?<pid>\d+)\])?: (?<message>.*)$/;
/** Dovecot's own log_path: "Dec 08 01:28:10 auth: Info: …" */
const DOVECOT_FILE = /^(?<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?<message>(?<program>(?:auth(?:-worker)?|master|config|anvil|log|stats|dict|lmtp|indexer(?:-worker)?|(?:pop3|imap|submission|managesieve)(?:-login)?)\b)[^:]*: (?:Info|Warning|Error|Fatal|Panic|Debug): .*)$/;

/** The Postfix and Dovecot lines of a log, each explained when its message is known. */
export function parseServerLog(text: string): ParsedServerLog {
  const lines: ServerLogLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const syslog = SYSLOG.exec(raw)?.groups;
    const own = syslog ? undefined : DOVECOT_FILE.exec(raw)?.groups;
    const groups = syslog ?? own;
    if (!groups) return;
    const daemon = groups.program!.startsWith('postfix') ? 'postfix' : 'dovecot';
    const line: ServerLogLine = { lineNumber: index + 1, text: raw, daemon, program: syslog ? groups.program! : 'dovecot', message: groups.message!, ...(groups.pid ? { pid: groups.pid } : {}) };
    const explanation = explain(daemon, groups.message!);
    lines.push(explanation ? { ...line, explanation } : line);
  });
  return { format: 'maillog', lines };
}

/** True when a text holds more Postfix/Dovecot lines than `sessionLines` (a session log's own count). */
export function isServerLog(parsed: ParsedServerLog, sessionLines: number): boolean {
  return parsed.lines.length > 0 && parsed.lines.length >= sessionLines;
}

function explain(daemon: 'postfix' | 'dovecot', message: string): ServerLogExplanation | undefined {
  for (const rule of SERVER_LOG_RULES) {
    if (rule.daemon !== daemon) continue;
    const match = rule.pattern.exec(message);
    if (!match) continue;
    const groups: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) if (value !== undefined) groups[name] = value;
    const key = typeof rule.words === 'string' ? rule.words : rule.words(groups);
    const entry = ENTRIES[key];
    if (!entry) throw new Error(`server-log.json has no entry for ${key}`);
    const facts = { ...groups, ...derivedFacts(key, groups) };
    const fill = (template: string) => fillTemplate(template, new Proxy(facts, { get: (target, name: string) => target[name] ?? ENTRIES.format['fact.missing'] }));
    return { key, title: entry.title, meaning: fill(entry.meaning), check: fill(entry.check), rfc: entry.rfc, facts };
  }
  return undefined;
}

/** Facts the words need that are not a group of the pattern: a disconnect's command counts, whether a login was on TLS. */
function derivedFacts(key: string, groups: Record<string, string>): Record<string, string> {
  const format = ENTRIES.format;
  const facts: Record<string, string> = {};
  if (key === 'postfix.disconnect') facts.summary = disconnectSummary(groups.counts ?? '');
  if (key === 'postfix.queued') facts.login = groups.user ? fillTemplate(format['queued.login']!, { user: groups.user, method: groups.method ?? '?' }) : '';
  if (key === 'dovecot.login' || key === 'dovecot.login-auth-failed') {
    const rest = groups.rest ?? '';
    facts.secured = format[/, TLS\b/.test(rest) ? 'secured.tls' : /, secured\b/.test(rest) ? 'secured.secured' : 'secured.none']!;
  }
  return facts;
}

/** "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4": which commands Postfix refused (accepted/sent). */
function disconnectSummary(counts: string): string {
  const format = ENTRIES.format;
  const failed = counts
    .trim()
    .split(/\s+/)
    .flatMap((pair) => {
      const match = /^([\w-]+)=(\d+)\/(\d+)$/.exec(pair);
      if (!match || match[1] === 'commands' || match[2] === match[3]) return [];
      return [fillTemplate(format['disconnect.item']!, { command: match[1]!.toUpperCase(), accepted: match[2]!, total: match[3]! })];
    });
  return failed.length === 0 ? format['disconnect.all-ok']! : fillTemplate(format['disconnect.some-failed']!, { items: failed.join(', ') });
}
