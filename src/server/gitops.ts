// GitOps you can see: the lesson page's live view of Argo CD, since Argo CD's own web UI cannot be
// built offline (kind/argocd/UI.md). One endpoint, read-only, through the graders' cluster client:
//   GET /api/gitops/applications   every Application in namespace argocd, shaped for the page
// Each answer is one of these states (the page says each in the learner's language):
//   ok                 applications: sync status and revision, health, history, resource tree
//   no-applications    Argo CD is installed, nothing to show yet
//   not-installed      no Application CRD (or no argocd namespace): `labs addon argocd`
//   cluster-not-ready  the learner cluster is being built (progress as /api/cluster has it)
//   no-cluster         no kubeconfig at all
//   unreachable        the cluster does not answer, or refused the read
// Open tabs poll it every few seconds; one read of the cluster serves every tab for CACHE_MS.
// Whose cluster: solo mode, the learner cluster (the terminal's and the Check button's); classroom
// mode, the signed-in learner's own (never the host's), and nobody else's: 401 without a session.
import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClusterError, NoKubeconfigError } from '../../grader/errors.ts';
import { collectionPath } from '../../grader/kinds.ts';
import { chooseCluster, type ClusterOptions } from '../../grader/cluster-choice.ts';
import { firstLine } from '../../grader/errors.ts';
import { connect, type KubeReader } from '../../grader/kube.ts';
import { clusterKubeconfig } from '../base/paths.ts';
import type { ClusterStatus } from '../contract/cluster.ts';
import type { ApplicationView, GitopsView, HistoryView, ResourceView } from '../contract/gitops.ts';
import type { EnvironmentsAdapter } from './adapters/environments.ts';
import type { LabCaller } from './api.ts';

export const GITOPS_PATH = '/api/gitops/applications';
/** Where `labs addon argocd` installs Argo CD, and where Applications live. */
export const ARGOCD_NAMESPACE = 'argocd';
/** One read of the cluster answers every poll that arrives within this long. */
const CACHE_MS = 1_000;
/** History entries kept per Application (Argo CD keeps 10 by default). */
const HISTORY_LIMIT = 10;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Drops userinfo: a clone URL pasted into an Application may carry the learner's git password. */
export function withoutCredentials(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // scp-like git@host:path has a user but no secret; anything else with an @ before the host loses it.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}

/** Drops undefined fields, so the JSON stays small. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** One Argo CD Application (argoproj.io/v1alpha1, the API's JSON) as the page shows it. */
export function applicationView(app: any): ApplicationView {
  const spec = app?.spec ?? {};
  const status = app?.status ?? {};
  const source = spec.source ?? spec.sources?.[0];
  const operation = status.operationState;
  const history: any[] = Array.isArray(status.history) ? status.history : [];
  const resources: any[] = Array.isArray(status.resources) ? status.resources : [];
  return compact({
    name: String(app?.metadata?.name ?? ''),
    project: text(spec.project),
    source: source
      ? compact({ repoURL: withoutCredentials(text(source.repoURL)), path: text(source.path), chart: text(source.chart), targetRevision: text(source.targetRevision) })
      : undefined,
    destination: spec.destination
      ? compact({ server: text(spec.destination.server), name: text(spec.destination.name), namespace: text(spec.destination.namespace) })
      : undefined,
    automated: Boolean(spec.syncPolicy?.automated) && spec.syncPolicy.automated.enabled !== false,
    sync: compact({ status: text(status.sync?.status) ?? 'Unknown', revision: text(status.sync?.revision) ?? text(status.sync?.revisions?.[0]) }),
    health: compact({ status: text(status.health?.status) ?? 'Unknown', message: text(status.health?.message) }),
    operation: operation
      ? compact({
          phase: text(operation.phase) ?? 'Unknown',
          message: text(operation.message),
          startedAt: text(operation.startedAt),
          finishedAt: text(operation.finishedAt),
          revision: text(operation.syncResult?.revision) ?? text(operation.operation?.sync?.revision),
        })
      : undefined,
    reconciledAt: text(status.reconciledAt),
    conditions: Array.isArray(status.conditions) && status.conditions.length
      ? status.conditions.map((c: any) => compact({ type: String(c?.type ?? ''), message: text(c?.message) }))
      : undefined,
    history: history
      .slice(-HISTORY_LIMIT)
      .reverse()
      .map((h) => compact({
        id: typeof h?.id === 'number' ? h.id : undefined,
        revision: text(h?.revision) ?? text(h?.revisions?.[0]),
        deployedAt: text(h?.deployedAt),
        automated: typeof h?.initiatedBy?.automated === 'boolean' ? h.initiatedBy.automated : undefined,
        by: text(h?.initiatedBy?.username),
      })),
    resources: resources.map((r) => compact({
      group: text(r?.group),
      kind: String(r?.kind ?? ''),
      namespace: text(r?.namespace),
      name: String(r?.name ?? ''),
      status: text(r?.status),
      health: text(r?.health?.status) ? compact({ status: r.health.status as string, message: text(r.health.message) }) : undefined,
      hook: r?.hook === true ? true : undefined,
      requiresPruning: r?.requiresPruning === true ? true : undefined,
    })),
    resourceHealth: status.resourceHealthSource !== 'appTree',
  });
}

/** The Applications of a list, by name. */
export function applicationsView(items: any[]): ApplicationView[] {
  return items.map(applicationView).sort((a, b) => a.name.localeCompare(b.name));
}

export type GitopsReader = Pick<KubeReader, 'list' | 'getJson'>;

/** What the cluster says, as a view (the reader's errors propagate). */
export async function readGitops(reader: GitopsReader): Promise<GitopsView> {
  const list = await reader.list(collectionPath('Application', ARGOCD_NAMESPACE));
  if (list === undefined) {
    return { state: 'not-installed', detail: 'the cluster does not serve argoproj.io/v1alpha1 Applications (no Argo CD CRDs)' };
  }
  const observedAt = new Date().toISOString();
  if (list.items.length > 0) return { state: 'ok', applications: applicationsView(list.items), observedAt };
  // A namespaced list of a namespace that does not exist is empty, not 404: ask for the namespace.
  if ((await reader.getJson(`/api/v1/namespaces/${ARGOCD_NAMESPACE}`)) === undefined) {
    return { state: 'not-installed', detail: `no namespace "${ARGOCD_NAMESPACE}" (the Application CRD is left from an earlier install)` };
  }
  return { state: 'no-applications', applications: [], observedAt };
}

export type GitopsOptions = {
  /** The state of the cluster to read (solo mode: the environments adapter's). */
  status?: () => Promise<ClusterStatus>;
  /**
   * The cluster to read. `{}` is the grader's default (KUBECONFIG, ~/.kube/config); undefined: this
   * learner has no cluster. Default (solo mode): the learner cluster when its kubeconfig exists, else `{}`.
   */
  cluster?: () => ClusterOptions | undefined;
  /** Test seam: how a reader is made for a choice of cluster. */
  connect?: (options: ClusterOptions) => Promise<GitopsReader>;
};

const learnerCluster = (): ClusterOptions => {
  const kubeconfig = clusterKubeconfig();
  return existsSync(kubeconfig) ? { kubeconfig } : {};
};

/** The view, from whichever cluster the terminal and the Check button use. */
export function createGitopsReader(options: GitopsOptions = {}): () => Promise<GitopsView> {
  const chooseOptions = options.cluster ?? learnerCluster;
  const makeReader = options.connect ?? ((o: ClusterOptions) => connect(o));
  // One reader (one kept-alive connection) per kubeconfig file as it is now: a recreated cluster
  // writes a new kubeconfig (new port, new certificates), which makes a new reader.
  let current: { key: string; reader: Promise<GitopsReader> } | undefined;
  const reader = (chosen: ClusterOptions): Promise<GitopsReader> => {
    const choice = chooseCluster(chosen);
    let stamp = '';
    try {
      stamp = String(statSync(choice.kubeconfig).mtimeMs);
    } catch {
      // a KUBECONFIG list of files: its first file's time is not worth more than none
    }
    const key = `${choice.kubeconfig}\0${choice.context ?? ''}\0${stamp}`;
    if (current?.key === key) return current.reader;
    const made = makeReader(chosen);
    current = { key, reader: made };
    made.catch(() => {
      if (current?.reader === made) current = undefined;
    });
    return made;
  };

  /** While the learner cluster is being built its Applications cannot be read: say so, with progress. */
  const beingBuilt = async (): Promise<GitopsView | undefined> => {
    const cluster = await options.status?.().catch(() => undefined);
    if (cluster?.state !== 'creating') return undefined;
    return { state: 'cluster-not-ready', detail: cluster.detail ?? `cluster "${cluster.name}" is being created`, progress: cluster.progress };
  };

  return async () => {
    const chosen = chooseOptions();
    // No kubeconfig of this learner's yet: it may be on its way (then another one is not the one to show).
    if (!chosen?.kubeconfig) {
      const building = await beingBuilt();
      if (building) return building;
    }
    if (!chosen) return { state: 'no-cluster', detail: 'this learner has no cluster yet' };
    try {
      return await readGitops(await reader(chosen));
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      const building = await beingBuilt();
      if (building) return building;
      if (error instanceof NoKubeconfigError) return { state: 'no-cluster', detail: firstLine(error) };
      return { state: 'unreachable', detail: firstLine(error) };
    }
  };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
};

/** One read shared by every poll within CACHE_MS (counted from when it finished); failures are not kept. */
function shared(read: () => Promise<GitopsView>): () => Promise<GitopsView> {
  let last: { at: number; view: Promise<GitopsView> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > CACHE_MS) {
      const pending = read();
      last = { at: Date.now(), view: pending };
      pending.then(
        () => {
          if (last?.view === pending) last.at = Date.now();
        },
        () => {
          if (last?.view === pending) last = undefined;
        },
      );
    }
    return last.view;
  };
}

export type GitopsHandlerOptions = Pick<GitopsOptions, 'connect'> & {
  /** Solo mode: the learner cluster's state. */
  environments?: EnvironmentsAdapter;
  /** Classroom mode: who is asking (undefined: nobody signed in → 401); their cluster is read. */
  caller?: (req: IncomingMessage) => LabCaller | undefined;
  /** Test seam: the whole read (solo mode). */
  read?: () => Promise<GitopsView>;
  log?: (line: string) => void;
};

/**
 * The endpoint: answers GET /api/gitops/applications and returns true; anything else returns false
 * (the server's Host check has already run). Concurrent polls of one cluster share one read.
 */
export function createGitopsHandler(options: GitopsHandlerOptions = {}) {
  const log = options.log ?? (() => {});
  const solo = shared(options.read ?? createGitopsReader({ status: options.environments?.status, connect: options.connect }));
  /** Classroom mode: one shared read per learner, reading the cluster their latest request names. */
  const learners = new Map<string, { caller: LabCaller; view: () => Promise<GitopsView> }>();
  const learnerView = (caller: LabCaller): Promise<GitopsView> => {
    let entry = learners.get(caller.learner);
    if (!entry) {
      const current = (): LabCaller => learners.get(caller.learner)!.caller;
      entry = {
        caller,
        view: shared(createGitopsReader({
          status: () => current().cluster?.() ?? Promise.reject(new Error('no cluster status')),
          cluster: () => (current().kubeconfig ? { kubeconfig: current().kubeconfig } : undefined),
          connect: options.connect,
        })),
      };
      learners.set(caller.learner, entry);
    }
    entry.caller = caller;
    return entry.view();
  };

  return async function handleGitops(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== GITOPS_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      json(res, 405, { error: 'use GET' });
      return true;
    }
    // Only this origin's pages (or a person typing the address) may read the cluster's state.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      json(res, 403, { error: 'forbidden: cross-site request' });
      return true;
    }
    const caller = options.caller?.(req);
    if (options.caller && !caller) {
      json(res, 401, { error: 'not signed in: join the class first' });
      return true;
    }
    try {
      // A classroom learner's environment frozen while idle is thawed first (a failed thaw reads as no cluster).
      await caller?.wake?.().catch((error: unknown) => log(`gitops view: waking ${caller.learner}: ${firstLine(error)}`));
      json(res, 200, await (caller ? learnerView(caller) : solo()));
    } catch (error) {
      log(`gitops view: ${firstLine(error)}`);
      json(res, 500, { error: firstLine(error) });
    }
    return true;
  };
}
