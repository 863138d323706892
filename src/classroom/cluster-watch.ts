// Grading on cluster events (issue #12: "on cluster watch events or every ~15 s"): one watch on
// the pods of each learner's cluster. What the labs check moves pods — a probe restarts a
// container, an overlay rolls a Deployment, Argo CD syncs a chart — so a pod event is the moment
// to grade; continuous grading's 15-s rounds stay as the net for anything else.
import { KubeConfig, Watch } from '@kubernetes/client-node';

/** The platform's own pods: their events say nothing about the learner's work. */
const QUIET_NAMESPACES = new Set(['kube-system', 'local-path-storage']);

export type WatchedLearner = { id: number; kubeconfig: string };

export type ClusterWatchDeps = {
  /** Learners whose cluster is ready now, with the kubeconfig this server reaches it by. */
  learners: () => WatchedLearner[];
  /** Something of this learner's changed in their cluster. */
  changed: (learnerId: number) => void;
  /** How often the set of watches is brought up to date (and broken watches restarted). */
  syncEveryMs?: number;
  log?: (line: string) => void;
};

type Running = { kubeconfig: string; abort?: AbortController; ended: boolean };

export function watchLearnerClusters(deps: ClusterWatchDeps): { stop(): void; sync(): void; watching(): number[] } {
  const running = new Map<number, Running>();
  let stopped = false;

  function start(learner: WatchedLearner): void {
    const entry: Running = { kubeconfig: learner.kubeconfig, ended: false };
    running.set(learner.id, entry);
    const done = (error: unknown) => {
      entry.ended = true; // the next sync starts another (an API server restart, a timeout)
      if (error && !stopped && !(error instanceof Error && error.name === 'AbortError')) {
        deps.log?.(`cluster watch: learner ${learner.id}: ${(error as Error).message ?? error}`);
      }
    };
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(learner.kubeconfig);
      new Watch(kc)
        .watch('/api/v1/pods', { allowWatchBookmarks: false }, (_phase, pod: { metadata?: { namespace?: string } }) => {
          if (!QUIET_NAMESPACES.has(pod?.metadata?.namespace ?? '')) deps.changed(learner.id);
        }, done)
        .then((abort) => {
          if (stopped || running.get(learner.id) !== entry) abort.abort();
          else entry.abort = abort;
        }, done);
    } catch (error) {
      done(error);
    }
  }

  function sync(): void {
    if (stopped) return;
    const wanted = new Map(deps.learners().map((l) => [l.id, l]));
    for (const [id, entry] of running) {
      const learner = wanted.get(id);
      if (!learner || entry.ended || learner.kubeconfig !== entry.kubeconfig) {
        entry.abort?.abort();
        running.delete(id);
      }
    }
    for (const learner of wanted.values()) if (!running.has(learner.id)) start(learner);
  }

  sync();
  const timer = setInterval(sync, deps.syncEveryMs ?? 5_000);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const entry of running.values()) entry.abort?.abort();
      running.clear();
    },
    sync,
    watching: () => [...running.keys()],
  };
}
