// A reverse proxy the platform's web server mounts (e.g. at /argocd/) so the learner's browser
// reaches their cluster's argocd-server without a port mapping: requests go to the argocd-server
// NodePort on the kind node's address (on this host's kind bridge), with the mount path removed.
// argocd-server's certificate is its own self-signed one, made in the learner's cluster, so it
// is not verified; the browser only ever talks to the platform.
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { argocdNodePort, nodeAddress, type ArgocdTarget } from './argocd.ts';

export type ArgocdProxy = {
  /** Handles a request whose path starts with the mount path; answers 502 (a page saying why and what to do) when Argo CD is down. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** For the server's 'upgrade' event (argocd-server's web terminal uses WebSockets). */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  mountPath: string;
};

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

export type ArgocdProxyOptions = ArgocdTarget & {
  mountPath?: string;
  /** Where argocd-server answers (default: the cluster's first node, NodePort 31001). */
  upstream?: () => Promise<{ host: string; port: number }>;
};

export function createArgocdProxy(options: ArgocdProxyOptions = {}): ArgocdProxy {
  const mountPath = (options.mountPath ?? '/argocd').replace(/\/$/, '');
  const resolve = options.upstream ?? (async () => ({ host: await nodeAddress(options), port: argocdNodePort }));
  let address: Promise<{ host: string; port: number }> | undefined;
  // The node address is stable for a cluster's life; look it up again after a failure.
  const target = () => (address ??= resolve().catch((e: unknown) => { address = undefined; throw e; }));
  const upstreamPath = (url: string | undefined) => {
    const path = (url ?? '/').slice(mountPath.length);
    return path.startsWith('/') ? path : `/${path}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    target()
      .then(({ host, port }) => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !hopByHop.has(k)) headers[k] = v;
        headers['x-forwarded-prefix'] = mountPath;
        const upstream = httpsRequest(
          { host, port, method: req.method, path: upstreamPath(req.url), headers, rejectUnauthorized: false },
          (up) => {
            res.writeHead(up.statusCode ?? 502, Object.fromEntries(Object.entries(up.headers).filter(([k]) => !hopByHop.has(k))) as Record<string, string | string[]>);
            up.pipe(res);
          },
        );
        // Nothing answers at Argo CD's address: is that the cluster (gone since the address was
        // cached) or Argo CD (not installed, or not started)? Look the cluster up again to tell.
        upstream.on('error', (e: NodeJS.ErrnoException) => {
          address = undefined;
          target().then(
            () => unavailable(req, res, 'no-argocd', e.code),
            () => unavailable(req, res, 'no-cluster'),
          );
        });
        req.pipe(upstream);
      })
      .catch(() => unavailable(req, res, 'no-cluster'));
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    target()
      .then(({ host, port }) => {
        const upstream = tlsConnect({ host, port, rejectUnauthorized: false }, () => {
          const lines = [`${req.method} ${upstreamPath(req.url)} HTTP/1.1`];
          for (let i = 0; i < req.rawHeaders.length; i += 2) {
            if (req.rawHeaders[i]!.toLowerCase() !== 'host') lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
          }
          lines.push(`Host: ${host}:${port}`);
          upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
          if (head.length) upstream.write(head);
          upstream.pipe(socket).pipe(upstream);
        });
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      })
      .catch(() => socket.destroy());
  };

  return { handle, upgrade, mountPath };
}

type Unavailable = 'no-cluster' | 'no-argocd';

/** What the learner reads at /argocd/ when nothing answers there: the cause and the one command that fixes it. */
const unavailableWords = {
  en: {
    'no-cluster': {
      title: 'Your cluster is not running',
      body: 'Argo CD runs inside your kind cluster, and there is no running cluster to reach.',
      action: 'Start it with `labs cluster create` in the terminal (or restart the platform), then install Argo CD with `labs addon argocd`.',
    },
    'no-argocd': {
      title: 'Argo CD is not installed on your cluster',
      body: 'Your cluster is running, but Argo CD does not answer in it.',
      action: 'Run `labs addon argocd` in the terminal (the first install takes a few minutes), then reload this page.',
    },
    back: 'Back to the lessons',
    code: 'Error code',
  },
  ko: {
    'no-cluster': {
      title: '클러스터가 실행 중이 아닙니다',
      body: 'Argo CD는 내 kind 클러스터 안에서 실행되는데, 연결할 수 있는 클러스터가 실행 중이 아닙니다.',
      action: '터미널에서 `labs cluster create`로 클러스터를 시작하고(또는 플랫폼을 다시 시작하고), `labs addon argocd`로 Argo CD를 설치하세요.',
    },
    'no-argocd': {
      title: '클러스터에 Argo CD가 설치되어 있지 않습니다',
      body: '클러스터는 실행 중이지만 그 안에서 Argo CD가 응답하지 않습니다.',
      action: '터미널에서 `labs addon argocd`를 실행한 뒤(처음 설치는 몇 분 걸립니다) 이 페이지를 다시 불러오세요.',
    },
    back: '강의로 돌아가기',
    code: '오류 코드',
  },
};

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escaped text with `backticks` as <code>. */
const withCode = (text: string): string =>
  text.split('`').map((part, i, parts) => (i % 2 === 1 && i < parts.length - 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part))).join('');

/** A small page of its own (no internal paths or raw errors: the cause and what to do), or the same words as text for API clients. */
export function unavailablePage(reason: Unavailable, acceptLanguage = '', code?: string): { html: string; text: string } {
  const language = /^ko\b/i.test(acceptLanguage) ? 'ko' : 'en';
  const words = unavailableWords[language];
  const { title, body, action } = words[reason];
  const detail = code && /^[A-Z0-9_]{2,40}$/.test(code) ? `<p class="code">${escapeHtml(words.code)}: ${escapeHtml(code)}</p>` : '';
  const html = `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · Argo CD</title>
<style>
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, 'Segoe UI', 'Noto Sans KR', sans-serif; background: #fff; color: #1b2330; }
main { max-width: 36rem; margin: 12vh auto 0; padding: 0 24px; }
p.eyebrow { margin: 0 0 6px; color: #2557c4; font-size: 13px; font-weight: 650; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 0 0 12px; font-size: 28px; line-height: 1.25; }
code { padding: .12em .38em; border-radius: 5px; background: #eff2f6; font: .9em ui-monospace, 'JetBrains Mono', Menlo, Consolas, monospace; }
p.code { color: #5b6675; font-size: 14px; }
a { color: #2557c4; }
@media (prefers-color-scheme: dark) {
  body { background: #0f141a; color: #e3e9f0; }
  p.eyebrow, a { color: #8fb3ff; }
  code { background: #1c2430; }
  p.code { color: #97a3b3; }
}
</style>
</head>
<body>
<main>
<p class="eyebrow">Argo CD</p>
<h1>${escapeHtml(title)}</h1>
<p>${withCode(body)}</p>
<p>${withCode(action)}</p>
${detail}
<p><a href="/${language}/">${escapeHtml(words.back)}</a></p>
</main>
</body>
</html>
`;
  const text = `${title}. ${body} ${action}${code ? ` (${code})` : ''}\n`;
  return { html, text };
}

function unavailable(req: IncomingMessage, res: ServerResponse, reason: Unavailable, code?: string): void {
  if (res.headersSent) { res.destroy(); return; }
  const page = unavailablePage(reason, req.headers['accept-language'], code);
  const wantsHtml = /text\/html/.test(req.headers.accept ?? '');
  res.statusCode = 502;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', wantsHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
  res.end(wantsHtml ? page.html : page.text);
}
