// The Argo CD reverse proxy against a local HTTPS server with a self-signed certificate (as
// argocd-server has): prefix stripping, bodies both ways, headers, and a clear 502 when down.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgocdProxy, escapeHtml, unavailablePage } from './argocd-proxy.ts';

describe('createArgocdProxy', () => {
  let upstream: HttpsServer;
  let front: Server;
  let frontUrl: string;
  let upstreamPort: number;

  beforeAll(async () => {
    // A self-signed pair made once for this test only (argocd-server's own certificate is self-signed too).
    const fixture = join(import.meta.dirname, 'testdata', 'test-only-selfsigned');
    upstream = createHttpsServer({ key: readFileSync(`${fixture}.key`), cert: readFileSync(`${fixture}.crt`) }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('X-Upstream', 'argocd');
        res.end(JSON.stringify({ method: req.method, path: req.url, body, prefix: req.headers['x-forwarded-prefix'], cookie: req.headers.cookie }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as AddressInfo).port;
    const proxy = createArgocdProxy({
      mountPath: '/argocd/',
      upstream: async () => ({ host: '127.0.0.1', port: upstreamPort }),
    });
    front = createHttpServer((req, res) => {
      if (req.url?.startsWith(proxy.mountPath)) return proxy.handle(req, res);
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => front?.close(r));
    await new Promise((r) => upstream?.close(r));
  });

  it('forwards below the mount path, without it, to a self-signed upstream', async () => {
    const res = await fetch(`${frontUrl}/argocd/api/v1/session`, {
      method: 'POST',
      body: '{"username":"admin"}',
      headers: { cookie: 'argocd.token=abc' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('argocd');
    expect(await res.json()).toEqual({ method: 'POST', path: '/api/v1/session', body: '{"username":"admin"}', prefix: '/argocd', cookie: 'argocd.token=abc' });
  });

  it('maps the bare mount path to the root', async () => {
    const res = await fetch(`${frontUrl}/argocd`);
    expect(((await res.json()) as { path: string }).path).toBe('/');
  });

  it('answers 502 with the cause and the command that fixes it: no cluster, or no Argo CD in it', async () => {
    // The cluster lookup fails with what kubectl says: an internal path, and text that is not HTML.
    const failing = createArgocdProxy({ upstream: async () => { throw new Error('reading node address: stat /home/learner/.local/share/labs/kubeconfig <b>'); } });
    const refused = createArgocdProxy({ mountPath: '/refused', upstream: async () => ({ host: '127.0.0.1', port: 1 }) });
    const server = createHttpServer((req, res) => (req.url?.startsWith('/refused') ? refused : failing).handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    try {
      const res = await fetch(`${base}/argocd/`, { headers: html });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await res.text();
      expect(page).toMatch(/^<!doctype html>/);
      expect(page).toContain('<h1>Your cluster is not running</h1>');
      expect(page).toContain('<code>labs cluster create</code>');
      expect(page, 'no internal path or raw error').not.toMatch(/\/home|kubeconfig|<b>|reading node/);

      const res2 = await fetch(`${base}/refused/`, { headers: { ...html, 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' } });
      expect(res2.status).toBe(502);
      const korean = await res2.text();
      expect(korean).toContain('<html lang="ko">');
      expect(korean).toContain('<h1>클러스터에 Argo CD가 설치되어 있지 않습니다</h1>');
      expect(korean).toContain('<code>labs addon argocd</code>');
      expect(korean).toContain('ECONNREFUSED');
      expect(korean).not.toContain('127.0.0.1');

      // API clients (argocd CLI, fetch) get the same words as one line of text.
      const res3 = await fetch(`${base}/refused/api/version`);
      expect(res3.status).toBe(502);
      expect(res3.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res3.text()).toMatch(/^Argo CD is not installed on your cluster\..*labs addon argocd.*\(ECONNREFUSED\)\n$/s);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('escapes everything it puts in the page', () => {
    const { html } = unavailablePage('no-argocd', 'en', '<script>');
    expect(html).not.toContain('<script>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
