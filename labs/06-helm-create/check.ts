// Lab 06: a release installed from a `helm create` scaffold, deployed, with its Deployment up.
// Helm's own release records (secrets sh.helm.release.v1.myapp.vN) are the source for the first two.
import { all, condition, defineChecks, helmRelease, includes, resource } from '../../grader/index.ts';

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
    resource({
      kind: 'Deployment',
      name: 'myapp-mychart',
      match: { metadata: { labels: { 'app.kubernetes.io/instance': 'myapp', 'app.kubernetes.io/managed-by': 'Helm' } } },
    }),
  ),
});
