// Lab 07: the seed's values.yaml tag change, done on a `helm create` chart (no external chart
// repository), plus a rollback read from Helm's release history.
import {
  atLeast, condition, all, defineChecks, effectiveValue, fail, find, helmRelease, includes, oneOf, pass,
  type Assertion, type HelmRelease,
} from '../../grader/index.ts';

const wantedTag = oneOf('1.24', 1.24);
const tagOf = (revision: HelmRelease) => String(effectiveValue(revision, 'image.tag') ?? revision.chart.appVersion);

const rolledOut: Assertion = async (ctx) => {
  const expected = 'Deployment mynginx runs nginx:1.24 on every replica (rollout complete)';
  const [deployment] = await find(ctx, { kind: 'Deployment', name: 'mynginx' });
  if (!deployment) return fail(expected, 'no Deployment "mynginx" in namespace "helm-upgrade"');
  const image = deployment.spec?.template?.spec?.containers?.[0]?.image;
  const s = deployment.status ?? {};
  const want = deployment.spec?.replicas ?? 1;
  const subject = [{ kind: 'Deployment' as const, name: 'mynginx' }];
  if (image !== 'nginx:1.24') return fail(expected, `image ${image}`, subject);
  const complete =
    (s.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) &&
    s.updatedReplicas === want && s.readyReplicas === want && s.replicas === want;
  return complete
    ? pass(expected, `image ${image}, ${s.readyReplicas}/${want} ready`)
    : fail(expected, `image ${image}, updated ${s.updatedReplicas ?? 0}, ready ${s.readyReplicas ?? 0}, total ${s.replicas ?? 0} of ${want}`, subject);
};

/** The newest revision is "Rollback to N", N ran 1.24, and a revision after N ran something else. */
function rollbackHistory(history: HelmRelease[]) {
  const expected = 'history ends with "Rollback to N" where N ran 1.24 after a later revision ran another tag';
  const current = history.at(-1)!;
  const target = Number(/^Rollback to (\d+)/.exec(current.description)?.[1]);
  if (!target) return fail(expected, `latest revision ${current.revision}: "${current.description}"`);
  const to = history.find((r) => r.revision === target);
  if (!to) return fail(expected, `revision ${target} is no longer in the history`);
  if (tagOf(to) !== '1.24') return fail(expected, `rolled back to revision ${target}, which ran ${tagOf(to)}`);
  const bad = history.filter((r) => r.revision > target && r.revision < current.revision);
  if (!bad.some((r) => tagOf(r) !== '1.24')) return fail(expected, `no revision after ${target} ran another tag`);
  return pass(expected, `revision ${current.revision}: ${current.description}`);
}

export default defineChecks({
  installed: helmRelease({
    name: 'mynginx',
    explain: 'release mynginx from chart "nginx" (helm create templates)',
    match: { chart: { name: 'nginx' }, templates: ['templates/deployment.yaml'] },
  }),
  upgraded: helmRelease({
    name: 'mynginx',
    explain: 'release mynginx at revision ≥ 2 with image.tag "1.24" in its values',
    match: { revision: atLeast(2) },
    values: { 'image.tag': wantedTag },
  }),
  'running-image': all(
    helmRelease({
      name: 'mynginx',
      explain: 'helm ls: current revision deployed, rendering image nginx:1.24',
      match: { status: 'deployed', manifest: includes('image: "nginx:1.24"') },
    }),
    condition({ kind: 'Deployment', name: 'mynginx', type: 'Available' }),
    rolledOut,
  ),
  'rolled-back': helmRelease({
    name: 'mynginx',
    explain: 'a rollback to the 1.24 revision',
    history: rollbackHistory,
  }),
});
