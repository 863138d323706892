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
  /** Handles a request whose path starts with the mount path; answers 502 when Argo CD is down. */
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
        upstream.on('error', (e) => unavailable(res, `argocd-server at ${host}:${port}: ${e.message}`));
        req.pipe(upstream);
      })
      .catch((e: Error) => unavailable(res, e.message));
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

function unavailable(res: ServerResponse, message: string): void {
  if (res.headersSent) { res.destroy(); return; }
  res.statusCode = 502;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`Argo CD is not reachable (${message}). Install it with: labs addon argocd\n`);
}
