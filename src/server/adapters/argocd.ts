// The one place the web server reaches the Argo CD add-on: /argocd/ is proxied to the learner
// cluster's argocd-server (its API and gRPC-web; the web UI itself cannot be built offline —
// kind/argocd/UI.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createArgocdProxy } from '../../environments/addons/index.ts';

export type ArgocdAdapter = {
  /** Serves the request when it is under /argocd; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
};

export function createArgocdAdapter(): ArgocdAdapter {
  const proxy = createArgocdProxy({ mountPath: '/argocd' });
  const mounted = (url: string | undefined) => url === proxy.mountPath || Boolean(url?.startsWith(`${proxy.mountPath}/`));
  return {
    handle(req, res) {
      if (!mounted(req.url)) return false;
      proxy.handle(req, res);
      return true;
    },
    upgrade(req, socket, head) {
      if (!mounted(req.url)) return false;
      proxy.upgrade(req, socket, head);
      return true;
    },
  };
}
