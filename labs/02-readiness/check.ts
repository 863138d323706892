// Lab 02: a failing readiness probe keeps the pod Running, marks it not Ready, keeps it out of its
// Service's ready endpoints, and never restarts it (the contrast with lab 01).
// Before its first probe a pod is Running, not Ready, a not-ready endpoint and never restarted —
// every state below holds the moment the pod exists, whatever its probe will say. So each of them
// counts only beside kubelet's record that the readiness probe failed (Unhealthy Events of this
// pod, since its container started): the state is then the probe's doing.
import {
  absent, all, condition, defineChecks, endpoints, failureThreshold, neverRestarted, probeFailed, resource, sameText,
} from '../../grader/index.ts';

const pod = { pod: 'readiness-http', container: 'readiness' } as const;
/** The readiness probe failed while the current container ran (not in a run before a restart). */
const readinessFailed = probeFailed({ ...pod, probe: 'Readiness', inCurrentRun: true });

export default defineChecks({
  'probe-configured': resource({
    kind: 'Pod',
    name: 'readiness-http',
    match: {
      spec: {
        containers: [
          {
            name: 'readiness',
            image: 'registry.k8s.io/e2e-test-images/agnhost:2.40',
            args: ['liveness'],
            readinessProbe: {
              httpGet: {
                path: '/healthz',
                port: sameText(8080),
                httpHeaders: [{ name: 'Custom-Header', value: 'Awesome' }],
              },
              initialDelaySeconds: 3,
              periodSeconds: 3,
            },
            livenessProbe: absent,
          },
        ],
      },
    },
  }),
  'running-not-ready': all(
    resource({ kind: 'Pod', name: 'readiness-http', match: { status: { phase: 'Running' } } }),
    condition({ kind: 'Pod', name: 'readiness-http', type: 'Ready', status: 'False' }),
    readinessFailed,
  ),
  'out-of-endpoints': all(endpoints({ service: 'readiness-http', pod: 'readiness-http', state: 'not-ready' }), readinessFailed),
  // Not restarted *after* the probe failed failureThreshold times — when a liveness probe with the
  // same settings would have had the container killed.
  'never-restarted': all(
    probeFailed({ ...pod, probe: 'Readiness', inCurrentRun: true, times: (c) => failureThreshold(c.readinessProbe) }),
    neverRestarted(pod),
  ),
});
