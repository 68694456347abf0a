/** `maillab annotate FILE`: explains an existing session log (RFC-style, swaks or curl -v). */
import { promises as fs } from 'node:fs';
import { annotateLog } from '../core/client/annotate-log.js';
import { parseLog, wireLines, type LogFormat } from '../core/client/log-parser.js';
import { transcriptRows } from '../core/models/transcript.js';
import { renderRows } from '../core/render/transcript.js';
import { fail } from './fail.js';

export interface AnnotateOptions {
  format?: LogFormat;
  protocol?: 'pop3' | 'smtp';
  json: boolean;
  /** How much to explain (full by default). */
  annotations?: "full" | "brief" | "off";
}

export async function runAnnotate(file: string, options: AnnotateOptions): Promise<void> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await fs.readFile(file, 'latin1');
  } catch (error) {
    fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const parsed = parseLog(text, options);
  if ('error' in parsed) fail(`${file}: ${parsed.error}`);
  if (!options.json) process.stdout.write(`   ${wireLines(parsed).length} lines of a ${parsed.protocol.toUpperCase()} session, read as ${parsed.format} output\n`);
  const events = annotateLog(parsed);
  if (options.json) for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
  else for (const line of renderRows(transcriptRows(events, { annotations: options.annotations ?? 'full' }))) process.stdout.write(`${line}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}
