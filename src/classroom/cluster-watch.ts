// Grading on cluster events (issue #12: "on cluster watch events or every ~15 s"): one watch on
// the pods of each learner's cluster. What the labs check moves pods — a probe restarts a
// container, an overlay rolls a Deployment, Argo CD syncs a chart — so a pod event is the moment
// to grade; continuous grading's 15-s rounds stay as the net for anything else.
// The watch is the grader's reader (grader/kube.ts): an event larger than MAX_EVENT_BYTES (a
// learner's pod stuffed with annotations) is not parsed, only its namespace and version are read.
import { connect } from '../../grader/kube.ts';
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import { learnerKey } from './learner-key.ts';

/** The platform's own pods: their events say nothing about the learner's work. */
const QUIET_NAMESPACES = new Set(['kube-system', 'local-path-storage']);

export type WatchedLearner = { id: number; kubeconfig: string };

/**
 * The learners whose cluster is ready now, with the kubeconfig to watch it by. Any other state is
 * not watched: a cluster being made or failed, and one frozen while nobody used it (a paused API
 * server answers nothing; its watch starts again from a fresh list once it is thawed).
 */
export function readyClusters(learners: { id: number }[], environments: Pick<LearnerEnvironments, 'status' | 'kubeconfig'>): WatchedLearner[] {
  return learners.flatMap((learner) => {
    const key = learnerKey(learner);
    const kubeconfig = environments.status(key).state === 'ready' ? environments.kubeconfig(key) : undefined;
    return kubeconfig ? [{ id: learner.id, kubeconfig }] : [];
  });
}

export type ClusterWatchDeps = {
  /** Learners whose cluster is ready now, with the kubeconfig this server reaches it by. */
  learners: () => WatchedLearner[];
  /** Something of this learner's changed in their cluster. */
  changed: (learnerId: number) => void;
  /** How often the set of watches is brought up to date (and ended watches resumed). */
  syncEveryMs?: number;
  /** How long the API server keeps one watch open (default WATCH_SECONDS). */
  watchSeconds?: number;
  log?: (line: string) => void;
};

type Running = { kubeconfig: string; stop?: () => void; ended: boolean; resourceVersion?: string };

/** Ordinary pods are a few KiB of JSON; what is larger is read only for its namespace and version. */
const MAX_EVENT_BYTES = 64 << 10;

/** The API server ends each watch after this long; it is resumed from the last version seen, so nothing is missed or repeated. */
const WATCH_SECONDS = 25;

export function watchLearnerClusters(deps: ClusterWatchDeps): { stop(): void; sync(): void; watching(): number[] } {
  const running = new Map<number, Running>();
  /** Each learner's last watch error: logged once, not at every retry. */
  const lastError = new Map<number, string>();
  let stopped = false;

  function start(learner: WatchedLearner, resourceVersion?: string): void {
    const entry: Running = { kubeconfig: learner.kubeconfig, ended: false, resourceVersion };
    running.set(learner.id, entry);
    const done = (error: unknown) => {
      entry.ended = true; // the next sync resumes it
      const name = (error as { name?: string } | null)?.name;
      if ((error as { statusCode?: number } | null)?.statusCode === 410) entry.resourceVersion = undefined;
      else if (error && !stopped && name !== 'AbortError' && name !== 'TimeoutError') {
        const message = String((error as Error).message ?? error);
        if (lastError.get(learner.id) !== message) deps.log?.(`cluster watch: learner ${learner.id}: ${message}`);
        lastError.set(learner.id, message);
      }
    };
    type Event = { metadata?: { namespace?: string; resourceVersion?: string }; code?: number };
    connect({ kubeconfig: learner.kubeconfig })
      .then((reader) => reader.watch('/api/v1/pods', { timeoutSeconds: deps.watchSeconds ?? WATCH_SECONDS, resourceVersion: entry.resourceVersion, maxEventBytes: MAX_EVENT_BYTES }, (phase, object: Event) => {
        // A resumed watch whose version is too old (410 Gone) starts over from a fresh list.
        if (phase === 'ERROR') return void (object?.code === 410 && (entry.resourceVersion = undefined));
        if (object?.metadata?.resourceVersion) entry.resourceVersion = object.metadata.resourceVersion;
        lastError.delete(learner.id);
        if (phase !== 'BOOKMARK' && !QUIET_NAMESPACES.has(object?.metadata?.namespace ?? '')) deps.changed(learner.id);
      }, done))
      .then((stop) => {
        if (stopped || running.get(learner.id) !== entry) stop();
        else entry.stop = stop;
      }, done);
  }

  function sync(): void {
    if (stopped) return;
    const wanted = new Map(deps.learners().map((l) => [l.id, l]));
    for (const [id, entry] of running) {
      const learner = wanted.get(id);
      if (learner && entry.ended && learner.kubeconfig === entry.kubeconfig) {
        start(learner, entry.resourceVersion); // the same cluster: resume where it ended
      } else if (!learner || learner.kubeconfig !== entry.kubeconfig) {
        entry.stop?.();
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
      for (const entry of running.values()) entry.stop?.();
      running.clear();
    },
    sync,
    watching: () => [...running.keys()],
  };
}
