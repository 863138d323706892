// Lab 04: each kustomization field shows up on what is running in namespace test. Objects are
// found by the labels their source files carry, so every field is graded on its own.
import {
  absentResource, all, defineChecks, endpointState, fail, find, pass, resource, type Assertion,
} from '../../grader/index.ts';

const pod1 = { kind: 'Pod', labels: { name: 'nginx-1' } } as const;
const service = { kind: 'Service', labels: { app: 'nginx' } } as const;

const routesToPod: Assertion = async (ctx) => {
  const expected = 'the Service lists the nginx-1 pod as a ready endpoint';
  const [svc] = await find(ctx, service);
  const [pod] = await find(ctx, pod1);
  if (!svc || !pod) return fail(expected, `${svc ? '' : 'no Service '}${pod ? '' : 'no nginx-1 pod'}`.trim());
  const state = await endpointState(ctx, svc.metadata.name, pod.metadata.name);
  return state === 'ready'
    ? pass(expected, `Service "${svc.metadata.name}" → Pod "${pod.metadata.name}" ready`)
    : fail(expected, `endpoint state of Pod "${pod.metadata.name}": ${state}`, [{ kind: 'Pod', name: pod.metadata.name }]);
};

export default defineChecks({
  resources: all(
    resource({ ...pod1, count: 1, explain: 'one Pod from pod-1.yaml (label name=nginx-1) in namespace test' }),
    resource({ ...service, count: 1, explain: 'one Service from service.yaml (label app=nginx) in namespace test' }),
    absentResource({ kind: 'Pod', labels: { name: 'nginx-2' }, explain: 'no Pod from pod-2.yaml in namespace test' }),
    absentResource({ kind: 'Pod', labels: { name: 'nginx-2' }, namespace: 'default', explain: 'no Pod from pod-2.yaml in namespace default' }),
  ),
  namespace: all(
    resource({ ...pod1, explain: 'the nginx-1 Pod in namespace test' }),
    absentResource({ ...pod1, namespace: 'default', explain: 'no nginx-1 Pod in namespace default' }),
    absentResource({ ...service, namespace: 'default', explain: 'no Service from service.yaml in namespace default' }),
  ),
  images: resource({
    ...pod1,
    match: {
      spec: { containers: [{ name: 'nginx-1', image: 'nginx:1.23.1' }] },
      status: { containerStatuses: [{ name: 'nginx-1', ready: true }] },
    },
  }),
  'name-prefix-suffix': all(
    resource({ ...pod1, match: { metadata: { name: 'lab-nginx-1-v1' } } }),
    resource({ ...service, match: { metadata: { name: 'lab-nginx-v1' } } }),
  ),
  labels: all(
    resource({ ...pod1, match: { metadata: { labels: { env: 'test' } } } }),
    resource({ ...service, match: { metadata: { labels: { env: 'test' } }, spec: { selector: { env: 'test' } } } }),
    routesToPod,
  ),
});
