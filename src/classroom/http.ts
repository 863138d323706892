// Small HTTP pieces the classroom routes share: cookies, JSON bodies with a size limit, answers.
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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export class BodyError extends Error {}

/** A JSON object body of at most `limit` bytes. */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new BodyError('send JSON (Content-Type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyError(`body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError('body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BodyError('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The client's address for rate limits (the socket's: X-Forwarded-For is not trusted). */
export const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';
