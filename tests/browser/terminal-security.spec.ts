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

const wsUrl = (token?: string) => `ws://127.0.0.1:${server.port}/ws/terminal${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

describe('terminal WebSocket admission', () => {
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

  it('sends token-bearing pages uncached, in UTF-8, under a CSP limited to this origin and its WebSocket', async () => {
    const response = await fetch(new URL(lessonPath, server.url));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'self'", "script-src 'self'", `connect-src 'self' ws://localhost:${server.port}`, "object-src 'none'", "base-uri 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    // No inline script the policy would block (the theme bootstrap is a file).
    expect(await response.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
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

/** Sends raw bytes and returns the status line (for request lines no HTTP client would send). */
function rawStatus(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('end', () => resolve(answer.split('\r\n')[0]!));
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(bytes)}`)));
    }, reject);
  });
}

describe('hostile Host names and request lines (issue #10)', () => {
  const get = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      import('node:http').then(({ get: httpGet }) => httpGet({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject), reject);
    });

  it('refuses names that merely resolve to loopback, for the page and its WebSocket (the reported attack)', async () => {
    const evil = `127.evil.example:${server.port}`;
    const page = await get(lessonPath, { Host: evil });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain('data-token');
    expect(await tryOpen(wsUrl(await pageToken()), { Host: evil, Origin: `http://${evil}` })).toEqual({ opened: false, status: 403 });
  });

  it.each([
    'localhost.evil.example', '127.0.0.1.nip.io', '0x7f.1', '2130706433', '127.1', 'localhost.', '127.0.0.1.', 'labs.localhost',
  ])('refuses Host %s with 403', async (name) => {
    expect((await get('/en/', { Host: `${name}:${server.port}` })).status).toBe(403);
    expect(await tryOpen(wsUrl(await pageToken()), { Host: `${name}:${server.port}`, Origin: `http://${name}:${server.port}` })).toEqual({ opened: false, status: 403 });
  });

  it.each(['LOCALHOST', 'LocalHost', '127.0.0.2', '[::1]'])('still answers the literal loopback spelling %s', async (name) => {
    expect((await get('/en/', { Host: `${name}:${server.port}` })).status).toBe(200);
  });

  it.each([
    ['TRACE / HTTP/1.1', '405'],
    ['GET //[ HTTP/1.1', '400'],
    ['GET http://[ HTTP/1.1', '400'],
    ['GET //a:99999/ HTTP/1.1', '400'],
    ['GET //@/ HTTP/1.1', '400'],
  ])('answers %j with %s and one log line, no stack trace', async (line, status) => {
    const status_ = await rawStatus(`${line}\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
    expect(status_).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
  });

  it('answers a Host with userinfo or a bad port with 400', async () => {
    expect(await rawStatus(`GET /en/ HTTP/1.1\r\nHost: 127.0.0.1:80@evil\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1.1 400 /);
    expect(await rawStatus(`GET /en/ HTTP/1.1\r\nHost: localhost:99999\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1.1 400 /);
    expect(server.output()).not.toMatch(/Internal Server Error|\n\s+at /);
  });

  it('applies the terminal\'s Origin rule to the /argocd/ proxy, HTTP and WebSocket', async () => {
    const post = await fetch(new URL('/argocd/api/v1/session', server.url), { method: 'POST', headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(403);
    expect(await tryOpen(`ws://127.0.0.1:${server.port}/argocd/terminal`, { Origin: 'http://evil.example' })).toEqual({ opened: false, status: 403 });
    expect(await tryOpen(`ws://127.0.0.1:${server.port}/argocd/terminal`, {})).toEqual({ opened: false, status: 403 });
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

describe('DNS rebinding from a real browser (issue #10, item 1)', () => {
  it('a name resolved to 127.0.0.1 gets no page, no token and no shell', async () => {
    // Chromium resolves the attacker's name to this machine, as a rebinding DNS server would.
    const rebound = await launchBrowser(['--host-resolver-rules=MAP 127.evil.example 127.0.0.1']);
    try {
      const page = await rebound.context.newPage();
      const response = await page.goto(`http://127.evil.example:${server.port}${lessonPath}`);
      expect(response?.status()).toBe(403);
      expect(await page.locator('[data-terminal]').count()).toBe(0);
      const socket = await page.evaluate(async (port) => new Promise<string>((resolve) => {
        const ws = new (window as unknown as { WebSocket: typeof globalThis.WebSocket }).WebSocket(`ws://127.evil.example:${port}/ws/terminal?token=x`);
        ws.onopen = () => resolve('opened');
        ws.onerror = () => resolve('refused');
      }), server.port);
      expect(socket).toBe('refused');
    } finally {
      await rebound.close();
    }
  });
});
