// Regenerates helm-release-secret.json: a Secret exactly as the API returns Helm 3's release
// record (data.release = base64 of base64 of gzipped release JSON), for grader/helm.spec.ts.
// Run: node tests/unit/testdata/generate-helm-fixture.ts
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const release = {
  name: 'myapp',
  info: {
    first_deployed: '2026-01-01T00:00:00Z',
    last_deployed: '2026-01-01T00:05:00Z',
    deleted: '',
    description: 'Upgrade complete',
    status: 'deployed',
  },
  chart: {
    metadata: { name: 'mychart', version: '0.1.0', appVersion: '1.16.0', apiVersion: 'v2', type: 'application' },
    templates: [
      { name: 'templates/_helpers.tpl', data: '' },
      { name: 'templates/deployment.yaml', data: '' },
      { name: 'templates/service.yaml', data: '' },
    ],
    values: { replicaCount: 1, image: { repository: 'nginx', tag: '', pullPolicy: 'IfNotPresent' } },
  },
  config: { image: { tag: '1.24' } },
  manifest: '---\n# Source: mychart/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n...\n          image: "nginx:1.24"\n',
  version: 2,
  namespace: 'helm-create',
};

const helmPayload = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'helm.sh/release.v1',
  metadata: {
    name: 'sh.helm.release.v1.myapp.v2',
    namespace: 'helm-create',
    labels: { name: 'myapp', owner: 'helm', status: 'deployed', version: '2' },
  },
  data: { release: Buffer.from(helmPayload).toString('base64') },
};
writeFileSync(new URL('./helm-release-secret.json', import.meta.url), `${JSON.stringify(secret, null, 2)}\n`);
