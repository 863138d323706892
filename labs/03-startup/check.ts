// Lab 03: the same slow app twice. Without a startupProbe its livenessProbe kills it during its
// 30 s warm-up; with one, it becomes Ready without a restart (the seed's two figures).
// "Without a restart" holds for any pod at first; what proves the startup probe's work is kubelet's
// record of it failing through the warm-up, past the point where the liveness probe would have
// had the container killed, and the container then started with restartCount 0.
import {
  all, condition, defineChecks, fail, find, heldOffByStartup, neverRestarted, pass, present, resource, restartedByLiveness,
  type Assertion,
} from '../../grader/index.ts';

const WARM_UP_SECONDS = 30;

/** How long a probe tolerates failure before kubelet gives up: delay + period × threshold. */
function budget(probe: { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number }): number {
  return (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
}

const startupBudgetCoversWarmUp: Assertion = async (ctx) => {
  const expected = `slow-app's startupProbe allows more than ${WARM_UP_SECONDS} s (initialDelaySeconds + periodSeconds × failureThreshold)`;
  const [pod] = await find(ctx, { kind: 'Pod', name: 'slow-app' });
  const probe = pod?.spec?.containers?.find((c: { name: string }) => c.name === 'app')?.startupProbe;
  if (!probe) return fail(expected, pod ? 'container "app" has no startupProbe' : 'no Pod "slow-app"');
  const seconds = budget(probe);
  return seconds > WARM_UP_SECONDS ? pass(expected, `${seconds} s`) : fail(expected, `${seconds} s`);
};

export default defineChecks({
  'killed-without-startup': all(
    resource({
      kind: 'Pod',
      name: 'slow-app-no-startup',
      match: { spec: { containers: [{ name: 'app', livenessProbe: present }] } },
    }),
    restartedByLiveness({ pod: 'slow-app-no-startup', container: 'app' }),
  ),
  'startup-probe-configured': all(
    resource({
      kind: 'Pod',
      name: 'slow-app',
      match: { spec: { containers: [{ name: 'app', livenessProbe: present, startupProbe: present }] } },
    }),
    startupBudgetCoversWarmUp,
  ),
  'ready-without-restart': all(
    condition({ kind: 'Pod', name: 'slow-app', type: 'Ready' }),
    neverRestarted({ pod: 'slow-app', container: 'app' }),
    heldOffByStartup({ pod: 'slow-app', container: 'app' }),
  ),
});
