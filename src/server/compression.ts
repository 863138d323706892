// Content-Encoding for what the server sends: Accept-Encoding negotiation (RFC 9110 §12.5.3),
// and on-the-fly Brotli/gzip of Astro's rendered pages (static assets are compressed once, in
// static-files.ts). Pages are small and rendered per request, so Brotli runs at a fast quality.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from 'node:zlib';

export type ContentEncoding = 'br' | 'gzip' | 'identity';

/** Preferred first when the client weighs several equally. */
const PREFERENCE: readonly ContentEncoding[] = ['br', 'gzip', 'identity'];

/**
 * The best encoding among `available` (identity is always available) for an Accept-Encoding
 * header: highest q wins, ties go br > gzip > identity; `*` covers the codings not named;
 * q=0 refuses. Without the header we send identity: RFC 9110 would allow any coding, but a
 * client that does not ask (curl, scripts) rarely decodes.
 */
export function negotiateEncoding(header: string | string[] | undefined, available: readonly ContentEncoding[] = ['br', 'gzip']): ContentEncoding {
  const offered = PREFERENCE.filter((coding) => coding === 'identity' || available.includes(coding));
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined) return 'identity';
  const weights = new Map<string, number>();
  for (const part of value.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(param);
      if (match) q = Math.min(1, Math.max(0, Number(match[1]) || 0));
    }
    weights.set(name === 'x-gzip' ? 'gzip' : name, q);
  }
  const weight = (coding: ContentEncoding): number => {
    const named = weights.get(coding);
    if (named !== undefined) return named;
    const star = weights.get('*');
    if (star !== undefined) return star;
    return coding === 'identity' ? 1 : 0; // identity is acceptable unless refused
  };
  let best: ContentEncoding = 'identity';
  let bestWeight = -1;
  for (const coding of offered) {
    const q = weight(coding);
    if (q > 0 && q > bestWeight) {
      best = coding;
      bestWeight = q;
    }
  }
  return best; // nothing acceptable: identity anyway (a 406 helps nobody)
}

const COMPRESSIBLE_TYPE = /^(?:text\/|application\/(?:json|javascript|xml|manifest\+json)|image\/svg\+xml)/i;

export const isCompressibleType = (contentType: unknown): boolean => typeof contentType === 'string' && COMPRESSIBLE_TYPE.test(contentType);

/** Below this many bytes (when the length is known) compression costs more than it saves. */
export const MIN_COMPRESS_BYTES = 1024;

/** Adds Accept-Encoding to a response's Vary header without repeating it. */
export function varyOnAcceptEncoding(res: ServerResponse): void {
  const current = res.getHeader('vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (list.includes('*') || list.some((item) => item.toLowerCase() === 'accept-encoding')) return;
  res.setHeader('Vary', [...list, 'Accept-Encoding'].join(', '));
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Makes `res` compress its body when it turns out to be compressible text: the decision waits
 * for the status and headers (writeHead or the first write), as the renderer sets them. A
 * response that already has a Content-Encoding, has no body, is small, or asks for
 * no-transform passes through untouched. Chunks written in one burst are compressed together
 * and flushed when the burst ends, so a streamed page still arrives progressively.
 */
export function compressResponse(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'HEAD') return;
  const writeHeadRaw = res.writeHead.bind(res) as (status: number, message?: string) => ServerResponse;
  const writeRaw = res.write.bind(res) as (...args: unknown[]) => boolean;
  const endRaw = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let decided = false;
  let stream: BrotliCompress | Gzip | undefined;

  const decide = (): void => {
    if (decided) return;
    decided = true;
    const status = res.statusCode;
    if (status < 200 || status === 204 || status === 304 || !isCompressibleType(res.getHeader('content-type'))) return;
    varyOnAcceptEncoding(res);
    if (res.getHeader('content-encoding') || /\bno-transform\b/i.test(String(res.getHeader('cache-control') ?? ''))) return;
    const length = Number(res.getHeader('content-length'));
    if (Number.isFinite(length) && length < MIN_COMPRESS_BYTES) return;
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    if (encoding === 'identity') return;
    const sizeHint = Number.isFinite(length) ? { [constants.BROTLI_PARAM_SIZE_HINT]: length } : {};
    stream =
      encoding === 'br'
        ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, ...sizeHint } })
        : createGzip({ level: 6 });
    res.removeHeader('content-length');
    res.setHeader('Content-Encoding', encoding);
    const compressed = stream;
    compressed.on('data', (chunk: Buffer) => writeRaw(chunk));
    compressed.on('end', () => endRaw());
    compressed.on('drain', () => res.emit('drain'));
    compressed.on('error', (error) => res.destroy(error));
    res.once('close', () => compressed.destroy());
  };

  let flushScheduled = false;
  const flushSoon = (): void => {
    if (flushScheduled || !stream) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      if (stream && !stream.writableEnded && !stream.destroyed) stream.flush();
    });
  };

  res.writeHead = function writeHead(statusCode: number, ...rest: unknown[]) {
    // writeHead(status, [message], [headers]): fold the headers in so the decision can see them.
    const message = typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    const headers = rest[0] as OutgoingHttpHeaders | readonly unknown[] | undefined;
    if (Array.isArray(headers)) {
      const pairs = Array.isArray(headers[0]) ? (headers as [string, string][]) : Array.from({ length: headers.length / 2 }, (_, i) => [headers[2 * i], headers[2 * i + 1]] as [string, string]);
      for (const [name, value] of pairs) res.appendHeader(name, value);
    } else if (headers) {
      for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) res.setHeader(name, value as string | number | string[]);
    }
    res.statusCode = statusCode;
    if (message !== undefined) res.statusMessage = message;
    decide();
    return writeHeadRaw(statusCode, message);
  } as ServerResponse['writeHead'];

  res.write = function write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    decide();
    if (!stream) return writeRaw(chunk, encodingOrCallback, callback);
    flushSoon();
    return (stream.write as (...args: unknown[]) => boolean).call(stream, chunk, encodingOrCallback, callback);
  } as ServerResponse['write'];

  res.end = function end(...args: unknown[]) {
    decide();
    if (!stream) return endRaw(...args);
    const callback = typeof args.at(-1) === 'function' ? (args.pop() as WriteCallback) : undefined;
    if (callback) res.once('finish', callback);
    const [chunk, encoding] = args as [unknown, BufferEncoding | undefined];
    if (chunk !== undefined && chunk !== null) stream.end(chunk as Buffer, encoding as BufferEncoding);
    else stream.end();
    return res;
  } as ServerResponse['end'];
}
