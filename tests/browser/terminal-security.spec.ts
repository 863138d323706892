// A shell is a key to the machine: only our own pages, holding a token the server signed into
// them, may open one. Checked with raw WebSocket clients and with a real page on another origin.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, startServer, type RunningServer } from './harness.ts';

let server: RunningServer;
let lessonPath: string;

async function pageToken(): Promise<string> {
  const html = await (await fetch(new URL(lessonPath, server.url))).text();
  const token = /data-terminal[^>]*data-token="([^"]+)"/.exec(html)?.[1] ?? /data-token="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('lesson page carries no terminal token');
  return token;
}

/** Opens a socket; resolves with how it ended: opened, or refused with an HTTP status. */
function tryOpen(url: string, headers: Record<string, string>): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode });
      res.resume();
    });
    ws.on('error', () => resolve({ opened: false }));
  });
}

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  const index = await (await fetch(new URL('/en/', server.url))).text();
  lessonPath = /href="(\/en\/lessons\/[^"]+)"/.exec(index)![1]!;
});
afterAll(async () => {
  await server?.stop();
});

describe('terminal WebSocket admission', () => {
  const wsUrl = (token?: string) => `ws://127.0.0.1:${server.port}/ws/terminal${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

  it('opens for our own origin with a page token', async () => {
    expect(await tryOpen(wsUrl(await pageToken()), { Origin: `http://127.0.0.1:${server.port}` })).toEqual({ opened: true });
  });

  it('refuses another origin even with a valid token', async () => {
    expect(await tryOpen(wsUrl(await pageToken()), { Origin: 'http://evil.example' })).toEqual({ opened: false, status: 403 });
  });

  it('refuses a missing Origin', async () => {
    expect(await tryOpen(wsUrl(await pageToken()), {})).toEqual({ opened: false, status: 403 });
  });

  it('refuses our origin without a token, or with a forged one', async () => {
    const origin = { Origin: `http://127.0.0.1:${server.port}` };
    expect(await tryOpen(wsUrl(), origin)).toEqual({ opened: false, status: 401 });
    const forged = (await pageToken()).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await tryOpen(wsUrl(forged), origin)).toEqual({ opened: false, status: 401 });
  });

  it('refuses a rebound Host name (DNS rebinding) for pages and sockets', async () => {
    const token = await pageToken();
    expect(await tryOpen(wsUrl(token), { Host: 'evil.example', Origin: 'http://evil.example' })).toEqual({ opened: false, status: 403 });
    const page = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ get }) => get({ host: '127.0.0.1', port: server.port, path: lessonPath, headers: { Host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject));
    });
    expect(page).toBe(403);
  });

  it('forbids framing of its pages', async () => {
    const response = await fetch(new URL(lessonPath, server.url));
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('refuses a verify call that does not come from our page', async () => {
    const response = await fetch(new URL('/api/labs/1/verify', server.url), { method: 'POST', headers: { Origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
    const noToken = await fetch(new URL('/api/labs/1/verify', server.url), { method: 'POST', headers: { Origin: server.origin } });
    expect(noToken.status).toBe(403);
  });

  it('listens on loopback only in solo mode', () => {
    expect(server.url).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(server.output()).not.toContain('WARNING');
  });
});

describe('cross-site WebSocket hijacking from a real browser', () => {
  let evil: Server;
  let evilOrigin: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    // Another site (another origin: a different port) that tries to open the terminal.
    evil = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end('<!doctype html><title>evil</title><p>totally harmless page</p>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => evil?.close(resolve));
  });

  it('a page on another site cannot open a shell, even holding a stolen token', async () => {
    const page = await browser.context.newPage();
    await page.goto(evilOrigin);
    const token = await pageToken();
    const outcome = await page.evaluate(
      async ({ port, token }) => {
        const attempt = (url: string) =>
          new Promise<string>((resolve) => {
            // window.WebSocket: the browser's own (this file also imports the ws package).
            const ws = new (window as unknown as { WebSocket: typeof globalThis.WebSocket }).WebSocket(url);
            ws.onopen = () => resolve('opened');
            ws.onerror = () => resolve('refused');
            setTimeout(() => resolve('timeout'), 5000);
          });
        return {
          withoutToken: await attempt(`ws://localhost:${port}/ws/terminal`),
          withToken: await attempt(`ws://localhost:${port}/ws/terminal?token=${encodeURIComponent(token)}`),
        };
      },
      { port: server.port, token },
    );
    expect(outcome).toEqual({ withoutToken: 'refused', withToken: 'refused' });
    expect(server.output()).toContain('refused cross-origin upgrade');
    await page.close();
  });
});
