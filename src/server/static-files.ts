// Serves Astro's built client assets (dist/client): hashed /_astro/* files cached forever,
// text assets compressed once and kept in memory — gzip at once, Brotli (smaller, but about a
// second for the terminal bundle at its best quality) in the background, starting with
// warm() at server start; until a file's Brotli is ready, gzip is served. Anything else falls
// through to Astro.
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzipSync } from 'node:zlib';
import { filesUnder } from './files-under.ts';
import { MIN_COMPRESS_BYTES, negotiateEncoding, type ContentEncoding } from './compression.ts';

const brotli = promisify(brotliCompress);

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

type CachedFile = { mtimeMs: number; body: Buffer; compressible: boolean; gzip?: Buffer; br?: Buffer; brPending?: Promise<void> };

export type StaticHandler = {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Compresses every text asset with Brotli in the background, one at a time; resolves when done. */
  warm(): Promise<void>;
};

export function createStaticHandler(clientDir: string): StaticHandler {
  const root = normalize(clientDir);
  const cache = new Map<string, CachedFile>();

  const load = (file: string, mtimeMs: number): CachedFile => {
    let cached = cache.get(file);
    if (!cached || cached.mtimeMs !== mtimeMs) {
      const body = readFileSync(file);
      const compressible = COMPRESSIBLE.has(extname(file).toLowerCase()) && body.length >= MIN_COMPRESS_BYTES;
      cached = { mtimeMs, body, compressible };
      if (compressible) cached.gzip = gzipSync(body, { level: 9 });
      cache.set(file, cached);
    }
    return cached;
  };

  const startBrotli = (cached: CachedFile): Promise<void> => {
    if (!cached.compressible || cached.br) return Promise.resolve();
    cached.brPending ??= brotli(cached.body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: cached.body.length },
    }).then(
      (compressed) => {
        cached.br = compressed;
      },
      () => {
        cached.brPending = undefined; // try again on a later request; gzip meanwhile
      },
    );
    return cached.brPending;
  };

  const serveStatic = function serveStatic(req: IncomingMessage, res: ServerResponse): boolean {
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
    const cached = load(file, stat.mtimeMs);
    if (cached.compressible && !cached.br) void startBrotli(cached);
    const ready: ContentEncoding[] = cached.compressible ? (cached.br ? ['br', 'gzip'] : ['gzip']) : [];
    const encoding = negotiateEncoding(req.headers['accept-encoding'], ready);
    const body = encoding === 'br' ? cached.br! : encoding === 'gzip' ? cached.gzip! : cached.body;
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', body.length);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (cached.compressible) res.setHeader('Vary', 'Accept-Encoding');
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Cache-Control', pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  } as StaticHandler;

  serveStatic.warm = async () => {
    const files = filesUnder(root).filter((file) => COMPRESSIBLE.has(extname(file).toLowerCase()));
    // Largest first: the terminal bundle is what a learner's first page waits for.
    const sized = files.map((file) => ({ file, stat: statSync(file, { throwIfNoEntry: false }) })).filter((f) => f.stat?.isFile());
    sized.sort((a, b) => b.stat!.size - a.stat!.size);
    for (const { file, stat } of sized) await startBrotli(load(file, stat!.mtimeMs));
  };

  return serveStatic;
}
