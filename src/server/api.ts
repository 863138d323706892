// JSON endpoints under /api, handled by the plain Node server (not bundled into Astro) so they
// call the grader, environments and store libraries directly.
//   GET  /api/cluster            learner cluster status (src/environments' kind provider)
//   GET  /api/labs               lab numbers and titles
//   POST /api/labs/<n>/verify    grade lab n → LabResult           (needs the page token)
//                                ?lang=ko: + `localized`, its words in Korean (grader/result-words.ts)
//   GET  /api/progress           latest result per lab
//   GET  /api/page-token         a fresh page token for an open tab (same-origin fetches only)
//   POST /api/labs/<n>/reset     delete what lab n created           (needs the page token)
//   GET  /api/labs/<n>/solution  the reference solution's steps
//   GET  /api/labs/<n>/files/<f> a starter file, as a download
//   GET  /api/addons/argocd      Argo CD in the caller's cluster, and their git repository
//   POST /api/addons/argocd      install Argo CD there (minutes the first time)  (needs the page token)
// (GET /api/gitops/applications, the lesson page's Argo CD view, is src/server/gitops.ts.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgressStore } from '../store/progress-store.ts';
import type { AddonsAdapter } from './adapters/addons.ts';
import { classifyGraderError, type GraderAdapter } from './adapters/grader.ts';
import { resultWords } from '../../grader/result-words.ts';
import type { ClusterStatus } from '../contract/cluster.ts';
import type { EnvironmentsAdapter } from './adapters/environments.ts';
import type { PageTokens } from './page-token.ts';
import { sameOrigin } from './request-guard.ts';

/** Whose lab work a request is about: whose progress, whose cluster. */
export type LabCaller = {
  /** 'solo', or 'learner:<id>' in classroom mode. */
  learner: string;
  /**
   * The cluster to grade and reset; undefined: solo mode's learner cluster. Read after `wake`
   * (a classroom caller's is a getter: a frozen environment has none until it is thawed).
   */
  readonly kubeconfig?: string;
  /**
   * That cluster's state (the banner, "not ready yet"); undefined: solo mode's. A caller with
   * this and no kubeconfig has no cluster to act on: never the solo cluster instead.
   */
  cluster?: () => Promise<ClusterStatus>;
  /** The cluster's name (for messages and add-ons); undefined: solo mode's. */
  clusterName?: string;
  /** Their name on the in-class git server; undefined: solo mode's (the cluster's name). */
  gitUser?: string;
  /** Authenticated by a bearer token (the learner's own `labs` in their sandbox), not a page. */
  bearer?: boolean;
  /**
   * The caller is about to use their cluster (a Check, a reset, Argo CD): thaws an environment
   * frozen for idleness and resolves once it is usable; rejects when it cannot be. Awaited before
   * the cluster's state and kubeconfig are read. Undefined: nothing to wake (solo mode).
   */
  wake?: () => Promise<void>;
};

export type ApiOptions = {
  grader: GraderAdapter | undefined;
  environments: EnvironmentsAdapter | undefined;
  addons?: AddonsAdapter;
  store: ProgressStore | undefined;
  tokens: PageTokens;
  /** Classroom mode: who is calling (undefined: nobody signed in → 401). Solo mode: always 'solo'. */
  caller?: (req: IncomingMessage) => LabCaller | undefined;
  /** A result (or a reset) was recorded for this learner (the classroom updates its dashboards). */
  onRecorded?: (learner: string) => void;
  log?: (line: string) => void;
};

const SOLO: LabCaller = { learner: 'solo' };

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
};

const notAvailable = (res: ServerResponse, what: string) => json(res, 503, { error: `${what} is not available yet` });

export function createApi(options: ApiOptions) {
  const log = options.log ?? (() => {});

  /**
   * State-changing calls: POST, from our own pages only (Origin + the page's token), or from the
   * learner's own `labs` with its bearer token (no cookie: a page of another site cannot send it).
   */
  const postFromOurPage = (req: IncomingMessage, res: ServerResponse, what: string, caller: LabCaller): boolean => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      json(res, 405, { error: 'use POST' });
      return false;
    }
    if (caller.bearer) return true;
    if (!sameOrigin(req) || !options.tokens.verify(String(req.headers['x-labs-token'] ?? ''))) {
      json(res, 403, { error: `forbidden: ${what} must come from a lesson page of this server` });
      return false;
    }
    return true;
  };

  const graderFailure = (res: ServerResponse, lab: number, error: unknown): void => {
    const kind = classifyGraderError(error);
    const message = (error as Error).message;
    // `code` lets the page say it in the learner's language; `error` is the detail.
    if (kind === 'not-found') json(res, 404, { code: 'lab-not-found', error: message });
    else if (kind === 'no-cluster') json(res, 502, { code: 'no-cluster', error: message });
    else if (kind === 'cluster') json(res, 502, { code: 'cluster-unreachable', error: message });
    else {
      log(`lab ${lab}: ${message}`);
      json(res, 500, { error: message });
    }
  };

  /**
   * While the learner's cluster is being built there is nothing to grade or reset yet: say so,
   * with the build's progress, rather than act on whatever other kubeconfig happens to exist.
   * A classroom learner's environment frozen for idleness is woken first (the action proceeds on
   * the thawed cluster).
   */
  async function clusterNotReady(res: ServerResponse, caller: LabCaller): Promise<boolean> {
    try {
      await caller.wake?.();
    } catch (error) {
      log(`${caller.learner}: could not wake the environment: ${(error as Error).message}`);
      // The page says its cluster does not answer; the details say why.
      json(res, 502, { code: 'cluster-unreachable', error: `your cluster could not be resumed: ${(error as Error).message.split('\n')[0]}` });
      return true;
    }
    const cluster = await (caller.cluster ?? options.environments?.status)?.().catch(() => undefined);
    if (cluster?.state === 'creating') {
      json(res, 409, { code: 'cluster-not-ready', error: `cluster "${cluster.name}" is not ready yet: ${cluster.detail ?? ''}`, progress: cluster.progress });
      return true;
    }
    // A classroom learner without a working environment: there is nothing of theirs to act on.
    if (caller.cluster && !caller.kubeconfig) {
      json(res, 409, { code: 'no-cluster', error: `your cluster is not available: ${cluster?.detail ?? 'no environment'}` });
      return true;
    }
    return false;
  }

  /** Argo CD in the caller's cluster (GET: its state; POST: install it) and their git repository. */
  async function argocdRequest(req: IncomingMessage, res: ServerResponse, who: LabCaller): Promise<void> {
    const addons = options.addons;
    if (!addons) return notAvailable(res, 'add-ons');
    if (req.method !== 'GET' && !postFromOurPage(req, res, 'installing Argo CD', who)) return;
    if (await clusterNotReady(res, who)) return;
    const target = { kubeconfig: who.kubeconfig, cluster: who.clusterName, gitUser: who.gitUser ?? who.clusterName ?? 'labs' };
    try {
      // `?git=0` (`labs addon argocd --status`): the state only, no new git password handed out.
      if (req.method === 'GET') return json(res, 200, await addons.argocdStatus(target, { git: new URL(req.url ?? '/', 'http://x').searchParams.get('git') !== '0' }));
      const key = `${who.learner}\u0000argocd`;
      let install = running.get(key) as ReturnType<AddonsAdapter['installArgocd']> | undefined;
      if (!install) {
        install = addons.installArgocd(target, (line) => log(`argocd for ${who.learner}: ${line}`));
        running.set(key, install);
        void install.finally(() => running.delete(key)).catch(() => {});
      }
      json(res, 200, await install);
    } catch (error) {
      log(`argocd for ${who.learner}: ${(error as Error).message}`);
      json(res, 502, { code: 'addon-failed', error: (error as Error).message.split('\n')[0] });
    }
  }

  /** Reset, solution and starter files of one lab. */
  async function labRequest(req: IncomingMessage, res: ServerResponse, lab: number, action: string, file: string | undefined, caller: LabCaller): Promise<void> {
    const grader = options.grader;
    try {
      if (action === 'reset') {
        if (!postFromOurPage(req, res, 'reset', caller)) return;
        if (!grader?.reset) return notAvailable(res, 'reset');
        if (await clusterNotReady(res, caller)) return;
        await grader.reset(lab, caller.kubeconfig);
        // The lab's clock restarts at the learner's next touch (src/store/lab-clock.ts).
        const id = (await grader.labs()).find((entry) => entry.number === lab)?.id;
        if (id && options.store) {
          options.store.labReset(caller.learner, id, new Date().toISOString());
          options.onRecorded?.(caller.learner);
        }
        return json(res, 200, { reset: true });
      }
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        return json(res, 405, { error: 'use GET' });
      }
      if (action === 'solution') {
        if (!grader?.solution) return notAvailable(res, 'solutions');
        return json(res, 200, { steps: await grader.solution(lab) });
      }
      let path: string | undefined;
      try {
        path = file === undefined ? undefined : decodeURIComponent(file);
      } catch {
        path = undefined; // malformed %-escape: no such file
      }
      const text = path === undefined ? undefined : await grader?.file?.(lab, path);
      if (text === undefined) return json(res, 404, { error: `lab ${lab} has no starter file ${JSON.stringify(file)}` });
      const name = file!.split('/').pop()!.replace(/[^A-Za-z0-9._-]/g, '_');
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    } catch (error) {
      graderFailure(res, lab, error);
    }
  }
  /** One verify per learner and lab at a time: a double click should not grade twice in parallel. */
  const running = new Map<string, Promise<unknown>>();

  return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    const method = req.method ?? 'GET';
    const caller = options.caller ? options.caller(req) : SOLO;
    // The page-token renewal and the lab catalog are for anyone who may see a page; the rest is someone's.
    if (!caller && !['/api/page-token', '/api/labs'].includes(url.pathname)) {
      json(res, 401, { error: 'not signed in: join the class first' });
      return true;
    }

    if (url.pathname === '/api/cluster' && method === 'GET') {
      const status = caller!.cluster ?? options.environments?.status;
      if (!status) return notAvailable(res, 'cluster status'), true;
      try {
        json(res, 200, await status());
      } catch (error) {
        json(res, 500, { error: (error as Error).message });
      }
      return true;
    }

    if (url.pathname === '/api/labs' && method === 'GET') {
      if (!options.grader) return notAvailable(res, 'the lab catalog'), true;
      try {
        json(res, 200, await options.grader.labs());
      } catch (error) {
        json(res, 500, { error: (error as Error).message });
      }
      return true;
    }

    if (url.pathname === '/api/progress' && method === 'GET') {
      if (!options.store) return notAvailable(res, 'the progress store'), true;
      json(res, 200, options.store.progress(caller!.learner));
      return true;
    }

    if (url.pathname === '/api/page-token' && method === 'GET') {
      // Only this origin's pages can read the answer (no CORS), exactly as they can read a page
      // with a token in it; a browser that says the fetch is cross-site is refused outright.
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') return json(res, 403, { error: 'forbidden: cross-site token request' }), true;
      json(res, 200, { token: options.tokens.issue() });
      return true;
    }

    if (url.pathname === '/api/addons/argocd') {
      await argocdRequest(req, res, caller!);
      return true;
    }

    const labCall = /^\/api\/labs\/(\d{1,3})\/(verify|reset|solution|files\/(.{1,200}))$/.exec(url.pathname);
    if (labCall && labCall[2] !== 'verify') {
      await labRequest(req, res, Number(labCall[1]), labCall[2]!, labCall[3], caller!);
      return true;
    }

    const verify = labCall;
    if (verify) {
      const who = caller!;
      if (!postFromOurPage(req, res, 'verify', who)) return true;
      if (!options.grader) return notAvailable(res, 'grading'), true;
      if (await clusterNotReady(res, who)) return true;
      const lab = Number(verify[1]);
      const grader = options.grader;
      const key = `${who.learner}\u0000${lab}`;
      try {
        let attempt = running.get(key) as Promise<Awaited<ReturnType<GraderAdapter['verify']>>> | undefined;
        if (!attempt) {
          // One grading run, one recorded attempt, however many requests share it.
          attempt = grader.verify(lab, who.kubeconfig).then((result) => {
            try {
              options.store?.record(result, who.learner);
              options.onRecorded?.(who.learner);
            } catch (error) {
              log(`progress: could not record lab ${lab}: ${(error as Error).message}`);
            }
            return result;
          });
          running.set(key, attempt);
          void attempt.finally(() => running.delete(key)).catch(() => {});
        }
        const result = await attempt;
        // ?lang=ko: the words in Korean beside the result (a Korean card, a sandbox's `labs verify`).
        const summary = url.searchParams.get('lang') === 'ko' ? (await grader.labs()).find((l) => l.number === lab) : undefined;
        json(res, 200, summary ? { ...result, localized: resultWords(result, summary, 'ko') } : result);
      } catch (error) {
        graderFailure(res, lab, error);
      }
      return true;
    }

    json(res, 404, { error: `no API endpoint ${method} ${url.pathname}` });
    return true;
  };
}
