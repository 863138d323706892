// Per-page terminal tokens: the server signs one into every page it renders, and the terminal
// WebSocket (and state-changing API calls) must present it. A page on another site cannot read
// our pages, so it cannot get a token — together with the Origin check this stops cross-site
// WebSocket hijacking. Signed (HMAC) rather than stored, so issuing one per render costs no memory.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type PageTokens = {
  issue(now?: number): string;
  verify(token: string | null | undefined, now?: number): boolean;
};

export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

export function createPageTokens(options: { secret?: Uint8Array; lifetimeMs?: number } = {}): PageTokens {
  const secret = options.secret ?? randomBytes(32);
  const lifetime = options.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  const sign = (payload: string): string => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    issue(now = Date.now()) {
      const payload = `${(now + lifetime).toString(36)}.${randomBytes(9).toString('base64url')}`;
      return `${payload}.${sign(payload)}`;
    },
    verify(token, now = Date.now()) {
      if (typeof token !== 'string' || token.length > 200) return false;
      const cut = token.lastIndexOf('.');
      if (cut <= 0) return false;
      const payload = token.slice(0, cut);
      const given = Buffer.from(token.slice(cut + 1));
      const expected = Buffer.from(sign(payload));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      const expires = parseInt(payload.split('.')[0] ?? '', 36);
      return Number.isFinite(expires) && expires > now;
    },
  };
}
