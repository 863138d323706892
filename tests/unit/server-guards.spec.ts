// Pieces of the server's defences that do not need a running server: page tokens, the Host
// allowlist (DNS rebinding) and the same-origin check (cross-site WebSocket hijacking).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPageTokens } from '../../src/server/page-token.ts';
import { checkHost, checkRequestLine, hostAllowed, isLoopbackName, noForeignOrigin, sameOrigin } from '../../src/server/request-guard.ts';

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
  it.each(['localhost:4321', '127.0.0.1:4321', '[::1]:4321', 'localhost', '127.0.0.2:80', '127.255.255.254:1', 'LOCALHOST:4321', 'LocalHost'])('accepts %s', (host) => {
    expect(checkHost(request({ host }), solo)).toEqual({ ok: true });
  });
  // Names an attacker can point at 127.0.0.1 (DNS rebinding), and spellings of loopback that
  // some resolvers accept but that are not the literal forms.
  it.each([
    '127.evil.example:4321', '127.evil.example', 'localhost.evil.example:4321', '127.0.0.1.nip.io:4321',
    '0x7f.1:4321', '0x7f000001', '2130706433:4321', '127.1:4321', '0177.0.0.1', '127.000.000.001', '127.0.0.01',
    'localhost.:4321', '127.0.0.1.:4321', 'labs.localhost:4321', 'evil.example:4321', 'evil.example',
    '192.168.1.10:4321', '[0:0:0:0:0:0:0:1]:4321', '[::ffff:127.0.0.1]:4321',
  ])('refuses %s with 403', (host) => {
    expect(checkHost(request({ host }), solo)).toMatchObject({ ok: false, status: 403 });
  });
  it.each(['', '[::1].', '127.0.0.1:80@evil', 'localhost:99999', 'localhost:0', 'local host', 'localhost/x', 'localhost:4321:1', 'x'.repeat(300)])('refuses malformed %j with 400', (host) => {
    expect(checkHost(request({ host }), solo)).toMatchObject({ ok: false, status: 400 });
  });
  it('accepts configured names, exactly', () => {
    const options = { loopbackOnly: true, extraHosts: ['classroom.lan'] };
    expect(hostAllowed(request({ host: 'classroom.lan:4321' }), options)).toBe(true);
    expect(hostAllowed(request({ host: 'CLASSROOM.LAN:4321' }), options)).toBe(true);
    expect(hostAllowed(request({ host: 'classroom.lan.evil.example:4321' }), options)).toBe(false);
    expect(hostAllowed(request({ host: 'classroom.lan.:4321' }), options)).toBe(false);
  });
  it('listening wider: IP literals (never a rebound name) and configured names, nothing else', () => {
    const wide = { loopbackOnly: false, extraHosts: ['labs-box'] };
    for (const host of ['10.0.0.5:4321', '192.168.1.10', '[fd00::5]:4321', 'labs-box:4321', 'localhost:4321']) expect(hostAllowed(request({ host }), wide)).toBe(true);
    for (const host of ['evil.example:4321', '127.evil.example:4321', '10.0.0.5.nip.io:4321', '10.1:4321', '167772165:4321']) expect(hostAllowed(request({ host }), wide)).toBe(false);
  });
  it('knows the loopback spellings', () => {
    expect(isLoopbackName('127.0.0.1')).toBe(true);
    expect(isLoopbackName('::1')).toBe(true);
    expect(isLoopbackName('0.0.0.0')).toBe(false);
    expect(isLoopbackName('127.evil.example')).toBe(false);
  });
});

describe('request line', () => {
  const line = (method: string, url: string) => checkRequestLine({ method, url, headers: {} } as unknown as IncomingMessage);
  it.each(['//[', 'http://[', '//a:99999/', '//@/', 'http://evil.example/', '*', 'en/', ''])('refuses target %j with 400', (url) => {
    expect(line('GET', url)).toMatchObject({ ok: false, status: 400 });
  });
  it('refuses TRACE and unknown methods with 405 and says what is allowed', () => {
    expect(line('TRACE', '/')).toMatchObject({ ok: false, status: 405, allow: expect.stringContaining('GET') });
    expect(line('PROPFIND', '/')).toMatchObject({ ok: false, status: 405 });
  });
  it('accepts ordinary targets', () => {
    for (const url of ['/', '/en/lessons/02-probes/?x=1#y', '/api/labs/1/verify']) expect(line('GET', url)).toEqual({ ok: true });
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
    expect(sameOrigin(request({ host: 'LOCALHOST:4321', origin: 'http://localhost:4321' }))).toBe(true);
    expect(sameOrigin(request({ host: 'localhost', origin: 'http://localhost:80' }))).toBe(true);
    expect(sameOrigin(request({ host: '127.evil.example:4321', origin: 'http://127.evil.example:4321' }))).toBe(true); // Host is checked first
  });
  it('for /argocd/: a request without Origin (the argocd CLI) passes, a foreign one does not', () => {
    expect(noForeignOrigin(request({ host: 'localhost:4321' }))).toBe(true);
    expect(noForeignOrigin(request({ host: 'localhost:4321', origin: 'http://localhost:4321' }))).toBe(true);
    expect(noForeignOrigin(request({ host: 'localhost:4321', origin: 'http://evil.example' }))).toBe(false);
    expect(noForeignOrigin(request({ host: 'localhost:4321', 'sec-fetch-site': 'cross-site' }))).toBe(false);
  });
});
