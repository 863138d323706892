// Who may talk to this server. In solo mode it listens on loopback, and also refuses requests
// whose Host is not a loopback name (DNS rebinding), and WebSockets/POSTs whose Origin is not
// this server's own page.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackAddress(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.') || host.endsWith('.localhost');
}

function hostname(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 ? hostHeader.slice(0, colon) : hostHeader;
}

export type GuardOptions = {
  /** True when the server listens on loopback only (solo mode). */
  loopbackOnly: boolean;
  /** Extra Host names accepted in loopback mode (LABS_ALLOWED_HOSTS). */
  extraHosts?: string[];
};

/** The Host header names this server (not an attacker's domain rebound to 127.0.0.1). */
export function hostAllowed(req: IncomingMessage, options: GuardOptions): boolean {
  const header = req.headers.host;
  if (!header || header.length > 255) return false;
  if (!options.loopbackOnly) return true;
  const name = hostname(header).toLowerCase();
  if (isLoopbackAddress(name)) return true;
  if (isIP(name) === 4 && name.startsWith('127.')) return true;
  return options.extraHosts?.includes(name) ?? false;
}

/** The request was made by a page served from this very origin. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false;
  }
}
