// Serves Astro's built client assets (dist/client): hashed /_astro/* files cached forever,
// text assets gzip-compressed once and kept in memory. Anything else falls through to Astro.
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.svg', '.txt', '.map']);

type CachedFile = { mtimeMs: number; body: Buffer; gzip?: Buffer };

export function createStaticHandler(clientDir: string) {
  const root = normalize(clientDir);
  const cache = new Map<string, CachedFile>();

  return function serveStatic(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    if (pathname.includes('\0') || pathname.endsWith('/')) return false;
    const file = normalize(join(root, pathname));
    if (!file.startsWith(root + sep)) return false;
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return false;
    }
    if (!stat.isFile()) return false;
    const extension = extname(file).toLowerCase();
    let cached = cache.get(file);
    if (!cached || cached.mtimeMs !== stat.mtimeMs) {
      const body = readFileSync(file);
      cached = { mtimeMs: stat.mtimeMs, body };
      if (COMPRESSIBLE.has(extension) && body.length > 512) cached.gzip = gzipSync(body, { level: 9 });
      cache.set(file, cached);
    }
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = acceptsGzip && cached.gzip ? cached.gzip : cached.body;
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[extension] ?? 'application/octet-stream');
    res.setHeader('Content-Length', body.length);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (cached.gzip) res.setHeader('Vary', 'Accept-Encoding');
    if (acceptsGzip && cached.gzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Cache-Control', pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
