/**
 * Serves the built page (Vite's output) over HTTP: only files that exist
 * under the page folder, GET and HEAD only, with the headers a page that
 * talks to a local bridge should carry (no framing, no sniffing, a content
 * security policy that allows connections to this origin only).
 */
import { existsSync, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Compressed copies of the page's files (a handful, built once). */
const compressed = new Map<string, Buffer>();

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export const SECURITY_HEADERS: Record<string, string> = {
  // xterm.js sets inline styles and adds <style> elements for its theme; scripts come only from this origin.
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** The folder Vite builds the page into: dist/web-page/ of the maillab package. */
export function defaultPageFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'dist', 'web-page');
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find the maillab package folder');
    folder = parent;
  }
}

/** Answers one HTTP request from the page folder. */
export async function servePageFile(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://page').pathname);
  } catch {
    response.writeHead(400, SECURITY_HEADERS).end();
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const base = resolve(root);
  const file = resolve(base, normalize(`.${path}`));
  if (!file.startsWith(base + sep) || path.includes('\0')) {
    response.writeHead(404, SECURITY_HEADERS).end();
    return;
  }
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    const missing = path === '/index.html' ? 'the page is not built; run "npm install" (or "npm run build:web") in the maillab folder\n' : 'not found\n';
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end(missing);
    return;
  }
  const hashed = /\/assets\//.test(path);
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')) && /\.(html|js|css|svg|json)$/.test(file);
  if (gzip) {
    const key = `${file}:${body.length}`;
    body = compressed.get(key) ?? compressed.set(key, gzipSync(body, { level: 9 })).get(key)!;
  }
  response.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    Vary: 'Accept-Encoding',
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
