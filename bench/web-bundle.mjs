// Measures what the classroom page's first load fetches, gzipped (goal: under 200 KB): index.html
// and the scripts and styles it names, then the chunks loaded right after (the WebGL renderer).
// Run after `npm install` (which builds dist/web-page): node bench/web-bundle.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('../dist/web-page/', import.meta.url);
const html = readFileSync(new URL('index.html', root), 'utf8');
const first = ['index.html', ...[...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((match) => match[1])];
const later = readdirSync(new URL('assets/', root)).map((name) => `assets/${name}`).filter((name) => !first.includes(name));
const size = (name) => {
  const bytes = readFileSync(new URL(name, root));
  return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const rows = [...first.map(size), ...later.map((name) => ({ ...size(name), name: `${name} (loaded after start)` }))];
console.table(rows);
const kb = (list) => (list.reduce((sum, row) => sum + row.gzip, 0) / 1024).toFixed(1);
console.log(`first load: ${kb(rows.slice(0, first.length))} KB gzipped; with what loads right after: ${kb(rows)} KB`);
