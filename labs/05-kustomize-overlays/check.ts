// Lab 05: two prefixed pods from one base and two overlays, the base reused unchanged, and the
// base never applied on its own.
import { absentResource, all, atLeast, defineChecks, matches, resource } from '../../grader/index.ts';

const fromBase = {
  metadata: { labels: { app: 'myapp' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:latest' }] },
};

export default defineChecks({
  'dev-overlay': resource({ kind: 'Pod', name: 'dev-myapp-pod', match: { status: { phase: 'Running' } } }),
  'prd-overlay': resource({ kind: 'Pod', name: 'prd-myapp-pod', match: { status: { phase: 'Running' } } }),
  'base-unchanged': all(
    resource({ kind: 'Pod', name: 'dev-myapp-pod', match: fromBase }),
    resource({ kind: 'Pod', name: 'prd-myapp-pod', match: fromBase }),
  ),
  // Graded once something from the base runs (an empty namespace proves nothing).
  'nothing-unprefixed': all(
    resource({
      kind: 'Pod',
      labels: { app: 'myapp' },
      count: atLeast(1),
      explain: 'pods from the base (label app=myapp) in namespace "overlays", each with an overlay prefix',
      match: { metadata: { name: matches(/^(dev|prd)-/) } },
    }),
    absentResource({ kind: 'Pod', name: 'myapp-pod', namespace: 'default' }),
  ),
});
