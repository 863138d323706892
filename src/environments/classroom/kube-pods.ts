// What the host's pods say about the kubernetes provider's environments: which belong to which
// environment, why one is not usable (its node or toolbox pod gone or failing), and waiting for
// a pod to run.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { sleep } from '../../base/exec.ts';
import { kubeLabel, toolboxName } from './kube-objects.ts';

/** A pool's pods by the environment they belong to (their env label). */
export function podsByEnvironment(pods: V1Pod[]): Map<string, V1Pod[]> {
  const podsOf = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const env = p.metadata?.labels?.[kubeLabel.env] ?? '';
    podsOf.set(env, [...(podsOf.get(env) ?? []), p]);
  }
  return podsOf;
}

/** Why an environment's pods are not usable, or '' when its node is ready and its toolbox runs. */
export function environmentProblem(pods: V1Pod[], env: string): string {
  const node = pods.find((p) => p.metadata?.labels?.[kubeLabel.role] === 'node');
  const toolbox = pods.find((p) => p.metadata?.labels?.[kubeLabel.role] === 'toolbox');
  if (!node || node.metadata?.deletionTimestamp) return `its node pod ${env} is gone`;
  if (node.status?.phase !== 'Running') return `its node pod is ${node.status?.phase ?? 'unknown'}${podProblem(node) ? `: ${podProblem(node)}` : ''}`;
  if (!toolbox || toolbox.metadata?.deletionTimestamp) return `its shell pod ${toolboxName(env)} is gone`;
  if (toolbox.status?.phase !== 'Running') return `its shell pod is ${toolbox.status?.phase ?? 'unknown'}`;
  return '';
}

/** A pod's trouble in one line: a waiting container's reason, a termination, the scheduler's message. */
export function podProblem(pod: V1Pod): string {
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'PodInitializing' && waiting.reason !== 'ContainerCreating') return `${c.name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    const term = c.state?.terminated;
    if (term && term.exitCode !== 0) return `${c.name}: exited ${term.exitCode} (${term.reason ?? ''})`;
  }
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return unscheduled?.message ?? pod.status?.reason ?? '';
}

/** Waits for a pod to be Running (and Ready when `ready`); a failed or vanished pod is an error with its reason. */
export async function waitForPod(core: CoreV1Api, namespace: string, name: string, ready: boolean, timeoutMs: number): Promise<V1Pod> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const pod = await core.readNamespacedPod({ name, namespace });
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') throw new Error(`pod ${name} ended (${phase}): ${podProblem(pod)}`);
    const isReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (phase === 'Running' && (!ready || isReady)) return pod;
    last = podProblem(pod) || phase || 'Pending';
    await sleep(1000);
  }
  throw new Error(`pod ${name} not ${ready ? 'ready' : 'running'} after ${Math.round(timeoutMs / 1000)} s: ${last}`);
}
