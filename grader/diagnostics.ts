// What a failing check gathers about the objects it was about, like Chainsaw's `catch` or
// `kubectl describe`: status lines, recent events, the last lines of container logs.
import type { Subject } from './assertions.ts';
import { eventTime, type CheckContext, type KubeObject } from './context.ts';
import { labelsMatch } from './match.ts';

const LOG_LINES = 5;
const EVENT_LINES = 6;
const PODS_PER_OWNER = 2;

export async function gatherDiagnostics(ctx: CheckContext, subjects: Subject[]): Promise<string[]> {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const subject of subjects) {
    const key = `${subject.kind}/${subject.namespace}/${subject.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      lines.push(...(await describe(ctx, subject)));
    } catch (error) {
      lines.push(`(could not gather diagnostics for ${subject.kind} ${subject.name}: ${error instanceof Error ? error.message : error})`);
    }
  }
  return lines;
}

async function describe(ctx: CheckContext, subject: Subject): Promise<string[]> {
  const object = await ctx.get(subject.kind, subject.name, { namespace: subject.namespace });
  if (!object) return [];
  if (subject.kind === 'Pod') return describePod(ctx, object);
  if (subject.kind === 'Deployment') return describeDeployment(ctx, object);
  if (subject.kind === 'Application') return describeApplication(object);
  return [...conditionLines(object, `${subject.kind}/${subject.name}`), ...(await eventLines(ctx, object))];
}

function conditionLines(object: KubeObject, label: string): string[] {
  return (object.status?.conditions ?? []).map(
    (c: { type: string; status: string; reason?: string; message?: string }) =>
      `${label}: condition ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`,
  );
}

async function eventLines(ctx: CheckContext, object: KubeObject): Promise<string[]> {
  const events = await ctx.eventsFor(object);
  return events.slice(-EVENT_LINES).map(
    (e) => `${object.kind?.toLowerCase()}/${object.metadata.name}: event ${e.type} ${e.reason} (x${e.count ?? 1}, ${eventTime(e)}): ${e.message}`,
  );
}

function stateText(state: Record<string, any> | undefined): string {
  if (!state) return 'unknown';
  if (state.running) return `running since ${state.running.startedAt}`;
  if (state.waiting) return `waiting (${state.waiting.reason ?? '?'})${state.waiting.message ? `: ${state.waiting.message}` : ''}`;
  if (state.terminated) {
    const t = state.terminated;
    return `terminated (${t.reason ?? '?'}, exit code ${t.exitCode}) at ${t.finishedAt}`;
  }
  return 'unknown';
}

async function describePod(ctx: CheckContext, pod: KubeObject): Promise<string[]> {
  const label = `pod/${pod.metadata.name}`;
  const lines = [`${label}: phase ${pod.status?.phase ?? 'unknown'}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`];
  lines.push(...conditionLines(pod, label).filter((line) => !line.includes('=True')));
  for (const status of pod.status?.containerStatuses ?? []) {
    lines.push(
      `${label}: container ${status.name} (${status.image}) ready=${status.ready} restarts=${status.restartCount}, ${stateText(status.state)}` +
        (status.lastState?.terminated ? `; last ${stateText(status.lastState)}` : ''),
    );
  }
  lines.push(...(await eventLines(ctx, pod)));
  for (const status of pod.status?.containerStatuses ?? []) {
    const previous = status.restartCount > 0 && !status.state?.running;
    const log = await ctx.cluster
      .logTail(pod.metadata.namespace ?? ctx.namespace, pod.metadata.name, status.name, LOG_LINES, previous)
      .catch(() => '');
    for (const line of log.trimEnd().split('\n').filter(Boolean)) {
      lines.push(`${label}: log ${status.name}${previous ? ' (previous)' : ''}: ${line.slice(0, 200)}`);
    }
  }
  return lines;
}

async function describeDeployment(ctx: CheckContext, deployment: KubeObject): Promise<string[]> {
  const label = `deployment/${deployment.metadata.name}`;
  const s = deployment.status ?? {};
  const lines = [
    `${label}: replicas ${s.replicas ?? 0} desired ${deployment.spec?.replicas ?? '?'}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}, available ${s.availableReplicas ?? 0}`,
    ...conditionLines(deployment, label),
  ];
  const selector: Record<string, string> = deployment.spec?.selector?.matchLabels ?? {};
  const pods = (await ctx.list('Pod', { namespace: deployment.metadata.namespace })).filter((p) =>
    labelsMatch(p.metadata.labels, selector),
  );
  const unhealthy = pods.filter((p) => !(p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
  for (const pod of (unhealthy.length ? unhealthy : pods).slice(0, PODS_PER_OWNER)) lines.push(...(await describePod(ctx, pod)));
  return lines;
}

function describeApplication(app: KubeObject): string[] {
  const label = `application/${app.metadata.name}`;
  const s = app.status ?? {};
  const lines = [
    `${label}: sync ${s.sync?.status ?? 'unknown'} at ${s.sync?.revision ?? '?'}, health ${s.health?.status ?? 'unknown'}`,
  ];
  for (const c of s.conditions ?? []) lines.push(`${label}: condition ${c.type}: ${c.message}`);
  if (s.operationState) lines.push(`${label}: last operation ${s.operationState.phase}: ${s.operationState.message ?? ''}`);
  for (const r of (s.resources ?? []).filter((r: any) => r.health && r.health.status !== 'Healthy')) {
    lines.push(`${label}: ${r.kind}/${r.name} ${r.health.status}${r.health.message ? `: ${r.health.message}` : ''}`);
  }
  return lines;
}
