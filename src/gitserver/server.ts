// The in-class git server: per-learner repositories over smart HTTP, every request through the
// real `git http-backend`. URL layout (below an optional prefix):
//
//   /<learner>/<repo>.git/…              the learner's own repos: read + push, created on first use
//   /class/argocd-example-apps.git/…     shared examples: read-only for every learner
//
// Every request needs HTTP basic auth with a learner's credentials (store.issuePassword).
// Listen on loopback for the learner's shell and on the kind network's gateway for Argo CD
// inside the cluster (see address.ts) — never on 0.0.0.0.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findHttpBackend, serveWithHttpBackend } from './http-backend.ts';
import { classOwner, openGitStore, RepositoryLimitError, starters, type GitStore } from './store.ts';

export const exampleAppsRepo = 'argocd-example-apps';
export const defaultLearnerRepo = 'gitops';

export type GitRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export type GitHandlerOptions = {
  store?: GitStore;
  /** Mount point when the handler shares a server with other routes, e.g. `/git`. */
  pathPrefix?: string;
  /** Called after each request (method, path, status, user) — the server's access log. */
  onRequest?: (entry: { method: string; path: string; status: number; user?: string }) => void;
};

const repoPath = /^\/([a-z0-9-]+)\/([a-z0-9-]+)\.git(\/.*)?$/;

/** A Node request handler serving the git smart-HTTP protocol for the store's repositories. */
export function createGitRequestHandler(options: GitHandlerOptions = {}): GitRequestHandler {
  const store = options.store ?? openGitStore();
  const prefix = (options.pathPrefix ?? '').replace(/\/$/, '');
  const backend = findHttpBackend();

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://git.invalid');
    let user: string | undefined;
    res.on('finish', () => options.onRequest?.({ method: req.method ?? '', path: url.pathname, status: res.statusCode, user }));

    if (url.pathname === `${prefix}/healthz`) return reply(res, 200, 'ok');
    if (prefix && !url.pathname.startsWith(`${prefix}/`)) return reply(res, 404, 'not found');
    const match = repoPath.exec(url.pathname.slice(prefix.length));
    if (!match) return reply(res, 404, 'not a repository path: use /<learner>/<repo>.git');
    const [, owner, repo, rest] = match as unknown as [string, string, string, string | undefined];

    const credentials = basicAuth(req);
    if (!credentials || !store.authenticate(credentials.user, credentials.password)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Kubernetes Labs git", charset="UTF-8"');
      return reply(res, 401, 'authentication required: your learner name and git password');
    }
    user = credentials.user;

    const query = gitQuery(url.searchParams);
    if (typeof query !== 'string') return reply(res, 400, query.error);
    const pushing = url.searchParams.get('service') === 'git-receive-pack' || rest === '/git-receive-pack';
    if (owner === classOwner) {
      if (pushing) return reply(res, 403, `${owner}/${repo}.git is read-only: push to your own repository (/${user}/…)`);
    } else if (owner !== user) {
      return reply(res, 404, `repository ${owner}/${repo}.git not found`);
    }

    const starter = owner === classOwner ? (repo === exampleAppsRepo ? starters.examples : undefined) : starters.learner;
    if (!starter) return reply(res, 404, `repository ${owner}/${repo}.git not found`);
    store
      .ensureRepo(owner, repo, starter)
      .then(() =>
        serveWithHttpBackend(req, res, {
          projectRoot: `${store.reposDir}/${owner}`,
          pathInfo: `/${repo}.git${rest ?? ''}`,
          query,
          remoteUser: user!,
        }, backend),
      )
      .catch((e: Error) => reply(res, e instanceof RepositoryLimitError ? 403 : 500, e.message));
  };
}

/** Smart HTTP's only query parameter. */
const services = new Set(['git-upload-pack', 'git-receive-pack']);

/**
 * The query git http-backend gets, rebuilt from what was checked: `service` at most once and
 * nothing else. Two `service`s would let the read-only check see one and git act on the other.
 */
export function gitQuery(params: URLSearchParams): string | { error: string } {
  const names = [...params.keys()];
  const unknown = names.find((name) => name !== 'service');
  if (unknown !== undefined) return { error: `unexpected query parameter ${JSON.stringify(unknown.slice(0, 40))}` };
  if (names.length > 1) return { error: 'ambiguous query: "service" given more than once' };
  const service = params.get('service');
  if (service === null) return '';
  if (!services.has(service)) return { error: `unknown service ${JSON.stringify(service.slice(0, 40))}` };
  return new URLSearchParams({ service }).toString();
}

function basicAuth(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${message}\n`);
}

export type RunningGitServer = {
  /** The URL to give learners and Argo CD: the first non-loopback host, else the first. */
  baseUrl: string;
  /** One URL per listening address. */
  urls: string[];
  close: () => Promise<void>;
};

export type StartGitServerOptions = GitHandlerOptions & {
  /** Addresses to listen on, e.g. ['127.0.0.1', '172.18.0.1']. Never '0.0.0.0'. */
  hosts: string[];
  /** 0 picks a free port (the same one on every host after the first). */
  port: number;
};

export async function startGitServer(options: StartGitServerOptions): Promise<RunningGitServer> {
  if (options.hosts.length === 0) throw new Error('git server: no listen address given');
  for (const host of options.hosts) {
    if (host === '0.0.0.0' || host === '::') throw new Error(`git server: refusing to listen on every interface (${host}); name the addresses`);
  }
  const store = options.store ?? openGitStore();
  // The shared examples repo exists before anyone asks, so Argo CD's first fetch never races its creation.
  await store.ensureRepo(classOwner, exampleAppsRepo, starters.examples);
  const handler = createGitRequestHandler({ ...options, store });
  const servers: Server[] = [];
  const urls: string[] = [];
  let port = options.port;
  try {
    for (const host of options.hosts) {
      const server = createServer(handler);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`git server: cannot listen on ${host}:${port}: ${e.code ?? e.message}`)));
        server.listen(port, host, () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      servers.push(server);
      urls.push(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw e;
  }
  const advertised = urls.find((u) => !/\/\/(127\.|\[::1\]|localhost)/.test(u)) ?? urls[0]!;
  return {
    baseUrl: advertised,
    urls,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}
