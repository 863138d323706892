// What has *happened*, read from the cluster's record rather than from a state that also holds
// before anything happened: kubelet's Events (reason, message, count, first/last seen), a
// container's current run, a Deployment's rollout bookkeeping, an Argo CD Application's sync
// history. A pod applied a moment ago is Running, not Ready and never restarted whatever its probes
// say; only these records tell a probe that failed from a probe that has not run yet.
// Pure logic on objects as the API returns them: the cluster reads live in assertions.ts.
import type { KubeObject } from './context.ts';

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

type Probe = { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number };
export type ContainerSpec = { name: string; livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe; [field: string]: unknown };

const seconds = (time: string | undefined): number | undefined => {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
};

/** When an Event was first seen (core/v1 events and events.k8s.io's eventTime). */
export const firstSeen = (e: KubeObject): string | undefined => e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
/** When an Event was last seen (a series' last observation, else lastTimestamp). */
export const lastSeen = (e: KubeObject): string | undefined =>
  e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
/** How many times the Event happened (kubelet aggregates repeats into one Event with a count). */
export const timesSeen = (e: KubeObject): number => e.series?.count ?? e.count ?? 1;

/** Events about this pod (the same uid: not an earlier pod of the same name) and this container. */
export function containerEvents(events: KubeObject[], pod: KubeObject, container: string): KubeObject[] {
  return events.filter((e) => {
    const about = e.involvedObject ?? {};
    if (about.kind !== 'Pod' || about.name !== pod.metadata.name) return false;
    if (about.uid && pod.metadata.uid && about.uid !== pod.metadata.uid) return false;
    return !about.fieldPath || about.fieldPath === `spec.containers{${container}}`;
  });
}

export const containerSpec = (pod: KubeObject, container: string): ContainerSpec | undefined =>
  (pod.spec?.containers ?? []).find((c: ContainerSpec) => c.name === container);

export const containerStatusOf = (pod: KubeObject, container: string): Record<string, any> | undefined =>
  (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === container);

/** When the container's current run started (undefined when it is not running). */
export const currentRunStart = (pod: KubeObject, container: string): string | undefined =>
  containerStatusOf(pod, container)?.state?.running?.startedAt;

/** kubelet's default failureThreshold is 3. */
export const failureThreshold = (probe: Probe | undefined): number => probe?.failureThreshold ?? 3;

/**
 * Seconds after a container starts by which a probe that kept failing has failed failureThreshold
 * times (its first probe at initialDelaySeconds, then one per periodSeconds), so kubelet acts on it.
 */
export const secondsToGiveUp = (probe: Probe): number =>
  (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (failureThreshold(probe) - 1);

export type ProbeFailures = {
  /** Failures counted (the sum of the matching Events' counts). */
  count: number;
  first?: string;
  last?: string;
  /** The newest matching Event's message, for `observed`. */
  message?: string;
};

/**
 * kubelet's "Unhealthy" Events saying `<Probe> probe failed` for this pod's container. With `since`,
 * only Events last seen at or after that time (to the second, the Events' resolution) count: e.g.
 * the container's current run, so failures of a run before a restart do not.
 */
export function probeFailures(
  events: KubeObject[],
  pod: KubeObject,
  options: { container: string; probe: ProbeKind; since?: string },
): ProbeFailures {
  const since = seconds(options.since);
  const hits = containerEvents(events, pod, options.container).filter(
    (e) =>
      e.reason === 'Unhealthy' &&
      typeof e.message === 'string' &&
      e.message.includes(`${options.probe} probe failed`) &&
      (since === undefined || (seconds(lastSeen(e)) ?? -Infinity) >= since),
  );
  if (hits.length === 0) return { count: 0 };
  const byFirst = [...hits].sort((a, b) => (seconds(firstSeen(a)) ?? 0) - (seconds(firstSeen(b)) ?? 0));
  const byLast = [...hits].sort((a, b) => (seconds(lastSeen(a)) ?? 0) - (seconds(lastSeen(b)) ?? 0));
  return {
    count: hits.reduce((sum, e) => sum + timesSeen(e), 0),
    first: firstSeen(byFirst[0]!),
    last: lastSeen(byLast.at(-1)!),
    message: byLast.at(-1)!.message,
  };
}

/** Seconds from `from` to `to` (RFC 3339 times), or undefined when either is missing. */
export function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  const a = seconds(from);
  const b = seconds(to);
  return a === undefined || b === undefined ? undefined : b - a;
}

export type Rollout = { complete: boolean; summary: string };

/**
 * Whether a Deployment's controller finished rolling out its *current* spec: it observed this
 * generation, every replica runs the new template and is ready and available, no old replicas are
 * left, and its Progressing condition says NewReplicaSetAvailable. An old ReplicaSet's pods keep
 * Available=True through a broken upgrade; this record does not.
 */
export function rolloutOf(deployment: KubeObject): Rollout {
  const s = deployment.status ?? {};
  const want = deployment.spec?.replicas ?? 1;
  const progressing = (s.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing');
  const observed = (s.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0);
  const complete =
    observed &&
    s.updatedReplicas === want && s.readyReplicas === want && s.availableReplicas === want && s.replicas === want &&
    progressing?.status === 'True' && progressing?.reason === 'NewReplicaSetAvailable';
  const summary =
    `${s.updatedReplicas ?? 0} updated, ${s.readyReplicas ?? 0} ready, ${s.availableReplicas ?? 0} available, ${s.replicas ?? 0} total of ${want}` +
    `${observed ? '' : ` (generation ${deployment.metadata.generation} not yet observed)`}` +
    `; Progressing ${progressing ? `${progressing.status} (${progressing.reason ?? '?'})` : 'not reported yet'}`;
  return { complete, summary };
}

export type SyncRecord = { revision: string; deployedAt?: string; id?: number };

/**
 * What an Argo CD Application has actually synced, from its own record: `status.history` (one
 * entry per completed sync, oldest first) and the last operation. `status.sync.revision` is only
 * what git says now (compared, not applied): after a push Argo CD reports the new revision as
 * OutOfSync before any sync happens.
 */
export function syncRecord(app: KubeObject): {
  history: SyncRecord[];
  /** The revision git says now (compared). */
  compared?: string;
  /** The newest completed sync. */
  latest?: SyncRecord;
  /** The last operation's phase and revision (Succeeded, Failed, Running…). */
  operation?: { phase?: string; revision?: string };
} {
  const history: SyncRecord[] = (app.status?.history ?? []).filter((h: SyncRecord) => typeof h.revision === 'string');
  const op = app.status?.operationState;
  return {
    history,
    compared: app.status?.sync?.revision,
    latest: history.at(-1),
    operation: op ? { phase: op.phase, revision: op.syncResult?.revision ?? op.operation?.sync?.revision } : undefined,
  };
}

/** Short form of a git revision. */
export const shortRevision = (revision: string | undefined): string => (revision ?? '?').slice(0, 8);
