// Lab 01: the probe is configured as the lesson asks, and kubelet restarted the container
// because that probe failed (not an OOM kill, not a crash of its own).
import { defineChecks, resource, restartedByLiveness, sameText } from '../../grader/index.ts';

export default defineChecks({
  'probe-configured': resource({
    kind: 'Pod',
    name: 'liveness-http',
    match: {
      spec: {
        containers: [
          {
            name: 'liveness',
            image: 'registry.k8s.io/e2e-test-images/agnhost:2.40',
            args: ['liveness'],
            livenessProbe: {
              httpGet: {
                path: '/healthz',
                port: sameText(8080),
                httpHeaders: [{ name: 'Custom-Header', value: 'Awesome' }],
              },
              initialDelaySeconds: 3,
              periodSeconds: 3,
            },
          },
        ],
      },
    },
  }),
  'restarted-by-liveness': restartedByLiveness({ pod: 'liveness-http', container: 'liveness' }),
});
