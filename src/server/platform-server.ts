// The platform's Node server: one http server that serves built assets, the JSON API, the
// terminal WebSocket, and hands every other request to Astro's built handler (@astrojs/node in
// middleware mode) with a fresh terminal token in Astro.locals.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clusterKubeconfig, dataDir, labsCliBinDir, toolchainBinDir } from '../environments/paths.ts';
import { SessionManager } from '../terminal/session-manager.ts';
import { shellCommand } from '../terminal/shell.ts';
import { ProgressStore } from '../store/progress-store.ts';
import { createArgocdAdapter } from './adapters/argocd.ts';
import { createGraderAdapter } from './adapters/grader.ts';
import { createEnvironmentsAdapter } from './adapters/environments.ts';
import { createApi } from './api.ts';
import { compressResponse } from './compression.ts';
import { createPageTokens } from './page-token.ts';
import { hostAllowed, isLoopbackAddress } from './request-guard.ts';
import { createStaticHandler } from './static-files.ts';
import { createTerminalSockets } from './terminal-socket.ts';

type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void, locals?: object) => Promise<void> | void;

export type PlatformOptions = {
  /** Folder with Astro's build (client/ and server/entry.mjs). */
  distDir: string;
  host: string;
  port: number;
  /** Shells with no browser attached are ended after this long. */
  idleTimeoutMs: number;
  /** Working directory of new shells (default: home). */
  shellCwd?: string;
  /** Progress database; ':memory:' in tests. Default: <data dir>/progress.sqlite. */
  progressDb?: string;
  extraHosts?: string[];
  /** The learner cluster is being adopted or created in the background (solo mode). */
  clusterExpected?: boolean;
  log?: (line: string) => void;
};

export type Platform = {
  server: Server;
  url: string;
  sessions: SessionManager;
  close(): Promise<void>;
};

const SECURITY_HEADERS: Record<string, string> = {
  // The terminal types into a shell: no other site may frame our pages (clickjacking).
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { handler } = (await import(pathToFileURL(join(options.distDir, 'server', 'entry.mjs')).href)) as { handler: AstroHandler };
  const loopbackOnly = isLoopbackAddress(options.host);
  const guard = { loopbackOnly, extraHosts: options.extraHosts };
  const tokens = createPageTokens();
  const sessions = new SessionManager({
    idleTimeoutMs: options.idleTimeoutMs,
    shell: () => shellCommand({ kubeconfig: clusterKubeconfig(), clusterExpected: options.clusterExpected, binDirs: [labsCliBinDir(), toolchainBinDir()], cwd: options.shellCwd }),
  });
  const store = new ProgressStore(options.progressDb ?? join(dataDir(), 'progress.sqlite'));
  const api = createApi({ grader: createGraderAdapter(), environments: createEnvironmentsAdapter(), store, tokens, log });
  const serveStatic = createStaticHandler(join(options.distDir, 'client'));
  const sockets = createTerminalSockets({ sessions, tokens, guard, log });
  const argocd = createArgocdAdapter();

  const server = createServer(async (req, res) => {
    try {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      if (!hostAllowed(req, guard)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: this server only answers to localhost');
        return;
      }
      if (await api(req, res)) return;
      if (argocd.handle(req, res)) return;
      if (serveStatic(req, res)) return;
      compressResponse(req, res);
      await handler(req, res, undefined, { terminalToken: tokens.issue() });
    } catch (error) {
      log(`server: ${req.method} ${req.url}: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal Server Error');
    }
  });
  server.on('upgrade', (req, socket, head) => {
    if (sockets.handleUpgrade(req, socket, head)) return;
    if (hostAllowed(req, guard) && argocd.upgrade(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Brotli for the built assets, in the background so the first page need not wait for it.
  void serveStatic.warm().catch((error: unknown) => log(`server: compressing assets: ${(error as Error).message}`));
  const address = server.address() as AddressInfo;
  const shownHost = loopbackOnly ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/`;

  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    sessions,
    close() {
      closing ??= new Promise<void>((resolve) => {
        sockets.close();
        sessions.dispose();
        server.close(() => resolve());
        server.closeAllConnections();
        store.close();
      });
      return closing;
    },
  };
}
