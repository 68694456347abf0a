/**
 * Comments that name a file of the repository name one that exists: a path
 * from the root (`core/protocols/pop3.ts`, `test/unit/…`) or a relative one
 * (`./pump.ts`, `../framing/input-framer.ts`). A file that moved or went away
 * leaves such a comment pointing at nothing; this test finds it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FOLDERS = ['core', 'bin', 'tui', 'web', 'test', 'bench'];
/** A path from the repository root, or a relative one; not preceded by a word, a dot or a slash (so URLs and longer paths are not cut). */
const PATH = /(?<![\w./-])((?:\.\.?\/)+[\w./-]*[\w-]|(?:core|bin|tui|web|test|bench|lessons|docs)\/[\w./-]*[\w-])/g;

function walk(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.(tsx?|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The paths named in the comments of `source` (a file at `file`) that do not exist. */
function missingPaths(file: string, source: string): string[] {
  const missing: string[] = [];
  for (const [comment] of source.matchAll(/\/\*[\s\S]*?\*\/|(?<![:'"`\\])\/\/[^\n]*/g)) {
    for (const match of comment.matchAll(PATH)) {
      const named = match[1]!;
      const base = named.startsWith('.') ? resolve(dirname(file), named) : join(ROOT, named);
      // A compiled name (`./pump.js`) stands for its source.
      if (![base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx')].some((candidate) => existsSync(candidate))) missing.push(`${relative(ROOT, file)}: ${named}`);
    }
  }
  return missing;
}

describe('paths named in comments', () => {
  it('every repository path a comment names exists', () => {
    // This file names missing paths on purpose, as examples.
    const files = FOLDERS.filter((folder) => existsSync(join(ROOT, folder)))
      .flatMap((folder) => walk(join(ROOT, folder)))
      .filter((file) => file !== fileURLToPath(import.meta.url));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((file) => missingPaths(file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('every repository path docs/ARCHITECTURE.md names exists (its "where things go" points at real files)', () => {
    const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
    const named = [...doc.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]!).filter((text) => /^(core|bin|tui|web|test|bench|lessons|docs)\/[\w./-]*$/.test(text));
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('finds a path that does not exist, root-based or relative, and accepts one that does', () => {
    const file = join(ROOT, 'core/engine/pump.ts');
    expect(missingPaths(file, '/** The table (core/pop3/states.ts) and ./no-such-file.ts. */')).toEqual([
      'core/engine/pump.ts: core/pop3/states.ts',
      'core/engine/pump.ts: ./no-such-file.ts',
    ]);
    expect(missingPaths(file, '// see core/protocols/pop3.ts, ./dispatcher.ts and ../framing/input-framer.js\nconst url = "https://example.org/core/x";')).toEqual([]);
  });
});
