/**
 * `maillab annotate FILE...`: explains existing logs — a session log (RFC-style,
 * swaks or curl -v) line by line as if it were live, and a Postfix or Dovecot
 * log line by line with what each means and what to check. Several files are
 * read in the order given, so a client's log and the server's stand together.
 */
import { promises as fs } from 'node:fs';
import { annotateLog } from '../core/client/annotate-log.js';
import { parseLog, wireLines, type LogFormat } from '../core/client/log-parser.js';
import { isServerLog, parseServerLog, type ServerLogLine } from '../core/client/server-log.js';
import { withServerSide } from '../core/client/server-side.js';
import { transcriptRows } from '../core/models/transcript.js';
import { renderServerLog } from '../core/render/server-log.js';
import { renderRows } from '../core/render/transcript.js';
import { fail } from './fail.js';

export interface AnnotateOptions {
  format?: LogFormat | 'maillog';
  protocol?: 'pop3' | 'smtp';
  json: boolean;
  /** How much to explain (full by default). */
  annotations?: 'full' | 'brief' | 'off';
}

/** Reads every file first (a bad one fails cleanly before any output), then prints each explained, in order. */
export async function runAnnotate(files: string | readonly string[], options: AnnotateOptions): Promise<void> {
  const list = typeof files === 'string' ? [files] : files;
  const texts: string[] = [];
  for (const file of list) texts.push(await readLog(file));
  // The server logs among the files, so each client log can show the server's why beside its refusals.
  const serverLogs = list.flatMap((file, index) => {
    const server = parseServerLog(texts[index]!);
    return server.lines.length > 0 ? [{ file, lines: server.lines }] : [];
  });
  const outputs = list.map((file, index) => annotateOne(file, texts[index]!, options, list.length > 1, serverLogs.filter((log) => log.file !== file || list.length === 1)));
  for (const lines of outputs) for (const line of lines) process.stdout.write(`${line}\n`);
}

function annotateOne(file: string, text: string, options: AnnotateOptions, named: boolean, serverLogs: readonly { file: string; lines: readonly ServerLogLine[] }[]): string[] {
  const from = named ? ` (${file})` : '';
  const server = options.format === 'maillog' || options.format === undefined ? parseServerLog(text) : undefined;
  const session = options.format === 'maillog' ? undefined : parseLog(text, { ...(options.format ? { format: options.format } : {}), ...(options.protocol ? { protocol: options.protocol } : {}) });
  const sessionCount = session && !('error' in session) ? wireLines(session).length : 0;
  if (server && (options.format === 'maillog' || isServerLog(server, sessionCount))) {
    if (server.lines.length === 0) fail(`${file}: no Postfix or Dovecot lines found`);
    if (options.json) return server.lines.map((line) => JSON.stringify({ kind: 'server-log', ...line }));
    return [`   ${server.lines.length} lines of a mail server's log (Postfix/Dovecot)${from}`, ...renderServerLog(server.lines, { annotations: options.annotations ?? 'full' })];
  }
  if (!session || 'error' in session) return fail(`${file}: ${session && 'error' in session ? session.error : 'no session lines found'}`);
  let events = annotateLog(session);
  for (const log of serverLogs) if (log.file !== file) events = withServerSide(events, log.lines, log.file);
  if (options.json) return events.map((event) => JSON.stringify(event));
  return [`   ${sessionCount} lines of a ${session.protocol.toUpperCase()} session, read as ${session.format} output${from}`, ...renderRows(transcriptRows(events, { annotations: options.annotations ?? 'full' }))];
}

async function readLog(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await fs.readFile(file, 'latin1');
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}
