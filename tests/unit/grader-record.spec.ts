// What happened, read from the record (grader/record.ts): kubelet's probe Events, a Deployment's
// rollout bookkeeping, an Argo CD Application's sync history, Helm's history for lab 07. Pure logic
// on objects shaped as the API returns them; tests/cluster/labs.spec.ts proves the same on a real
// cluster ("graded too early").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../grader/context.ts';
import { releaseHistory } from '../../grader/helm.ts';
import {
  containerEvents, probeFailures, rolloutOf, secondsBetween, secondsToGiveUp, syncRecord,
} from '../../grader/record.ts';
import { rollbackHistory } from '../../labs/07-helm-upgrade/check.ts';

const pod = (uid: string, startedAt?: string, restartCount = 0): KubeObject => ({
  kind: 'Pod',
  metadata: { name: 'readiness-http', namespace: 'readiness', uid },
  spec: { containers: [{ name: 'readiness', readinessProbe: { periodSeconds: 3 } }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'readiness', restartCount, ready: false, state: startedAt ? { running: { startedAt } } : { waiting: {} } }],
  },
});

let serial = 0;
/** A kubelet Event as core/v1 returns it (kubelet aggregates repeats: count, first/last timestamp). */
const kubeletEvent = (fields: { uid?: string; container?: string; reason: string; message: string; first: string; last?: string; count?: number }): KubeObject => ({
  kind: 'Event',
  metadata: { name: `readiness-http.${++serial}`, namespace: 'readiness', creationTimestamp: fields.first },
  involvedObject: { kind: 'Pod', name: 'readiness-http', uid: fields.uid ?? 'pod-1', fieldPath: `spec.containers{${fields.container ?? 'readiness'}}` },
  reason: fields.reason,
  message: fields.message,
  type: 'Warning',
  firstTimestamp: fields.first,
  lastTimestamp: fields.last ?? fields.first,
  count: fields.count ?? 1,
});

const started = '2026-03-02T14:56:03Z';
const scheduled = kubeletEvent({ reason: 'Started', message: 'Started container readiness', first: started });

describe('probe failures from kubelet Events', () => {
  it('finds none the moment the pod runs: Running and not Ready before any probe (the class that passed at 14:56:04.6)', () => {
    expect(probeFailures([scheduled], pod('pod-1', started), { container: 'readiness', probe: 'Readiness', since: started })).toEqual({ count: 0 });
  });

  it('counts "Readiness probe failed" Events of this pod, with their aggregated count and times', () => {
    const failed = kubeletEvent({
      reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
      first: '2026-03-02T14:56:14Z', last: '2026-03-02T14:56:20Z', count: 3,
    });
    const failures = probeFailures([scheduled, failed], pod('pod-1', started), { container: 'readiness', probe: 'Readiness', since: started });
    expect(failures).toEqual({
      count: 3, first: '2026-03-02T14:56:14Z', last: '2026-03-02T14:56:20Z',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 500',
    });
  });

  it('reads kubelet\'s combined message ("(combined from similar events): …")', () => {
    const combined = kubeletEvent({ reason: 'Unhealthy', message: '(combined from similar events): Readiness probe failed: Get "http://10.244.0.9:8080/healthz": dial tcp: connection refused', first: '2026-03-02T14:56:14Z' });
    expect(probeFailures([combined], pod('pod-1', started), { container: 'readiness', probe: 'Readiness' }).count).toBe(1);
  });

  it('ignores another probe, another container, and an earlier pod of the same name (another uid)', () => {
    const events = [
      kubeletEvent({ reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 500', first: '2026-03-02T14:56:14Z' }),
      kubeletEvent({ reason: 'Unhealthy', message: 'Readiness probe failed: statuscode: 500', first: '2026-03-02T14:56:14Z', container: 'sidecar' }),
      kubeletEvent({ reason: 'Unhealthy', message: 'Readiness probe failed: statuscode: 500', first: '2026-03-02T14:40:00Z', uid: 'pod-0', count: 9 }),
    ];
    expect(probeFailures(events, pod('pod-1', started), { container: 'readiness', probe: 'Readiness' }).count).toBe(0);
    expect(containerEvents(events, pod('pod-1', started), 'readiness')).toHaveLength(1);
  });

  it('with `since`, ignores failures of a run before a restart: the new run is Running and not Ready before its first probe', () => {
    const restartedAt = '2026-03-02T14:58:00Z';
    const before = kubeletEvent({ reason: 'Unhealthy', message: 'Readiness probe failed: statuscode: 500', first: '2026-03-02T14:56:14Z', last: '2026-03-02T14:57:50Z', count: 30 });
    const restarted = pod('pod-1', restartedAt, 1);
    expect(probeFailures([before], restarted, { container: 'readiness', probe: 'Readiness', since: restartedAt }).count).toBe(0);
    expect(probeFailures([before], restarted, { container: 'readiness', probe: 'Readiness' }).count).toBe(30);
  });

  it('reads events.k8s.io Events (eventTime and series) too', () => {
    const event: KubeObject = {
      kind: 'Event',
      metadata: { name: 'x', creationTimestamp: '2026-03-02T14:56:14Z' },
      involvedObject: { kind: 'Pod', name: 'readiness-http', uid: 'pod-1' },
      reason: 'Unhealthy',
      message: 'Readiness probe failed: boom',
      eventTime: '2026-03-02T14:56:14.123456Z',
      series: { count: 5, lastObservedTime: '2026-03-02T14:56:26.000001Z' },
    };
    expect(probeFailures([event], pod('pod-1', started), { container: 'readiness', probe: 'Readiness', since: '2026-03-02T14:56:20Z' }))
      .toMatchObject({ count: 5, first: '2026-03-02T14:56:14.123456Z', last: '2026-03-02T14:56:26.000001Z' });
  });

  it('knows when a liveness probe that keeps failing has failed failureThreshold times (lab 03: 5 s × 3)', () => {
    expect(secondsToGiveUp({ periodSeconds: 5, failureThreshold: 3 })).toBe(10);
    expect(secondsToGiveUp({ initialDelaySeconds: 3, periodSeconds: 3 })).toBe(9);
    expect(secondsToGiveUp({})).toBe(20);
    expect(secondsBetween('2026-03-02T14:56:03Z', '2026-03-02T14:56:28Z')).toBe(25);
    expect(secondsBetween(undefined, '2026-03-02T14:56:28Z')).toBeUndefined();
  });
});

describe('a Deployment rollout from its controller\'s record', () => {
  const deployment = (status: Record<string, unknown>, generation = 2, replicas = 1): KubeObject => ({
    kind: 'Deployment',
    metadata: { name: 'mynginx', generation },
    spec: { replicas },
    status,
  });
  const done = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' };

  it('is complete when the current generation is observed and every replica is new, ready and available', () => {
    const rollout = rolloutOf(deployment({ observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [done] }));
    expect(rollout.complete).toBe(true);
  });

  it('is not complete right after `helm install`: objects exist, no replica ready, Progressing not reported', () => {
    const rollout = rolloutOf(deployment({}, 1));
    expect(rollout).toEqual({ complete: false, summary: '0 updated, 0 ready, 0 available, 0 total of 1 (generation 1 not yet observed); Progressing not reported yet' });
  });

  it('is not complete while an upgrade to a missing image hangs, though the old pod keeps it Available', () => {
    const rollout = rolloutOf(deployment({
      observedGeneration: 3, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1,
      conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }],
    }, 3));
    expect(rollout.complete).toBe(false);
    expect(rollout.summary).toContain('Progressing True (ReplicaSetUpdated)');
  });
});

describe('an Argo CD Application\'s sync record', () => {
  const captured = JSON.parse(readFileSync(new URL('./testdata/argocd-application-custom-nginx.json', import.meta.url), 'utf8')) as KubeObject;

  it('reads the completed syncs (oldest first) and the last operation of lab 08 solved', () => {
    const record = syncRecord(captured);
    expect(record.history.map((h) => h.revision.slice(0, 7))).toEqual(['e87c608', '262f377']);
    expect(record.latest?.revision).toBe(record.compared);
    expect(record.operation).toEqual({ phase: 'Succeeded', revision: record.compared });
  });

  it('tells a push Argo CD has seen (compared, OutOfSync) from one it synced', () => {
    const pushed = '0123456789abcdef0123456789abcdef01234567';
    const seen = structuredClone(captured);
    seen.status.history = seen.status.history.slice(0, 1);
    seen.status.sync = { ...seen.status.sync, status: 'OutOfSync', revision: pushed };
    const record = syncRecord(seen);
    expect(record.compared).toBe(pushed);
    expect(record.latest?.revision).toBe(record.history[0]?.revision);
  });

  it('has no sync when objects merely match git (Synced, no history)', () => {
    const bare = structuredClone(captured);
    delete bare.status.history;
    delete bare.status.operationState;
    expect(syncRecord(bare)).toMatchObject({ history: [], latest: undefined, operation: undefined });
  });
});

describe('lab 07: a rollback after a failed upgrade, from Helm\'s history', () => {
  const history = (fixture: string) =>
    releaseHistory(JSON.parse(readFileSync(new URL(`./testdata/${fixture}`, import.meta.url), 'utf8')).items, 'mynginx');

  it('passes Helm 4\'s record: upgrade to 1.999 failed, then "Rollback to 2" deployed', () => {
    const outcome = rollbackHistory(history('helm-release-history-helm4.json'));
    expect(outcome.passed, outcome.observed).toBe(true);
    expect(outcome.observed).toMatch(/revision 3 \(1\.999-no-such-tag\) failed; revision 4: Rollback to 2/);
  });

  it('fails a rollback after an upgrade that went fine (Helm 3 record: revision 3 to latest, superseded)', () => {
    const outcome = rollbackHistory(history('helm-release-history-helm3.json'));
    expect(outcome.passed).toBe(false);
    expect(outcome.observed).toMatch(/revision 3 \(latest\) after 2 did not fail: superseded, "Upgrade complete"/);
  });

  it('fails a rollback still in progress (pending-rollback, already described "Rollback to 2")', () => {
    const revisions = history('helm-release-history-helm4.json');
    revisions.at(-1)!.status = 'pending-rollback';
    expect(rollbackHistory(revisions)).toMatchObject({ passed: false, observed: expect.stringMatching(/is pending-rollback, not deployed/) });
  });

  it('fails before any rollback: the failed upgrade is the newest revision', () => {
    const revisions = history('helm-release-history-helm4.json').slice(0, 3);
    expect(rollbackHistory(revisions)).toMatchObject({ passed: false, observed: expect.stringMatching(/^latest revision 3: "Upgrade "mynginx" failed/) });
  });
});
