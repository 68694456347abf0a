/**
 * core/browser.ts is what a web page imports: nothing reachable from it,
 * however deep, may touch a Node built-in or Node's Buffer.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every module reachable from `entry` by static imports and re-exports (type-only ones left out), and the Node built-ins among them. */
function reach(entry: string): { files: string[]; builtins: string[] } {
  const seen = new Set<string>();
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'/gm)) {
      const target = match[1]!;
      if (target.startsWith('node:') || /^(fs|net|tls|crypto|path|os|child_process|dns|readline|url|stream|events)$/.test(target)) builtins.add(`${relative(ROOT, file)} -> ${target}`);
      else if (target.startsWith('.') && !target.endsWith('.json')) visit(join(dirname(file), target.replace(/\.js$/, '.ts')));
    }
    // Node's globals count too: a page has no Buffer and no process.
    if (/\bBuffer\.|\bprocess\./.test(source.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''))) builtins.add(`${relative(ROOT, file)} -> Buffer/process`);
  };
  visit(join(ROOT, entry));
  return { files: [...seen].map((file) => relative(ROOT, file)), builtins: [...builtins] };
}

describe('the browser entry (core/browser.ts)', () => {
  it('reaches no Node built-in, Buffer or process, all the way down', () => {
    const { builtins, files } = reach('core/browser.ts');
    expect(builtins).toEqual([]);
    // It really reaches what a page needs.
    for (const file of ['core/models/transcript.ts', 'core/models/console.ts', 'core/client/pop3-tracker.ts', 'core/client/smtp-tracker.ts', 'core/annotations/catalogue.ts', 'core/protocols/smtp-extensions.ts', 'core/masking.ts']) {
      expect(files).toContain(file);
    }
  });

  it('the walker does find built-ins (so the test above could fail)', () => {
    expect(reach('core/pop3/session.ts').builtins.length).toBeGreaterThan(0);
    expect(reach('core/net/server-connection.ts').builtins.some((entry) => entry.endsWith('node:tls'))).toBe(true);
  });

  it('loads and works in a plain module context', async () => {
    const browser = await import('../../core/browser.js');
    const rows = browser.transcriptRows([
      { kind: 'line', from: 'client', text: 'STAT' },
      { kind: 'line', from: 'server', text: '+OK 2 320' },
    ]);
    expect(rows.map((row) => row.kind)).toEqual(['line', 'line']);
    expect(browser.describeKey('pop3.command.STAT')?.rfc).toBe('RFC 1939 §5');
  });
});
