import { describe, expect, it } from 'vitest';
import { loadCatalog, normalizeRef, splitRef } from './catalog.ts';
import { toolchainVersions } from '../toolchain.ts';
import { mirrorHostsToml, mirrorRefFor, mirroredRegistries } from '../mirror.ts';
import { NodeImageBuilder } from './node-image.ts';

describe('image references', () => {
  it('normalizes Docker Hub short names like containerd does', () => {
    expect(normalizeRef('nginx')).toBe('docker.io/library/nginx:latest');
    expect(normalizeRef('nginx:1.24')).toBe('docker.io/library/nginx:1.24');
    expect(normalizeRef('bitnami/nginx:1')).toBe('docker.io/bitnami/nginx:1');
    expect(normalizeRef('registry.k8s.io/e2e-test-images/agnhost:2.40')).toBe('registry.k8s.io/e2e-test-images/agnhost:2.40');
    expect(normalizeRef('localhost:5001/x')).toBe('localhost:5001/x:latest');
    expect(splitRef('quay.io/a/b:1')).toEqual({ host: 'quay.io', path: 'a/b:1' });
  });

  it('maps every registry to its own path in the mirror and refuses unmirrored ones', () => {
    expect(mirrorRefFor('nginx:1.24')).toMatch(/^127\.0\.0\.1:\d+\/docker\.io\/library\/nginx:1\.24$/);
    expect(() => mirrorRefFor('example.org/x:1')).toThrow(/not mirrored/);
  });

  it('points every mirrored registry, and any other, only at the mirror', () => {
    const files = mirrorHostsToml();
    for (const host of [...mirroredRegistries, '_default']) {
      expect(files[host]).toMatch(/^server = "http:\/\/kubernetes-labs-registry:5000\/v2\/[^"]+"$/m);
      expect(files[host]).toMatch(/^override_path = true$/m);
      expect(files[host]).not.toMatch(/https:/);
    }
  });
});

describe('kind/images.yaml', () => {
  const catalog = loadCatalog({ ...toolchainVersions(), DEBIAN_NGINX_VERSION: '1.22.1', DEBIAN_BUSYBOX_VERSION: '1.35.0' });
  const refs = catalog.images.flatMap((i) => i.refs);

  it('holds what kubeadm and kind need under the exact tags, preloaded into the node', () => {
    const v = toolchainVersions();
    const node = catalog.images.filter((i) => i.node).flatMap((i) => i.refs);
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy']) {
      expect(node).toContain(`registry.k8s.io/${name}:${v.KUBE_IMAGE_TAG}`);
    }
    expect(node).toContain(`registry.k8s.io/etcd:${v.ETCD_IMAGE_TAG}`);
    expect(node).toContain(`registry.k8s.io/coredns/coredns:${v.COREDNS_IMAGE_TAG}`);
    expect(node).toContain(`registry.k8s.io/pause:${v.PAUSE_IMAGE_TAG}`);
    expect(node).toContain(v.LOCAL_PATH_PROVISIONER_IMAGE);
    expect(node).toContain(v.LOCAL_PATH_HELPER_IMAGE);
  });

  it('holds the course workload images under their real names', () => {
    for (const ref of ['docker.io/library/nginx:latest', 'docker.io/library/nginx:1.24', 'docker.io/library/nginx:1.23.1',
      'registry.k8s.io/e2e-test-images/agnhost:2.40', 'docker.io/library/busybox:latest', 'docker.io/library/busybox:1.35.0']) {
      expect(refs).toContain(ref);
    }
    const nginx = catalog.images.find((i) => i.refs.includes('docker.io/library/nginx:1.24'));
    expect(nginx?.description).toMatch(/NOT the official nginx image/);
  });

  it("builds the classroom sandbox only on demand: a solo cluster never waits for its toolchain", async () => {
    const { ImageBuilder } = await import('./build.ts');
    const toolbox = catalog.images.find((i) => i.refs[0].includes('/toolbox:'));
    expect(toolbox).toMatchObject({ onDemand: true, mirror: false, node: false, base: 'rootfs:toolbox', user: '1000:1000' });
    expect(Object.keys(toolbox?.copy ?? {})).toEqual(expect.arrayContaining(['kubernetes/kubectl', 'helm/helm', 'kustomize/kustomize', 'argocd/argocd']));
    // Argo CD's 11-minute build is lab 8's: the sandbox is built without it until it is built (#23).
    expect(toolbox?.optional).toEqual(['argocd']);
    const builder = new ImageBuilder();
    expect(builder.componentsNeeded()).not.toContain('argocd');
    expect(builder.componentsNeeded(true)).toContain('argocd');
    expect(builder.rootfsNeeded()).toEqual(['net', 'nginx', 'node']);
  });

  it('finds the images a node manifest uses', () => {
    const manifest = 'containers:\n  - name: a\n    image: docker.io/x/y:1\n        command:\n            - --helper-image\n            - docker.io/x/helper:2\n';
    expect(NodeImageBuilder.imagesIn(manifest).sort()).toEqual(['docker.io/x/helper:2', 'docker.io/x/y:1']);
  });
});

describe('kind config', () => {
  const kindConfig = async (name: string, host: { capWrapper: boolean; cgroupV1: boolean }) => {
    const { readFileSync, mkdtempSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { writeKindConfig } = await import('../kind-provider.ts');
    process.env.LABS_HOME ??= mkdtempSync('/tmp/labs-home-');
    return parse(readFileSync(writeKindConfig(name, host), 'utf8')) as { containerdConfigPatches: string[]; kubeadmConfigPatches?: string[] };
  };

  it('adds restrict_oom_score_adj only where the runc wrapper is in use', async () => {
    const plain = await kindConfig('unit-plain', { capWrapper: false, cgroupV1: false });
    const wrapped = await kindConfig('unit-wrapped', { capWrapper: true, cgroupV1: false });
    expect(plain.containerdConfigPatches.join('\n')).toContain('config_path = "/etc/containerd/certs.d"');
    expect(plain.containerdConfigPatches.join('\n')).not.toContain('restrict_oom_score_adj');
    expect(wrapped.containerdConfigPatches.join('\n')).toContain('restrict_oom_score_adj = true');
  });

  it('lets the kubelet run on cgroup v1 only where the host is on cgroup v1', async () => {
    const { parse } = await import('yaml');
    const v2 = await kindConfig('unit-cgroup2', { capWrapper: false, cgroupV1: false });
    const v1 = await kindConfig('unit-cgroup1', { capWrapper: false, cgroupV1: true });
    expect(JSON.stringify(v2)).not.toContain('failCgroupV1');
    expect(v1.kubeadmConfigPatches?.map((p) => parse(p))).toContainEqual({ kind: 'KubeletConfiguration', apiVersion: 'kubelet.config.k8s.io/v1beta1', failCgroupV1: false });
  });

  it("appends the learner-cluster settings to kind's own flag lists (JSON 6902 adds, never a list replaced)", async () => {
    const { parse } = await import('yaml');
    const config = (await kindConfig('unit-tuning', { capWrapper: false, cgroupV1: false })) as unknown as {
      kubeadmConfigPatchesJSON6902: { group: string; version: string; kind: string; patch: string }[]; kubeadmConfigPatches: string[];
    };
    const ops = config.kubeadmConfigPatchesJSON6902.flatMap((t) => (parse(t.patch) as { op: string; path: string; value: unknown }[]).map((o) => ({ kind: t.kind, ...o })));
    expect(ops.every((o) => o.op === 'add' && (o.path.endsWith('/-') || ['/scheduler/extraArgs', '/etcd'].includes(o.path)))).toBe(true);
    expect(ops).toContainEqual({ kind: 'ClusterConfiguration', op: 'add', path: '/controllerManager/extraArgs/-', value: { name: 'leader-elect', value: 'false' } });
    expect(ops).toContainEqual({ kind: 'ClusterConfiguration', op: 'add', path: '/scheduler/extraArgs', value: [{ name: 'leader-elect', value: 'false' }] });
    expect(ops).toContainEqual({ kind: 'InitConfiguration', op: 'add', path: '/nodeRegistration/kubeletExtraArgs/-', value: { name: 'housekeeping-interval', value: '30s' } });
    expect(config.kubeadmConfigPatches.map((p) => parse(p))).toContainEqual(expect.objectContaining({ kind: 'KubeletConfiguration', fileCheckFrequency: '2m' }));
  });
});
