import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeReleaseData, effectiveValue, latestRevision, releaseHistory, toHelmRelease } from '../../grader/helm.ts';

// A Secret as the API returns it; regenerate with tests/unit/testdata/generate-helm-fixture.ts.
const fixture = JSON.parse(readFileSync(new URL('./testdata/helm-release-secret.json', import.meta.url), 'utf8'));

/** A release record secret built the way Helm writes one (base64 of gzip JSON), then base64 by the API. */
function record(name: string, version: number, info: Record<string, string>, config: Record<string, unknown> = {}) {
  const json = JSON.stringify({ name, version, namespace: 'ns', info, config, chart: { metadata: { name: 'nginx', version: '0.1.0', appVersion: '1.16.0' }, values: { image: { tag: '' } } } });
  const helm = gzipSync(Buffer.from(json)).toString('base64');
  return {
    metadata: { name: `sh.helm.release.v1.${name}.v${version}`, labels: { owner: 'helm', name } },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helm).toString('base64') },
  };
}

describe('Helm release records', () => {
  it('decodes the fixture: base64 (Secret) of base64 of gzip JSON', () => {
    const release = toHelmRelease(decodeReleaseData(fixture.data.release));
    expect(release).toMatchObject({
      name: 'myapp',
      namespace: 'helm-create',
      revision: 2,
      status: 'deployed',
      description: 'Upgrade complete',
      chart: { name: 'mychart', version: '0.1.0', appVersion: '1.16.0' },
      config: { image: { tag: '1.24' } },
    });
    expect(release.templates).toContain('templates/deployment.yaml');
    expect(release.manifest).toContain('image: "nginx:1.24"');
  });

  it('decodes real Helm 3 records: lab 07 solved (install, upgrade -f values.yaml, bad upgrade, rollback)', () => {
    // Captured from a kind cluster after `labs solve 7` (helm v3.22): secrets as the API returns them.
    const captured = JSON.parse(readFileSync(new URL('./testdata/helm-release-history-helm3.json', import.meta.url), 'utf8'));
    const history = releaseHistory(captured.items, 'mynginx');
    expect(history.map((r) => [r.revision, r.status, r.description])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'superseded', 'Upgrade complete'],
      [3, 'superseded', 'Upgrade complete'],
      [4, 'deployed', 'Rollback to 2'],
    ]);
    expect(history.map((r) => effectiveValue(r, 'image.tag'))).toEqual(['1.23.1', '1.24', 'latest', '1.24']);
    expect(history[3]).toMatchObject({ name: 'mynginx', namespace: 'helm-upgrade', chart: { name: 'nginx', appVersion: '1.16.0' } });
    expect(history[3]!.templates).toContain('templates/deployment.yaml');
    expect(history[3]!.manifest).toContain('image: "nginx:1.24"');
  });

  it('decodes real Helm 4 records: lab 07 solved (a failed upgrade, then helm rollback), applied server-side', () => {
    // Captured from a kind cluster after `labs solve 7` with Helm 4.3.1 as `helm`.
    const captured = JSON.parse(readFileSync(new URL('./testdata/helm-release-history-helm4.json', import.meta.url), 'utf8'));
    const history = releaseHistory(captured.items, 'mynginx');
    expect(history.map((r) => [r.revision, r.status, r.description.replace(/:.*/s, '')])).toEqual([
      [1, 'superseded', 'Install complete'],
      [2, 'superseded', 'Upgrade complete'],
      [3, 'failed', 'Upgrade "mynginx" failed'],
      [4, 'deployed', 'Rollback to 2'],
    ]);
    expect(history.map((r) => effectiveValue(r, 'image.tag'))).toEqual(['1.23.1', '1.24', '1.999-no-such-tag', '1.24']);
    expect(history.map((r) => r.applyMethod)).toEqual(['ssa', 'ssa', 'ssa', 'ssa']);
    expect(history[3]!.manifest).toContain('image: "nginx:1.24"');
    // Helm 3's records carry no apply method.
    const helm3 = JSON.parse(readFileSync(new URL('./testdata/helm-release-history-helm3.json', import.meta.url), 'utf8'));
    expect(releaseHistory(helm3.items, 'mynginx').map((r) => r.applyMethod)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('accepts an uncompressed payload too (Helm writes gzip, older tools did not)', () => {
    const plain = Buffer.from(Buffer.from(JSON.stringify({ name: 'x', version: 1, info: { status: 'failed' } })).toString('base64')).toString('base64');
    expect(toHelmRelease(decodeReleaseData(plain))).toMatchObject({ name: 'x', revision: 1, status: 'failed' });
  });

  it('orders a release history by revision and ignores other releases and secrets', () => {
    const secrets = [
      record('mynginx', 3, { status: 'deployed', description: 'Rollback to 1' }),
      record('mynginx', 1, { status: 'superseded', description: 'Install complete' }, { image: { tag: '1.23.1' } }),
      record('other', 1, { status: 'deployed' }),
      record('mynginx', 2, { status: 'superseded', description: 'Upgrade complete' }, { image: { tag: '1.24' } }),
      { metadata: { name: 'unrelated' }, type: 'Opaque', data: { token: 'eA==' } },
      fixture,
    ];
    const history = releaseHistory(secrets, 'mynginx');
    expect(history.map((r) => r.revision)).toEqual([1, 2, 3]);
    expect(latestRevision(history)?.description).toBe('Rollback to 1');
    expect(releaseHistory(secrets, 'myapp').map((r) => r.revision)).toEqual([2]);
  });

  it('reads effective values: user config over chart defaults', () => {
    const [install] = releaseHistory([record('a', 1, { status: 'deployed' }, { image: { tag: '1.23.1' } })], 'a');
    expect(effectiveValue(install!, 'image.tag')).toBe('1.23.1');
    const [plain] = releaseHistory([record('b', 1, { status: 'deployed' })], 'b');
    expect(effectiveValue(plain!, 'image.tag')).toBe('');
    expect(effectiveValue(plain!, 'image.repository')).toBeUndefined();
  });
});
