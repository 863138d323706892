// Lab 06: a release installed from a `helm create` scaffold, deployed, with its Deployment up.
// Helm's own release records (secrets sh.helm.release.v1.myapp.vN) are the source for the first two.
// `helm install` without --wait records "deployed" the moment the objects exist; what proves the
// release came up is the Deployment controller's record of its rollout (observed generation,
// updated/ready/available replicas, Progressing: NewReplicaSetAvailable) — Available alone also
// holds on an old ReplicaSet's pods while an upgrade to a missing image hangs.
import { all, condition, defineChecks, helmRelease, includes, resource, rolledOut } from '../../grader/index.ts';

export default defineChecks({
  'chart-created': helmRelease({
    name: 'myapp',
    explain: 'release myapp from chart "mychart" with helm create templates',
    match: {
      chart: { name: 'mychart' },
      templates: ['templates/deployment.yaml', 'templates/service.yaml', 'templates/_helpers.tpl'],
    },
  }),
  'release-deployed': helmRelease({
    name: 'myapp',
    explain: 'release myapp, current revision status deployed',
    match: { status: 'deployed', manifest: includes('kind: Deployment') },
  }),
  'deployment-available': all(
    condition({ kind: 'Deployment', name: 'myapp-mychart', type: 'Available' }),
    rolledOut({ name: 'myapp-mychart', explain: 'Deployment myapp-mychart rolled out the release\'s current revision' }),
    resource({
      kind: 'Deployment',
      name: 'myapp-mychart',
      match: { metadata: { labels: { 'app.kubernetes.io/instance': 'myapp', 'app.kubernetes.io/managed-by': 'Helm' } } },
    }),
  ),
});
