// Pieces of the server's defences that do not need a running server: page tokens, the Host
// allowlist (DNS rebinding) and the same-origin check (cross-site WebSocket hijacking).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPageTokens } from '../../src/server/page-token.ts';
import { hostAllowed, isLoopbackAddress, sameOrigin } from '../../src/server/request-guard.ts';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('page tokens', () => {
  it('verifies tokens it issued, until they expire', () => {
    const tokens = createPageTokens({ lifetimeMs: 1000 });
    const token = tokens.issue(10_000);
    expect(tokens.verify(token, 10_500)).toBe(true);
    expect(tokens.verify(token, 11_001)).toBe(false);
  });

  it('issues a different token for every page', () => {
    const tokens = createPageTokens();
    expect(tokens.issue()).not.toBe(tokens.issue());
  });

  it('rejects forged, tampered, foreign and malformed tokens', () => {
    const tokens = createPageTokens();
    const other = createPageTokens();
    const token = tokens.issue();
    const [expiry, nonce, signature] = token.split('.');
    expect(tokens.verify(other.issue())).toBe(false);
    expect(tokens.verify(`${(parseInt(expiry!, 36) + 1e9).toString(36)}.${nonce}.${signature}`)).toBe(false);
    expect(tokens.verify(`${expiry}.${nonce}.${signature!.slice(0, -2)}AA`)).toBe(false);
    for (const bad of ['', '.', 'a.b', 'x'.repeat(500), null, undefined]) expect(tokens.verify(bad)).toBe(false);
  });
});

describe('Host allowlist in solo mode', () => {
  const solo = { loopbackOnly: true };
  it.each(['localhost:4321', '127.0.0.1:4321', '[::1]:4321', 'localhost', '127.0.0.2:80', 'labs.localhost:4321'])('accepts %s', (host) => {
    expect(hostAllowed(request({ host }), solo)).toBe(true);
  });
  it.each(['evil.example:4321', 'evil.example', '192.168.1.10:4321', 'localhost.evil.example:4321', ''])('refuses %s', (host) => {
    expect(hostAllowed(request({ host }), solo)).toBe(false);
  });
  it('accepts configured extra names, and anything when listening wider', () => {
    expect(hostAllowed(request({ host: 'classroom.lan:4321' }), { loopbackOnly: true, extraHosts: ['classroom.lan'] })).toBe(true);
    expect(hostAllowed(request({ host: '10.0.0.5:4321' }), { loopbackOnly: false })).toBe(true);
  });
  it('knows loopback addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
  });
});

describe('same-origin check', () => {
  it('accepts the page’s own origin only', () => {
    expect(sameOrigin(request({ host: 'localhost:4321', origin: 'http://localhost:4321' }))).toBe(true);
    expect(sameOrigin(request({ host: 'localhost:4321', origin: 'http://evil.example' }))).toBe(false);
    expect(sameOrigin(request({ host: 'localhost:4321', origin: 'http://localhost:4322' }))).toBe(false);
    expect(sameOrigin(request({ host: 'localhost:4321', origin: 'null' }))).toBe(false);
    expect(sameOrigin(request({ host: 'localhost:4321', origin: 'file://localhost:4321' }))).toBe(false);
    expect(sameOrigin(request({ host: 'localhost:4321' }))).toBe(false);
  });
});
