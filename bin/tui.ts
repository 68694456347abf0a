/**
 * `maillab tui [url]`: the terminal classroom (tui/). On a terminal it loads
 * Ink lazily; piped, it says so and points to `maillab connect`.
 */
import { parseServerUrl } from '../core/net/server-url.js';
import type { ClassroomTarget } from '../core/classroom/target.js';
import { fail } from './fail.js';
import type { TlsCliOptions } from './cli-options.js';

export interface TuiCliOptions extends TlsCliOptions {
  starttls: boolean;
  insecure: boolean;
  lesson?: string;
  mode: 'watch' | 'step' | 'practice';
  dir?: string;
  timeout: number;
}

export async function runTuiCommand(url: string | undefined, options: TuiCliOptions): Promise<void> {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    process.stderr.write('maillab tui needs a terminal; to script a session or pipe one, use `maillab connect URL` (e.g. printf \'USER alice\\nQUIT\\n\' | maillab connect pop3://127.0.0.1:1110)\n');
    process.exit(1);
  }
  let target: ClassroomTarget = { kind: 'sandbox', server: 'pop3' };
  if (options.lesson) target = { kind: 'lesson', id: options.lesson, mode: options.mode, ...(options.dir ? { dir: options.dir } : {}) };
  else if (url !== undefined && /^(pop3|smtp|submission)$/i.test(url)) target = { kind: 'sandbox', server: url.toLowerCase() as 'pop3' | 'smtp' | 'submission' };
  else if (url !== undefined) {
    const parsed = parseServerUrl(url);
    if (!parsed.ok) fail(parsed.reason);
    const tls = { ...(options.caFile !== undefined ? { caFile: options.caFile } : {}), ...(options.servername !== undefined ? { servername: options.servername } : {}), ...(options.tlsMin !== undefined ? { minVersion: options.tlsMin } : {}) };
    target = { kind: 'remote', url, insecure: options.insecure, starttls: options.starttls, ...(Object.keys(tls).length > 0 ? { tls } : {}) };
  }
  // Ink draws only a final frame when it believes it runs in CI (it reads CI and
  // CONTINUOUS_INTEGRATION when it loads). This is a terminal, checked above: draw it live.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runTui } = await import('../tui/run-tui.js');
  const code = await runTui({ target, replyTimeoutMs: options.timeout * 1000, ...(options.dir ? { lessonsDir: options.dir } : {}) });
  process.exit(code);
}
