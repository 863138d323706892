// The platform's Node server: one http server that serves built assets, the JSON API, the
// terminal WebSocket, and hands every other request to Astro's built handler (@astrojs/node in
// middleware mode) with a fresh terminal token in Astro.locals.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clusterKubeconfig, dataDir, labsCliBinDir, toolchainBinDir } from '../base/paths.ts';
import { SessionManager } from '../terminal/session-manager.ts';
import { shellCommand } from '../terminal/shell.ts';
import { ProgressStore } from '../store/progress-store.ts';
import { createAddonsAdapter } from './adapters/addons.ts';
import { createArgocdAdapter } from './adapters/argocd.ts';
import { createGraderAdapter } from './adapters/grader.ts';
import { createEnvironmentsAdapter } from './adapters/environments.ts';
import { createApi } from './api.ts';
import { createGitopsHandler } from './gitops.ts';
import { compressResponse } from './compression.ts';
import { createPageTokens } from './page-token.ts';
import { checkBodySize, checkHost, checkRequestLine, isLoopbackName, noForeignOrigin, refuseUpgrade, sameOrigin, type Verdict } from './request-guard.ts';
import { loadSigningKey } from './signing-key.ts';
import { createStaticHandler } from './static-files.ts';
import { createTerminalSockets } from './terminal-socket.ts';
import type { ClassroomMode, ClassroomOptions } from './classroom-mode.ts';

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
  /** Key that signs page tokens (default: <data dir>/secrets/page-token.key), kept across restarts. */
  tokenKeyFile?: string;
  /** The learner cluster is being adopted or created in the background (solo mode). */
  clusterExpected?: boolean;
  /** Classroom mode: cohorts, learner environments, the instructor's dashboard. */
  classroom?: ClassroomOptions;
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
  log?: (line: string) => void;
};

export type Platform = {
  server: Server;
  url: string;
  /** Where learners join (`<url>join`), or undefined when the server listens on loopback only: no learner reaches it. */
  joinAddress: string | undefined;
  sessions: SessionManager;
  close(): Promise<void>;
};

const SECURITY_HEADERS: Record<string, string> = {
  // The terminal types into a shell: no other site may frame our pages (clickjacking).
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Scripts, styles, fonts and images from this origin only; connections to this origin and its
 * own WebSocket. Inline style attributes stay allowed: Shiki colours code with them. No inline
 * scripts (the theme bootstrap is a file), no plugins, no <base>, forms post here only.
 */
export function contentSecurityPolicy(host: string, secure: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${secure ? 'wss' : 'ws'}://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function refuse(res: ServerResponse, verdict: Exclude<Verdict, { ok: true }>): void {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' };
  if (verdict.allow) headers.Allow = verdict.allow;
  res.writeHead(verdict.status, headers).end(verdict.reason);
}


/** The address people on the LAN use: the first non-internal IPv4 of a real interface (not Docker's bridges). */
function lanAddress(): string {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|kind)/.test(name)) continue;
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return hostname();
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { handler } = (await import(pathToFileURL(join(options.distDir, 'server', 'entry.mjs')).href)) as { handler: AstroHandler };
  const loopbackOnly = isLoopbackName(options.host);
  const guard = { loopbackOnly, extraHosts: options.extraHosts };
  const tokens = createPageTokens({ secret: loadSigningKey(options.tokenKeyFile ?? join(dataDir(), 'secrets', 'page-token.key')) });
  /** One line per refused request: what it was and why (never a stack trace). */
  const admit = (req: IncomingMessage): Verdict => {
    const verdict = [checkRequestLine(req), checkHost(req, guard)].find((v) => !v.ok) ?? { ok: true };
    if (!verdict.ok) log(`server: refused ${JSON.stringify(`${req.method} ${req.url}`.slice(0, 200))} Host ${JSON.stringify(req.headers.host ?? null)}: ${verdict.status}`);
    return verdict;
  };
  const sessions = new SessionManager({
    idleTimeoutMs: options.idleTimeoutMs,
    // Classroom mode never starts a shell on this host: every learner's shell is in their sandbox.
    shell: options.classroom
      ? () => { throw new Error('classroom mode starts no host shells'); }
      : () => shellCommand({ kubeconfig: clusterKubeconfig(), clusterExpected: options.clusterExpected, binDirs: [labsCliBinDir(), toolchainBinDir()], cwd: options.shellCwd }),
    ...(options.classroom ? { maxSessions: 400 } : {}),
  });
  const store = new ProgressStore(options.progressDb ?? join(dataDir(), 'progress.sqlite'));
  const grader = createGraderAdapter();
  const environments = createEnvironmentsAdapter();
  // Known once the server listens (--port 0 picks the port then).
  let joinAddress: string | undefined;
  const classroom: ClassroomMode | undefined = options.classroom
    ? (await import('./classroom-mode.ts')).createClassroomMode({ store, grader, options: options.classroom, log, joinAddress: () => joinAddress, endTerminals: (learner, reason) => void sessions.endOwner(learner, reason), terminalInUse: (owner) => sessions.inUse(owner) })
    : undefined;
  const api = createApi({ grader, environments, addons: createAddonsAdapter(), store, tokens, log, caller: classroom?.caller, onRecorded: classroom?.recorded });
  const gitops = createGitopsHandler({ environments, caller: classroom?.caller, log });
  const serveStatic = createStaticHandler(join(options.distDir, 'client'));
  const sockets = createTerminalSockets({ sessions, tokens, log, authorize: classroom?.authorizeTerminal, onCommand: classroom?.commandEntered });
  if (classroom) sessions.onWatchersChange((owner, count) => classroom.watchersChanged(owner, count));
  if (classroom) sessions.onCommandRan((owner, line) => void classroom.shellCommandRan(owner, line));
  const argocd = createArgocdAdapter();

  const secure = Boolean(options.tls);
  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      const verdict = admit(req);
      if (!verdict.ok) return refuse(res, verdict);
      res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host!, secure));
      if (secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
      // Solo mode's /argocd/ proxy hands bodies on to argocd-server as they come; nothing else takes large ones.
      const proxied = !classroom && argocd.mounted(req);
      const body = proxied ? { ok: true as const } : checkBodySize(req);
      if (!body.ok) return refuse(res, body);
      if (classroom && (await classroom.handle(req, res))) return;
      if (await gitops(req, res)) return;
      if (await api(req, res)) return;
      // The proxy reaches this machine's own cluster: a class's learners have theirs (not proxied).
      if (proxied) {
        if (!noForeignOrigin(req)) return refuse(res, { ok: false, status: 403, reason: 'Forbidden: cross-origin request to /argocd/' });
        argocd.handle(req, res);
        return;
      }
      if (serveStatic(req, res)) return;
      compressResponse(req, res);
      // Rendered pages carry a fresh page token: never stored by a cache.
      res.setHeader('Cache-Control', 'no-store');
      // Classroom mode: lessons are for signed-in learners (and instructors); others go to join.
      const signedIn = classroom?.locals(req);
      if (classroom && !signedIn && /^\/(en|ko)\/lessons\//.test(req.url ?? '')) {
        res.writeHead(303, { Location: `/join?next=${encodeURIComponent(req.url ?? '/')}` }).end();
        return;
      }
      // Pages show the labs' tasks and this learner's progress; a broken lab.yaml must not take the page down.
      const labs = await grader.labs().catch((error: unknown) => (log(`lab catalog: ${(error as Error).message}`), undefined));
      const learner = classroom ? classroom.caller(req)?.learner : 'solo';
      await classroom?.pageOpened(req);
      const progress = learner ? store.progress(learner) : [];
      await handler(req, res, undefined, { terminalToken: tokens.issue(), labs, progress, classroom: signedIn });
    } catch (error) {
      log(`server: ${req.method} ${req.url}: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal Server Error');
    }
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, onRequest)
    : createHttpServer(onRequest);
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const verdict = admit(req);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    if (sockets.handleUpgrade(req, socket, head)) return;
    if (!classroom && argocd.mounted(req)) {
      // A browser page of another site must not open Argo CD's WebSockets as this user.
      if (!sameOrigin(req)) return refuseUpgrade(socket, 403, 'Forbidden: cross-origin WebSocket');
      argocd.upgrade(req, socket, head);
      return;
    }
    refuseUpgrade(socket, 404, 'Not Found');
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
  const shownHost = loopbackOnly ? 'localhost' : ['0.0.0.0', '::'].includes(address.address) ? lanAddress() : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${secure ? 'https' : 'http'}://${shownHost}:${address.port}/`;
  joinAddress = loopbackOnly ? undefined : `${url}join`;

  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    joinAddress,
    sessions,
    close() {
      closing ??= new Promise<void>((resolve) => {
        sockets.close();
        sessions.dispose();
        classroom?.close();
        server.close(() => resolve());
        server.closeAllConnections();
        store.close();
      });
      return closing;
    },
  };
}
