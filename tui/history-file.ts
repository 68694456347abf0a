/**
 * The input history kept across runs, in the user's config folder:
 * $XDG_CONFIG_HOME/maillab/history, else ~/.config/maillab/history. The
 * console model never hands it a secret (a PASS line is kept as "PASS ").
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HistoryStore } from '../core/browser.js';

const LIMIT = 500;

export function historyPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'maillab', 'history');
}

export class FileHistory implements HistoryStore {
  private readonly entries: string[];
  /** True when there was no history file yet: the first run, for the welcome. */
  readonly firstRun: boolean;

  constructor(private readonly path: string) {
    this.firstRun = !existsSync(path);
    this.entries = this.firstRun ? [] : readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').slice(-LIMIT);
    if (this.firstRun) this.write('');
  }

  load(): readonly string[] {
    return this.entries;
  }

  add(line: string): void {
    this.entries.push(line);
    if (this.entries.length > LIMIT) this.entries.splice(0, this.entries.length - LIMIT);
    this.write(`${line.replace(/[\r\n]/g, '')}\n`);
  }

  private write(text: string): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      appendFileSync(this.path, text, { mode: 0o600 });
    } catch {
      // A read-only home: history lasts for this run only.
    }
  }
}
