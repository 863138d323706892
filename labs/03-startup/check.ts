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

/**
 * The earliest a probe that fails from the start can give up (lesson 02): its first check comes
 * initialDelaySeconds after the start at the soonest, and the failureThreshold-th failure
 * failureThreshold − 1 periods later. (delay + period × threshold is the latest, not the earliest.)
 */
function earliestGiveUp(probe: { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number }): number {
  return (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * ((probe.failureThreshold ?? 3) - 1);
}

const startupBudgetCoversWarmUp: Assertion = async (ctx) => {
  const expected = `slow-app's startupProbe cannot fail before ${WARM_UP_SECONDS} s (initialDelaySeconds + (failureThreshold − 1) × periodSeconds)`;
  const [pod] = await find(ctx, { kind: 'Pod', name: 'slow-app' });
  const probe = pod?.spec?.containers?.find((c: { name: string }) => c.name === 'app')?.startupProbe;
  if (!probe) return fail(expected, pod ? 'container "app" has no startupProbe' : 'no Pod "slow-app"');
  const seconds = earliestGiveUp(probe);
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
