// Lab 02: a failing readiness probe keeps the pod Running, marks it not Ready, keeps it out of its
// Service's ready endpoints, and never restarts it (the contrast with lab 01).
import {
  absent, all, condition, defineChecks, endpoints, neverRestarted, resource, sameText,
} from '../../grader/index.ts';

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
  ),
  'out-of-endpoints': endpoints({ service: 'readiness-http', pod: 'readiness-http', state: 'not-ready' }),
  'never-restarted': neverRestarted({ pod: 'readiness-http', container: 'readiness' }),
});
