// What the Argo CD view receives (GET /api/gitops): the server reads it from the learner's cluster
// (src/server/gitops.ts), the lesson page draws it (src/components/gitops-view.ts).
import type { ClusterStatus } from './cluster.ts';

export type ResourceView = {
  group?: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Sync status of this object: Synced, OutOfSync, Unknown. */
  status?: string;
  health?: { status: string; message?: string };
  /** A hook (PreSync, PostSync…), not a managed object. */
  hook?: boolean;
  /** In the cluster but no longer in git (shown until pruned). */
  requiresPruning?: boolean;
};

export type HistoryView = {
  id?: number;
  /** The git commit (or chart version) deployed. */
  revision?: string;
  deployedAt?: string;
  /** true: an automated sync; false: a person (see `by`). */
  automated?: boolean;
  by?: string;
};

export type ApplicationView = {
  name: string;
  project?: string;
  source?: { repoURL?: string; path?: string; chart?: string; targetRevision?: string };
  destination?: { server?: string; name?: string; namespace?: string };
  /** syncPolicy.automated is set: Argo CD syncs on its own when git changes. */
  automated: boolean;
  sync: { status: string; revision?: string };
  health: { status: string; message?: string };
  /** The last (or running) sync operation. */
  operation?: { phase: string; message?: string; startedAt?: string; finishedAt?: string; revision?: string };
  reconciledAt?: string;
  conditions?: { type: string; message?: string }[];
  /** Newest first. */
  history: HistoryView[];
  resources: ResourceView[];
  /**
   * false when Argo CD keeps each resource's health outside the Application (Argo CD 3's default,
   * `resourceHealthSource: appTree`); `labs addon argocd` turns persisting it on.
   */
  resourceHealth: boolean;
};

export type GitopsView =
  | { state: 'ok'; applications: ApplicationView[]; observedAt: string }
  | { state: 'no-applications'; applications: []; observedAt: string }
  | { state: 'not-installed'; detail: string }
  | { state: 'cluster-not-ready'; detail: string; progress?: ClusterStatus['progress'] }
  | { state: 'no-cluster'; detail: string }
  | { state: 'unreachable'; detail: string };
