// Compression of what the server sends: Accept-Encoding negotiation, on-the-fly Brotli/gzip of
// rendered pages (written the way Astro's Node adapter writes them), and the static asset
// handler's precompressed gzip and background Brotli. Real sockets, real zlib, raw bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressResponse, negotiateEncoding } from '../../src/server/compression.ts';
import { createStaticHandler } from '../../src/server/static-files.ts';

type Reply = { status: number; headers: IncomingHttpHeaders; raw: Buffer; chunkTimes: number[]; startedAt: number };

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      const chunkTimes: number[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        chunkTimes.push(Date.now() - startedAt);
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks), chunkTimes, startedAt }));
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (reply: Reply): string => {
  const encoding = reply.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(reply.raw).toString();
  if (encoding === 'gzip') return gunzipSync(reply.raw).toString();
  expect(encoding).toBeUndefined();
  return reply.raw.toString();
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('negotiateEncoding', () => {
  it.each([
    ['br, gzip, deflate', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['', 'identity'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['identity;q=0, gzip;q=0, br;q=0', 'identity'],
    ['identity;q=1, gzip;q=0.5', 'identity'],
  ])('Accept-Encoding %j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });

  it('sends identity to a client that does not ask, and offers only what is available', () => {
    expect(negotiateEncoding(undefined)).toBe('identity');
    expect(negotiateEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(negotiateEncoding('br', ['gzip'])).toBe('identity');
    expect(negotiateEncoding('br, gzip', [])).toBe('identity');
  });
});

describe('compressResponse (rendered pages)', () => {
  // A page like Astro's: writeHead with a headers object, then chunks from a stream, then end().
  const page = Array.from({ length: 400 }, (_, i) => `<section id="s${i}"><h2>Heading ${i}</h2><p>Pods, probes and kubelets, paragraph ${i}.</p></section>\n`).join('');
  const chunks = [page.slice(0, 5000), page.slice(5000, 20000), page.slice(20000)];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    ({ server, port } = await listen(async (req, res) => {
      compressResponse(req, res);
      const path = req.url ?? '/';
      if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html', 'x-frame-options': 'DENY' });
        for (const chunk of chunks) {
          res.write(new TextEncoder().encode(chunk));
          await new Promise((r) => setImmediate(r));
        }
        res.end();
      } else if (path === '/slow') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write(page.slice(0, 3000));
        await new Promise((r) => setTimeout(r, 400));
        res.end(page.slice(3000, 6000));
      } else if (path === '/implicit') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ page }));
      } else if (path === '/small') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': '11' });
        res.end('<p>tiny</p>');
      } else if (path === '/encoded') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'identity' });
        res.end(page);
      } else if (path === '/png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(4096, 7));
      } else if (path === '/not-modified') {
        res.writeHead(304, { 'content-type': 'text/html' });
        res.end();
      } else if (path === '/no-transform') {
        res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-transform' });
        res.end(page);
      } else if (path === '/with-message') {
        res.writeHead(404, 'Not Here', [['Content-Type', 'text/html'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
        res.end(page, () => res.emit('test-callback'));
      }
    }));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends Brotli to a browser that accepts it, and the body decodes to the page', async () => {
    const reply = await get(port, '/page', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.headers.vary).toMatch(/Accept-Encoding/i);
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(decode(reply)).toBe(page);
    expect(reply.raw.length).toBeLessThan(page.length / 5);
  });

  it('sends gzip when that is all the client takes, and the plain page when it takes nothing', async () => {
    const gzip = await get(port, '/page', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decode(gzip)).toBe(page);
    const plain = await get(port, '/page', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.raw.toString()).toBe(page);
  });

  it('keeps a streamed page progressive: the first part arrives before the renderer finishes', async () => {
    const reply = await get(port, '/slow', { 'accept-encoding': 'br' });
    expect(decode(reply)).toBe(page.slice(0, 6000));
    expect(reply.chunkTimes[0]!, `chunks at ${reply.chunkTimes.join(', ')} ms`).toBeLessThan(300);
    expect(reply.chunkTimes.at(-1)!).toBeGreaterThanOrEqual(380);
  });

  it('compresses a response whose headers were set without writeHead', async () => {
    const reply = await get(port, '/implicit', { 'accept-encoding': 'gzip' });
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(decode(reply))).toEqual({ page });
  });

  it('keeps status line, repeated headers and the end() callback', async () => {
    const reply = await get(port, '/with-message', { 'accept-encoding': 'br' });
    expect(reply.status).toBe(404);
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(decode(reply)).toBe(page);
  });

  it.each([
    ['/small', 'a small body with a known length'],
    ['/encoded', 'a body that already has a Content-Encoding'],
    ['/png', 'a binary type'],
    ['/no-transform', 'Cache-Control: no-transform'],
  ])('leaves %s alone (%s)', async (path) => {
    const reply = await get(port, path, { 'accept-encoding': 'br, gzip' });
    expect(reply.headers['content-encoding'] ?? 'identity').toBe('identity');
    expect(reply.raw.length).toBeGreaterThan(0);
  });

  it('sends no body for 304 and HEAD', async () => {
    const notModified = await get(port, '/not-modified', { 'accept-encoding': 'br' });
    expect(notModified.status).toBe(304);
    expect(notModified.raw.length).toBe(0);
    expect(notModified.headers['content-encoding']).toBeUndefined();
    const head = await get(port, '/page', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.raw.length).toBe(0);
  });
});

describe('static assets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labs-static-'));
  const script = `export const lines = [${Array.from({ length: 3000 }, (_, i) => `"line ${i} of the terminal bundle"`).join(',')}];\n`;
  writeFileSync(join(dir, 'bundle.js'), script);
  writeFileSync(join(dir, 'tiny.css'), 'body{margin:0}');
  writeFileSync(join(dir, 'font.woff2'), Buffer.alloc(5000, 3));
  const serveStatic = createStaticHandler(dir);
  let server: Server;
  let port: number;

  beforeAll(async () => {
    ({ server, port } = await listen((req, res) => {
      if (!serveStatic(req, res)) res.writeHead(404).end();
    }));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves gzip at once and Brotli once it is ready, each with a correct Content-Length', async () => {
    const first = await get(port, '/bundle.js', { 'accept-encoding': 'gzip, br' });
    expect(['gzip', 'br']).toContain(first.headers['content-encoding']);
    expect(Number(first.headers['content-length'])).toBe(first.raw.length);
    expect(decode(first)).toBe(script);
    await serveStatic.warm();
    const second = await get(port, '/bundle.js', { 'accept-encoding': 'gzip, br' });
    expect(second.headers['content-encoding']).toBe('br');
    expect(Number(second.headers['content-length'])).toBe(second.raw.length);
    expect(decode(second)).toBe(script);
    expect(second.headers.vary).toBe('Accept-Encoding');
  });

  it('serves what the client accepts: gzip only, or nothing', async () => {
    await serveStatic.warm();
    const gzip = await get(port, '/bundle.js', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decode(gzip)).toBe(script);
    const plain = await get(port, '/bundle.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.raw.toString()).toBe(script);
  });

  it('does not compress tiny files or binary formats', async () => {
    await serveStatic.warm();
    for (const path of ['/tiny.css', '/font.woff2']) {
      const reply = await get(port, path, { 'accept-encoding': 'br, gzip' });
      expect(reply.headers['content-encoding'], path).toBeUndefined();
      expect(reply.headers.vary, path).toBeUndefined();
    }
  });

  it('answers HEAD with the headers of the chosen encoding and no body', async () => {
    await serveStatic.warm();
    const head = await get(port, '/bundle.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('br');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.raw.length).toBe(0);
  });
});
