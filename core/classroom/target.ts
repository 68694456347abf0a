/**
 * What a classroom session talks to, and the words for it in a status bar.
 * Pure: the TUI and the web bridge both parse `/connect` arguments with it.
 */
import { parseServerUrl } from '../net/server-url.js';

/** A remote target's --ca-file, --servername and --tls-min (core/net/tls-verification.ts takes them). */
export interface RemoteTlsSettings {
  caFile?: string;
  servername?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export type SandboxServer = 'pop3' | 'smtp' | 'submission';
export type LessonPlayMode = 'watch' | 'step' | 'practice';

export type ClassroomTarget =
  /** The in-process lab: no ports, the demo users, mail sent with SMTP arrives in POP3. */
  | { kind: 'sandbox'; server: SandboxServer }
  /** A real server: pop3://, pop3s://, smtp://, smtps:// (core/net/server-url.ts); `starttls` upgrades before handing over, as `connect --starttls`. */
  | { kind: 'remote'; url: string; insecure?: boolean; starttls?: boolean; tls?: RemoteTlsSettings }
  /** A lesson, played from `dir` (default: the package's lessons/). */
  | { kind: 'lesson'; id: string; mode: LessonPlayMode; dir?: string };

/** A short name for a target: "sandbox pop3", "pop3://127.0.0.1:1110", "lesson 01-rfc1939 (step)". */
export function describeTarget(target: ClassroomTarget): string {
  switch (target.kind) {
    case 'sandbox':
      return `sandbox ${target.server}`;
    case 'remote':
      return target.url;
    case 'lesson':
      return `lesson ${target.id} (${target.mode})`;
  }
}

export type ParsedTarget = { ok: true; target: ClassroomTarget } | { ok: false; reason: string };

/**
 * What `/connect ARG` means: a sandbox server by name (pop3, smtp,
 * submission) or a server URL. Flags after the URL: --insecure, --starttls.
 */
export function parseConnectArgument(text: string): ParsedTarget {
  const [first = '', ...flags] = text.trim().split(/\s+/).filter((word) => word !== '');
  if (first === '') return { ok: false, reason: 'usage: /connect pop3|smtp|submission|URL [--starttls] [--insecure]' };
  const name = first.toLowerCase();
  if (name === 'pop3' || name === 'smtp' || name === 'submission') return { ok: true, target: { kind: 'sandbox', server: name } };
  const parsed = parseServerUrl(first);
  if (!parsed.ok) return parsed;
  const unknown = flags.filter((flag) => flag !== '--insecure' && flag !== '--starttls');
  if (unknown.length > 0) return { ok: false, reason: `unknown option ${unknown[0]}; /connect URL takes --starttls and --insecure` };
  return { ok: true, target: { kind: 'remote', url: first, ...(flags.includes('--insecure') ? { insecure: true } : {}), ...(flags.includes('--starttls') ? { starttls: true } : {}) } };
}
