// Lab 07: the seed's values.yaml tag change, done on a `helm create` chart (no external chart
// repository), plus a rollback read from Helm's release history: what happened (an upgrade that
// Helm recorded as failed, then a finished rollback) rather than only where the release ended up.
import {
  atLeast, condition, all, defineChecks, effectiveValue, fail, helmRelease, includes, oneOf, pass, resource, rolledOut,
  type HelmRelease,
} from '../../grader/index.ts';

const wantedTag = oneOf('1.24', 1.24);
const tagOf = (revision: HelmRelease) => String(effectiveValue(revision, 'image.tag') ?? revision.chart.appVersion);

const runsWantedImage = resource({
  kind: 'Deployment',
  name: 'mynginx',
  explain: 'Deployment mynginx runs nginx:1.24',
  match: { spec: { template: { spec: { containers: [{ image: 'nginx:1.24' }] } } } },
});

/**
 * What happened, from Helm's history: an upgrade to another tag *failed* (Helm recorded it failed),
 * then the newest revision is a finished (deployed) "Rollback to N" where N ran 1.24. A rollback
 * still in progress (pending-rollback, already described "Rollback to N") or one after an upgrade
 * that went fine is not that.
 */
export function rollbackHistory(history: HelmRelease[]) {
  const expected = 'history: an upgrade to another tag failed, then a deployed "Rollback to N" where N ran 1.24';
  const current = history.at(-1)!;
  const target = Number(/^Rollback to (\d+)/.exec(current.description)?.[1]);
  if (!target) return fail(expected, `latest revision ${current.revision}: "${current.description}"`);
  if (current.status !== 'deployed') return fail(expected, `revision ${current.revision} "${current.description}" is ${current.status}, not deployed (yet)`);
  const to = history.find((r) => r.revision === target);
  if (!to) return fail(expected, `revision ${target} is no longer in the history`);
  if (tagOf(to) !== '1.24') return fail(expected, `rolled back to revision ${target}, which ran ${tagOf(to)}`);
  const after = history.filter((r) => r.revision > target && r.revision < current.revision && tagOf(r) !== '1.24');
  if (!after.length) return fail(expected, `no revision after ${target} ran another tag`);
  const failed = after.filter((r) => r.status === 'failed');
  if (!failed.length) {
    return fail(expected, `revision ${after.map((r) => `${r.revision} (${tagOf(r)})`).join(', ')} after ${target} did not fail: ${after.map((r) => `${r.status}, "${r.description}"`).join('; ')}`);
  }
  return pass(expected, `revision ${failed.at(-1)!.revision} (${tagOf(failed.at(-1)!)}) failed; revision ${current.revision}: ${current.description}`);
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
    runsWantedImage,
    rolledOut({ name: 'mynginx', explain: 'Deployment mynginx finished rolling out (every replica new, ready and available)' }),
  ),
  'rolled-back': helmRelease({
    name: 'mynginx',
    explain: 'a rollback to the 1.24 revision',
    history: rollbackHistory,
  }),
});
