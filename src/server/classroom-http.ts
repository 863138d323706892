// Small HTTP pieces the classroom's routes share: cookies, JSON bodies with a size limit, answers.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SESSION_COOKIE = 'labs_session';

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** HttpOnly, SameSite=Strict, Path=/; Secure when served over TLS. `maxAge` 0 deletes it. */
export function setSessionCookie(res: ServerResponse, token: string, secure: boolean, maxAgeSeconds: number): void {
  res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`);
}

/**
 * Content-Disposition for a download (RFC 6266): `filename*` (RFC 5987, UTF-8), which every
 * current browser prefers, keeps a Korean class name as the file's name; `filename` is an ASCII
 * stand-in for clients without it (`fallback` when the name is not ASCII to begin with).
 */
export function attachment(fileName: string, fallback: string): string {
  // Characters no file system takes, and spaces, become "-" (a class name is at most 80 characters).
  const name = fileName.normalize('NFC').replace(/[\u0000-\u001f\u007f/\\:*?"<>|\s]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+/, '') || fallback;
  const ascii = /^[\x20-\x7e]*$/.test(fileName) ? fileName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+/, '') || fallback : fallback;
  // RFC 5987's attr-char: letters, digits and !#$&+-.^_`|~; everything else as %XX of its UTF-8 bytes.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export class BodyError extends Error {
  /** 400: not a JSON object; 413: too large. */
  readonly status: 400 | 413;

  constructor(message: string, status: 400 | 413 = 400) {
    super(message);
    this.status = status;
  }
}

/**
 * A JSON object body of at most `limit` bytes. A larger one is refused without reading it (a
 * declared length) or as soon as it grows past the limit: the rest is never read, and the
 * answer closes the connection (see sendBodyError).
 */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new BodyError('send JSON (Content-Type: application/json)');
  const tooLarge = () => new BodyError(`body larger than ${limit} bytes`, 413);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError('body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BodyError('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A body refused: after a 413 the connection closes, so Node does not read the rest of it. */
export function sendBodyError(res: ServerResponse, error: BodyError): void {
  if (error.status === 413) res.setHeader('Connection', 'close');
  sendJson(res, error.status, { error: error.message });
}

/** The client's address for rate limits (the socket's: X-Forwarded-For is not trusted). */
export const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** A connection from this machine itself (127.0.0.0/8, ::1, or either as IPv4-mapped IPv6). */
export const isLoopbackAddress = (address: string): boolean => /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1';
