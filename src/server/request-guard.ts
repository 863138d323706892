// Who may talk to this server. Every request's Host must name this server the way a person
// typed it (never an attacker's domain rebound to our address: DNS rebinding), and WebSockets
// and state-changing requests must come from a page of this very origin.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';

/** 0–255 without leading zeros: the only IPv4 spelling accepted (no 0x7f.1, 2130706433, 127.1, 010). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const LOOPBACK_QUAD = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
/** A Host header: a DNS-style name or a literal, an optional port; nothing else (no userinfo, paths, spaces). */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/;

/** localhost, 127.0.0.0/8 as a dotted quad, or ::1 — exactly these spellings (lower case). */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || LOOPBACK_QUAD.test(name) || name === '[::1]' || name === '::1';
}

/** A literal IP address in canonical form (a Host that is an IP cannot be a rebound name). */
function isIpLiteral(name: string): boolean {
  if (name.startsWith('[')) return name.endsWith(']') && isIP(name.slice(1, -1)) === 6;
  return DOTTED_QUAD.test(name);
}

export type GuardOptions = {
  /** True when the server listens on loopback only (solo mode). */
  loopbackOnly: boolean;
  /** Host names the user configured (--host <name>, LABS_ALLOWED_HOSTS), lower case. */
  extraHosts?: string[];
};

/** Whether a request may go on; if not, the status and the one line to answer with. */
export type Verdict = { ok: true } | { ok: false; status: number; reason: string; allow?: string };

/** The Host header's name (lower case) and port, or undefined when it is not a plain host[:port]. */
export function parseHostHeader(header: string | undefined): { name: string; port?: number } | undefined {
  if (!header || header.length > 255) return undefined;
  const match = HOST_HEADER.exec(header.toLowerCase());
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { name: match[1]!, port };
}

/**
 * Loopback literals always; names the user configured; in wider (classroom) mode also any
 * literal IP address. Every other name is refused, whatever it resolves to.
 */
export function checkHost(req: IncomingMessage, options: GuardOptions): Verdict {
  const host = parseHostHeader(req.headers.host);
  if (!host) return { ok: false, status: 400, reason: 'Bad Request: malformed Host header' };
  const { name } = host;
  if (isLoopbackName(name) || options.extraHosts?.includes(name)) return { ok: true };
  if (!options.loopbackOnly && isIpLiteral(name)) return { ok: true };
  return { ok: false, status: 403, reason: `Forbidden: this server does not answer to "${name}" (add it with LABS_ALLOWED_HOSTS)` };
}

export function hostAllowed(req: IncomingMessage, options: GuardOptions): boolean {
  return checkHost(req, options).ok;
}

/** The request was made by a page served from this very origin (Origin's host equals Host). */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = parseHostHeader(req.headers.host);
  if (!origin || !host) return false;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const defaultPort = url.protocol === 'https:' ? 443 : 80;
    return url.hostname === host.name && Number(url.port || defaultPort) === (host.port ?? defaultPort);
  } catch {
    return false;
  }
}

/**
 * For endpoints non-browser clients also use (the argocd CLI through /argocd/): a browser's
 * request must come from our own page; a request without Origin is not a browser's cross-site one.
 */
export function noForeignOrigin(req: IncomingMessage): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  return req.headers.origin === undefined || sameOrigin(req);
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The request line is one this server serves: a known method and an origin-form target
 * ("/path?query", parsable, not "//…"). Anything else is the client's mistake (400/405), never
 * an exception deeper in (which would answer 500 with a stack trace in the log).
 */
export function checkRequestLine(req: IncomingMessage): Verdict {
  if (!METHODS.has(req.method ?? '')) return { ok: false, status: 405, reason: 'Method Not Allowed', allow: [...METHODS].join(', ') };
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//') || target.length > 8192) return { ok: false, status: 400, reason: 'Bad Request: malformed request target' };
  try {
    new URL(target, 'http://localhost');
  } catch {
    return { ok: false, status: 400, reason: 'Bad Request: malformed request target' };
  }
  return { ok: true };
}

/** The largest body this server reads: its APIs take small JSON objects, its pages none. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * A body of at most `limit` bytes with its length declared up front, refused before a byte of it
 * is read (413; 411 without a length). The HTTP parser then stops at the declared length, so
 * no route (nor Node draining a body nobody read) ever reads more.
 */
export function checkBodySize(req: IncomingMessage, limit = MAX_BODY_BYTES): Verdict {
  if (req.headers['transfer-encoding'] !== undefined) return { ok: false, status: 411, reason: 'Length Required: send a Content-Length (bodies here are small JSON)' };
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > limit) return { ok: false, status: 413, reason: `Payload Too Large: at most ${limit} bytes` };
  return { ok: true };
}

/** Answers a WebSocket upgrade with a plain HTTP refusal and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const phrase = reason.split(':')[0];
  socket.end(`HTTP/1.1 ${status} ${phrase}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}
