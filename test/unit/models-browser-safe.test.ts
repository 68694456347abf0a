/**
 * The models are for the browser too: nothing they import, however deep,
 * touches a Node built-in. The console model's one exception, until the
 * protocol data module lands, is its command table (core/models/command-facts.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every module reachable from `entry` by static imports (type-only imports left out), and the Node built-ins among them. */
function reach(entry: string, stopAt: readonly string[] = []): { files: string[]; builtins: string[] } {
  const seen = new Set<string>();
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (stopAt.includes(relative(ROOT, file))) return;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'/gm)) {
      const target = match[1]!;
      if (target.startsWith('node:') || /^(fs|net|tls|crypto|path|os|child_process|dns)$/.test(target)) builtins.add(`${relative(ROOT, file)} -> ${target}`);
      else if (target.startsWith('.')) visit(join(dirname(file), target.replace(/\.js$/, '.ts')));
    }
    if (/\bBuffer\./.test(source)) builtins.add(`${relative(ROOT, file)} -> Buffer`);
  };
  visit(join(ROOT, entry));
  return { files: [...seen].map((file) => relative(ROOT, file)), builtins: [...builtins] };
}

describe('the models import no Node built-ins', () => {
  it('the transcript model and the terminal key decoder, all the way down', () => {
    expect(reach('core/models/transcript.ts').builtins).toEqual([]);
    expect(reach('core/models/terminal-keys.ts').builtins).toEqual([]);
  });

  it('the console model, but for its command table', () => {
    const { builtins, files } = reach('core/models/console.ts', ['core/models/command-facts.ts']);
    expect(builtins).toEqual([]);
    expect(files).toContain('core/masking.ts');
    expect(files).toContain('core/client/meta-command-list.ts');
  });

  it('the walker does find built-ins (so the tests above could fail)', () => {
    expect(reach('core/models/console.ts').builtins.length).toBeGreaterThan(0);
  });
});
