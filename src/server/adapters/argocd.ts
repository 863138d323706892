// The one place the web server reaches the Argo CD add-on: /argocd/ is proxied to the learner
// cluster's argocd-server (its API and gRPC-web; the web UI itself cannot be built offline —
// kind/argocd/UI.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createArgocdProxy } from '../../environments/addons/index.ts';

export type ArgocdAdapter = {
  /** The request is under /argocd (the server applies its Origin rule before handing it on). */
  mounted(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
};

export function createArgocdAdapter(): ArgocdAdapter {
  const proxy = createArgocdProxy({ mountPath: '/argocd' });
  return {
    mounted: (req) => req.url === proxy.mountPath || Boolean(req.url?.startsWith(`${proxy.mountPath}/`)),
    handle: (req, res) => proxy.handle(req, res),
    upgrade: (req, socket, head) => proxy.upgrade(req, socket, head),
  };
}
