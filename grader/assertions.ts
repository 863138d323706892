// Typed assertions a lab's check.ts composes: each reads through the CheckContext (cached,
// watchable) and returns an Outcome with what was expected and what the cluster shows.
// Subjects name the objects a failing check is about; verify gathers their diagnostics.
import type { CheckContext, KubeObject } from './context.ts';
import { effectiveValue, latestRevision, type HelmRelease } from './helm.ts';
import type { KindName } from './kinds.ts';
import { containerNearMiss, lookElsewhere, releaseElsewhere, type NearMiss } from './near-miss.ts';
import {
  containerSpec, containerStatusOf, currentRunStart, probeFailures, rolloutOf, secondsBetween, secondsToGiveUp,
  type ContainerSpec, type ProbeKind,
} from './record.ts';
import {
  atLeast, describeExpected, describeMismatch, findMismatch, includes, isMatcher, not, oneOf, show, type Matcher,
} from './match.ts';

export type Subject = { kind: KindName; name: string; namespace?: string };

export type Outcome = {
  passed: boolean;
  expected?: string;
  observed?: string;
  diagnostics?: string[];
  /** Objects whose state explains a failure (pods, deployments, applications). */
  subjects?: Subject[];
  /** What the task looks for exists elsewhere (verify decides whether to say so: near-miss.ts). */
  nearMiss?: NearMiss;
};

export type Assertion = (ctx: CheckContext) => Promise<Outcome>;

/** What check.ts exports: one assertion per task id of lab.yaml. */
export type LabChecks = Record<string, Assertion>;

export const defineChecks = (checks: LabChecks): LabChecks => checks;

export const pass = (expected?: string, observed?: string): Outcome => ({ passed: true, expected, observed });
export const fail = (expected: string, observed: string, subjects: Subject[] = []): Outcome => ({
  passed: false,
  expected,
  observed,
  subjects,
});

type Locator = { kind: KindName; name?: string; labels?: Record<string, string>; namespace?: string };

const where = (ctx: CheckContext, namespace?: string) => `namespace "${namespace ?? ctx.namespace}"`;
const describeTarget = (l: Locator) =>
  l.name ? `${l.kind} "${l.name}"` : `${l.kind} with labels ${Object.entries(l.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}`;

/** The failure of a task whose object is not there: what is there instead, and where it may have gone. */
export async function missing(ctx: CheckContext, locator: Locator, expected: string): Promise<Outcome> {
  if (!(await ctx.served(locator.kind, locator))) return fail(expected, `the cluster does not serve ${locator.kind} (is its CRD installed?)`);
  const present = (await ctx.list(locator.kind, { namespace: locator.namespace })).map((o) => o.metadata.name);
  const observed = present.length
    ? `not found; ${locator.kind}s there: ${present.slice(0, 8).join(', ')}${present.length > 8 ? ', …' : ''}`
    : `not found; ${where(ctx, locator.namespace)} has no ${locator.kind}s`;
  const nearMiss = await lookElsewhere(ctx, { ...locator, namespace: locator.namespace ?? ctx.namespace });
  return { ...fail(expected, observed), ...(nearMiss && { nearMiss }) };
}

/** Find objects by name or label selector. */
export async function find(ctx: CheckContext, locator: Locator): Promise<KubeObject[]> {
  if (locator.name) ctx.sought.add(`${locator.kind}/${locator.name}`);
  const items = await ctx.list(locator.kind, { namespace: locator.namespace, labels: locator.labels });
  return locator.name ? items.filter((o) => o.metadata.name === locator.name) : items;
}

/**
 * The object(s) exist and each matches `match` partially (Chainsaw's assert).
 * With `labels` and no name, every selected object must match and `count` (default ≥ 1) must hold.
 */
export function resource(
  locator: Locator & { match?: unknown; count?: number | Matcher; explain?: string },
): Assertion {
  return async (ctx) => {
    const found = await find(ctx, locator);
    const target = `${describeTarget(locator)} in ${where(ctx, locator.namespace)}`;
    const subjects = (objects: KubeObject[]) =>
      objects.map((o) => ({ kind: locator.kind, name: o.metadata.name, namespace: o.metadata.namespace }));
    if (found.length === 0) return missing(ctx, locator, locator.explain ?? target);
    const count = locator.count ?? (locator.name ? 1 : undefined);
    if (count !== undefined) {
      const ok = isMatcher(count) ? count.test(found.length) : found.length === count;
      if (!ok) return fail(`${describeExpected(count)} ${target}`, `${found.length} found`, subjects(found));
    }
    for (const object of found) {
      const mismatch = findMismatch(object, locator.match ?? {});
      if (mismatch) {
        const outcome = fail(
          `${locator.kind} "${object.metadata.name}": ${mismatch.path} ${mismatch.expected}`,
          `${mismatch.path}: ${mismatch.observed}`,
          subjects([object]),
        );
        // The pod is there but its container has another name: say which it has.
        const container = locator.kind === 'Pod' && mismatch.observed === 'absent' ? /^spec\.containers\[(.+)\]$/.exec(mismatch.path)?.[1] : undefined;
        return container ? { ...outcome, nearMiss: containerNearMiss(object, container) } : outcome;
      }
    }
    return pass(locator.explain ?? target, found.map((o) => `${locator.kind} "${o.metadata.name}"`).join(', '));
  };
}

/** No object matches (e.g. nothing unprefixed was applied). `where` narrows what counts. */
export function absentResource(locator: Locator & { where?: (o: KubeObject) => boolean; explain?: string }): Assertion {
  return async (ctx) => {
    const found = (await find(ctx, locator)).filter((o) => locator.where?.(o) ?? true);
    const expected = locator.explain ?? `no ${describeTarget(locator)} in ${where(ctx, locator.namespace)}`;
    return found.length === 0
      ? pass(expected, 'none found')
      : fail(expected, `found ${found.map((o) => `${locator.kind} "${o.metadata.name}"`).join(', ')}`);
  };
}

/** A status condition, e.g. Pod Ready=False or Deployment Available=True. */
export function condition(locator: Locator & { name: string; type: string; status?: 'True' | 'False' | 'Unknown' }): Assertion {
  const status = locator.status ?? 'True';
  return async (ctx) => {
    const [object] = await find(ctx, locator);
    const expected = `${locator.kind} "${locator.name}" condition ${locator.type}=${status}`;
    if (!object) return missing(ctx, locator, expected);
    const found = (object.status?.conditions ?? []).find((c: { type: string }) => c.type === locator.type);
    const subject = [{ kind: locator.kind, name: locator.name, namespace: object.metadata.namespace }];
    if (!found) return fail(expected, `no ${locator.type} condition yet`, subject);
    const observed = `${locator.type}=${found.status}${found.reason ? ` (${found.reason})` : ''}`;
    return found.status === status ? pass(expected, observed) : fail(expected, observed, subject);
  };
}

/** A container's status in a pod matches partially (restartCount, state, lastState.terminated.reason…). */
export function containerStatus(options: { pod: string; container: string; namespace?: string; match: unknown; explain?: string }): Assertion {
  return async (ctx) => {
    const locator: Locator = { kind: 'Pod', name: options.pod, namespace: options.namespace };
    const [pod] = await find(ctx, locator);
    const subject = [{ kind: 'Pod' as const, name: options.pod, namespace: options.namespace ?? ctx.namespace }];
    if (!pod) return missing(ctx, locator, options.explain ?? `Pod "${options.pod}" in ${where(ctx, options.namespace)}`);
    if (!containerSpec(pod, options.container)) return noContainer(pod, options.container, options.explain ?? `container "${options.container}" of Pod "${options.pod}"`);
    const status = (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === options.container);
    if (!status) return fail(`container "${options.container}" of Pod "${options.pod}"`, 'no status yet (not started)', subject);
    const mismatch = findMismatch(status, options.match);
    if (mismatch) {
      return fail(
        options.explain ?? `container "${options.container}": ${mismatch.path} ${mismatch.expected}`,
        `${mismatch.path}: ${mismatch.observed}`,
        subject,
      );
    }
    return pass(options.explain ?? `container "${options.container}" status`, `restartCount ${status.restartCount}`);
  };
}

/** An Event about an object (reason, and optionally a message matcher), e.g. Killing by liveness. */
export function event(options: { kind: KindName; name: string; namespace?: string; reason: string; message?: string | Matcher; explain?: string }): Assertion {
  return async (ctx) => {
    const locator: Locator = { kind: options.kind, name: options.name, namespace: options.namespace };
    const expected = options.explain ?? `an Event ${options.reason} on ${options.kind} "${options.name}"${options.message ? ` with message ${describeExpected(options.message)}` : ''}`;
    const [object] = await find(ctx, locator);
    if (!object) return missing(ctx, locator, expected);
    const events = await ctx.eventsFor(object);
    const hit = events.find(
      (e) => e.reason === options.reason && (options.message === undefined || findMismatch(e.message, options.message) === undefined),
    );
    const subject = [{ kind: options.kind, name: options.name, namespace: object.metadata.namespace }];
    if (hit) return pass(expected, `${hit.reason} (x${hit.count ?? 1}): ${hit.message}`);
    const reasons = [...new Set(events.map((e) => e.reason))];
    return fail(expected, reasons.length ? `events seen: ${reasons.join(', ')}` : 'no events for it (events expire after an hour)', subject);
  };
}

/** How a Service's EndpointSlices list a pod: ready, not ready, or absent. */
export async function endpointState(
  ctx: CheckContext,
  service: string,
  pod: string,
  namespace?: string,
): Promise<'ready' | 'not-ready' | 'absent' | 'no-service'> {
  ctx.sought.add(`Service/${service}`);
  if (!(await ctx.get('Service', service, { namespace }))) return 'no-service';
  const slices = await ctx.list('EndpointSlice', { namespace, labels: { 'kubernetes.io/service-name': service } });
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef?.name === pod) {
        return endpoint.conditions?.ready === false ? 'not-ready' : 'ready';
      }
    }
  }
  return 'absent';
}

/** The Service's EndpointSlices list the pod with the given readiness. */
export function endpoints(options: { service: string; pod: string; namespace?: string; state: 'ready' | 'not-ready' }): Assertion {
  return async (ctx) => {
    const state = await endpointState(ctx, options.service, options.pod, options.namespace);
    const expected =
      options.state === 'ready'
        ? `Service "${options.service}" sends traffic to Pod "${options.pod}" (ready endpoint)`
        : `Service "${options.service}" selects Pod "${options.pod}" but lists it as not ready (no traffic)`;
    if (state === 'no-service') return missing(ctx, { kind: 'Service', name: options.service, namespace: options.namespace }, expected);
    const observed = {
      ready: `Pod "${options.pod}" is a ready endpoint (it receives traffic)`,
      'not-ready': `Pod "${options.pod}" is listed as not ready`,
      absent: `Pod "${options.pod}" is not among the Service's endpoints (does its selector match the pod's labels?)`,
    }[state];
    const subjects: Subject[] = [{ kind: 'Pod', name: options.pod, namespace: options.namespace ?? ctx.namespace }];
    return state === options.state ? pass(expected, observed) : fail(expected, observed, subjects);
  };
}

/** The current (`helm ls`) revision of a release matches partially; `history` adds rules on all revisions. */
export function helmRelease(options: {
  name: string;
  namespace?: string;
  match?: Partial<Record<keyof HelmRelease, unknown>>;
  values?: Record<string, unknown>;
  explain?: string;
  history?: (history: HelmRelease[]) => Outcome | undefined;
}): Assertion {
  return async (ctx) => {
    const history = await ctx.helmHistory(options.name, { namespace: options.namespace });
    const current = latestRevision(history);
    const expected = options.explain ?? `Helm release "${options.name}" in ${where(ctx, options.namespace)}`;
    if (!current) {
      ctx.sought.add(`HelmRelease/${options.name}`);
      const others = await ctx.helmReleaseNames({ namespace: options.namespace });
      const nearMiss = await releaseElsewhere(ctx, options.name, options.namespace ?? ctx.namespace);
      return { ...fail(expected, `no release "${options.name}" there${others.length ? `; releases there: ${others.join(', ')}` : ''}`), ...(nearMiss && { nearMiss }) };
    }
    const mismatch = findMismatch(current, options.match ?? {});
    if (mismatch) return fail(expected, `revision ${current.revision}: ${describeMismatch(mismatch)}`);
    for (const [path, want] of Object.entries(options.values ?? {})) {
      const value = effectiveValue(current, path);
      const valueMismatch = findMismatch(value, want);
      if (valueMismatch) return fail(expected, `revision ${current.revision}: value ${path} is ${show(value)}, expected ${describeExpected(want)}`);
    }
    const extra = options.history?.(history);
    if (extra && !extra.passed) return extra;
    return pass(expected, `revision ${current.revision} ${current.status}: ${current.description}`);
  };
}

/** A custom resource (e.g. an Argo CD Application) matches partially. */
export function customResource(options: Locator & { name: string; match: unknown; explain?: string }): Assertion {
  return resource(options);
}

/** All must pass; reports the first failure (Chainsaw runs a step's asserts the same way). */
export function all(...assertions: Assertion[]): Assertion {
  return async (ctx) => {
    const observed: string[] = [];
    let expected: string[] = [];
    for (const assertion of assertions) {
      const outcome = await assertion(ctx);
      if (!outcome.passed) return outcome;
      if (outcome.expected) expected.push(outcome.expected);
      if (outcome.observed) observed.push(outcome.observed);
    }
    expected = [...new Set(expected)];
    return pass(expected.join('; '), observed.join('; '));
  };
}

/**
 * The container was restarted by its liveness probe — not an OOM kill, not a crash of its own:
 * restartCount ≥ 1, the last termination was not OOMKilled, and kubelet recorded a Killing event
 * saying the liveness probe failed.
 */
export function restartedByLiveness(options: { pod: string; container: string; namespace?: string }): Assertion {
  return all(
    containerStatus({
      ...options,
      match: { restartCount: atLeast(1) },
      explain: `container "${options.container}" of Pod "${options.pod}" restarted at least once`,
    }),
    containerStatus({
      ...options,
      match: { lastState: { terminated: { reason: not(oneOf('OOMKilled', 'Completed')) } } },
      explain: `its last termination was a kill, not OOMKilled or a clean exit`,
    }),
    event({
      kind: 'Pod',
      name: options.pod,
      namespace: options.namespace,
      reason: 'Killing',
      message: includes(`${options.container} failed liveness probe`),
      explain: `kubelet killed container "${options.container}" because its liveness probe failed`,
    }),
  );
}

/** The container has never been restarted (restartCount 0). */
export const neverRestarted = (options: { pod: string; container: string; namespace?: string }): Assertion =>
  containerStatus({
    ...options,
    match: { restartCount: 0 },
    explain: `container "${options.container}" of Pod "${options.pod}" never restarted`,
  });

/** A pod and its container's spec and status, or the Outcome saying which is missing. */
async function podContainer(
  ctx: CheckContext,
  options: { pod: string; container: string; namespace?: string },
  expected: string,
): Promise<{ pod: KubeObject; spec: ContainerSpec; status?: Record<string, any>; subject: Subject[] } | Outcome> {
  const locator: Locator = { kind: 'Pod', name: options.pod, namespace: options.namespace };
  const [pod] = await find(ctx, locator);
  if (!pod) return missing(ctx, locator, expected);
  const subject: Subject[] = [{ kind: 'Pod', name: options.pod, namespace: pod.metadata.namespace }];
  const spec = containerSpec(pod, options.container);
  if (!spec) return noContainer(pod, options.container, expected);
  return { pod, spec, status: containerStatusOf(pod, options.container), subject };
}

const isOutcome = (value: object): value is Outcome => 'passed' in value;

/** The pod has no container of that name: which it has (a near miss when one is close). */
function noContainer(pod: KubeObject, container: string, expected: string): Outcome {
  const subject: Subject[] = [{ kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace }];
  return { ...fail(expected, `Pod "${pod.metadata.name}" has no container "${container}"`, subject), nearMiss: containerNearMiss(pod, container) };
}

/**
 * kubelet recorded this probe failing for this pod's container (Events of reason Unhealthy saying
 * "<Probe> probe failed", of this pod's uid, not an earlier pod of the same name), at least `times`
 * times (a number, or read from the container's spec, e.g. its failureThreshold). With
 * `inCurrentRun`, only failures since the container's current run started count: a pod that was
 * just (re)started is Running and not Ready before its first probe, whatever the probe will say.
 */
export function probeFailed(options: {
  pod: string;
  container: string;
  probe: ProbeKind;
  namespace?: string;
  times?: number | ((container: ContainerSpec) => number);
  inCurrentRun?: boolean;
  explain?: string;
}): Assertion {
  return async (ctx) => {
    const what = `${options.probe.toLowerCase()} probe of container "${options.container}"`;
    const found = await podContainer(ctx, options, options.explain ?? `kubelet recorded the ${what} failing`);
    if (isOutcome(found)) return found;
    const times = typeof options.times === 'function' ? options.times(found.spec) : (options.times ?? 1);
    const since = options.inCurrentRun ? currentRunStart(found.pod, options.container) : undefined;
    const expected =
      options.explain ??
      `kubelet recorded the ${what} failing${times > 1 ? ` ${times} times` : ''}${options.inCurrentRun ? ' since the container started' : ''} (Events Unhealthy: "${options.probe} probe failed")`;
    if (options.inCurrentRun && !since) return fail(expected, `container "${options.container}" is not running`, found.subject);
    const failures = probeFailures(await ctx.eventsFor(found.pod), found.pod, { container: options.container, probe: options.probe, since });
    const started = since ? ` since the container started at ${since}` : '';
    if (failures.count === 0) {
      return fail(expected, `no "${options.probe} probe failed" Event for this pod${started}: the probe has not failed (yet)`, found.subject);
    }
    const observed = `${failures.count}× (first ${failures.first}, last ${failures.last}): ${failures.message?.trim()}`;
    return failures.count >= times ? pass(expected, observed) : fail(expected, observed, found.subject);
  };
}

/**
 * The startup probe held the liveness probe off: the container started (its startup probe
 * succeeded) without a single restart, although its startup probe was still failing after the
 * time in which the liveness probe, had it run, would have failed failureThreshold times and had
 * the container killed.
 */
export function heldOffByStartup(options: { pod: string; container: string; namespace?: string }): Assertion {
  return async (ctx) => {
    const expected = `the startup probe of container "${options.container}" failed for longer than its liveness probe tolerates, and the container started without a restart`;
    const found = await podContainer(ctx, options, expected);
    if (isOutcome(found)) return found;
    const { pod, spec, status, subject } = found;
    if (!spec.livenessProbe || !spec.startupProbe) return fail(expected, `container "${options.container}" needs both a livenessProbe and a startupProbe`, subject);
    if (!status?.started) return fail(expected, `container "${options.container}" has not started yet (its startup probe has not succeeded)`, subject);
    if (status.restartCount !== 0) return fail(expected, `container "${options.container}" restarted ${status.restartCount} time(s)`, subject);
    const failures = probeFailures(await ctx.eventsFor(pod), pod, { container: options.container, probe: 'Startup' });
    const start = currentRunStart(pod, options.container);
    const warmUp = secondsBetween(start, failures.last);
    const limit = secondsToGiveUp(spec.livenessProbe);
    if (failures.count === 0 || warmUp === undefined) return fail(expected, 'no "Startup probe failed" Event for this pod: nothing was held off', subject);
    const observed = `startup probe failed ${failures.count}×, the last ${warmUp} s after the container started; the liveness probe alone gives up after ${limit} s`;
    return warmUp >= limit ? pass(expected, observed) : fail(expected, observed, subject);
  };
}

/** A Deployment finished rolling out its current spec (see rolloutOf in record.ts). */
export function rolledOut(options: { name: string; namespace?: string; explain?: string }): Assertion {
  return async (ctx) => {
    const locator: Locator = { kind: 'Deployment', name: options.name, namespace: options.namespace };
    const expected = options.explain ?? `Deployment "${options.name}" finished rolling out its current spec`;
    const [deployment] = await find(ctx, locator);
    if (!deployment) return missing(ctx, locator, expected);
    const rollout = rolloutOf(deployment);
    return rollout.complete
      ? pass(expected, rollout.summary)
      : fail(expected, rollout.summary, [{ kind: 'Deployment', name: options.name, namespace: deployment.metadata.namespace }]);
  };
}
