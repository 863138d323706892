import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowScript, bootstrapScript, kubeadmConfig, nodePod, nodeService } from './kube-node.ts';
import { cgroupV1KubeletShell } from '../cgroup-v1.ts';
import { nodePolicy, toolboxPod, toolboxPolicy } from './kube-toolbox.ts';
import { withServer } from './kubernetes.ts';

const labels = { 'labs.kubernetes-labs.io/pool': 'p', 'labs.kubernetes-labs.io/env': 'lab-abc123', 'labs.kubernetes-labs.io/role': 'node' };
const resources = { cpuRequest: '250m', memoryRequest: '768Mi', cpuLimit: '2', memoryLimit: '3Gi' };
const node = {
  name: 'lab-abc123', namespace: 'labs-classroom', labels, nodeImage: 'docker.io/kubernetes-labs/kind-node:v1.37.2', kubernetesVersion: 'v1.37.2',
  podSubnet: '10.252.0.0/16', serviceSubnet: '10.253.0.0/16', hostPodCidr: '10.244.0.0/16', resources,
};

describe('a learner cluster as a pod', () => {
  it("runs the node image as kind runs a node: privileged, /var seeded, tmpfs /run and /tmp, no host token", () => {
    const pod = nodePod(node);
    const spec = pod.spec!;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.containers[0].securityContext?.privileged).toBe(true);
    expect(spec.initContainers?.[0].command?.join(' ')).toContain('cp -a /var/. /seed/');
    const mounts = Object.fromEntries(spec.containers[0].volumeMounts!.map((m) => [m.mountPath, m.name]));
    expect(mounts).toMatchObject({ '/var': 'var', '/run': 'run', '/tmp': 'tmp', '/lib/modules': 'lib-modules' });
    expect(spec.volumes?.find((v) => v.name === 'run')?.emptyDir?.medium).toBe('Memory');
    expect(spec.containers[0].resources?.limits).toEqual({ cpu: '2', memory: '3Gi' });
  });

  it("kubeadm config: kind's, cgroupfs, the Service's names in the certificate, inner ranges apart from the host's", () => {
    const docs = kubeadmConfig(node).split(/^---$/m).map((d) => parse(d) as Record<string, any>);
    const cluster = docs.find((d) => d.kind === 'ClusterConfiguration')!;
    expect(cluster.apiServer.certSANs).toEqual(expect.arrayContaining(['lab-abc123.labs-classroom.svc', '@POD_IP@']));
    expect(cluster.networking).toEqual({ podSubnet: '10.252.0.0/16', serviceSubnet: '10.253.0.0/16' });
    expect(cluster.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(docs.find((d) => d.kind === 'InitConfiguration')?.timeouts).toEqual({ controlPlaneComponentHealthCheck: '20m0s' });
    expect(docs.find((d) => d.kind === 'KubeletConfiguration')).toMatchObject({ cgroupDriver: 'cgroupfs', cgroupRoot: '/kubelet' });
    expect(docs.find((d) => d.kind === 'KubeProxyConfiguration')?.conntrack).toEqual({ maxPerCore: 0 });
  });

  it('its filter (API server, Argo CD NodePort) admits its own toolbox, the node and the per-node gateways, and drops the rest of the host pod network', () => {
    const script = allowScript(node);
    // Before the inner kube-proxy's DNAT: a NodePort connection is forwarded, it never passes INPUT.
    expect(script).toContain('iptables -t mangle -I PREROUTING -p tcp -m multiport --dports 6443,31001 -j LABS-API');
    expect(script).toContain('for ip in "$@"; do iptables -t mangle -A LABS-API -s "$ip" -j RETURN; done');
    expect(script).toContain('-s 10.244.0.1/255.255.0.255 -j RETURN');
    expect(script.trim().split('\n').at(-1)).toBe('iptables -t mangle -A LABS-API -s 10.244.0.0/16 -j DROP');
  });

  it('its Service selects only its node pod', () => {
    expect(nodeService(node).spec?.selector).toEqual({ 'labs.kubernetes-labs.io/env': 'lab-abc123', 'labs.kubernetes-labs.io/role': 'node' });
  });
});

describe("a learner's toolbox", () => {
  const t = { env: 'lab-abc123', namespace: 'labs-classroom', labels: { ...labels, 'labs.kubernetes-labs.io/role': 'toolbox' }, image: 'toolbox', secret: 'lab-abc123', resources };

  it('is unprivileged, holds no host token, and only its init container sees the kubeconfig Secret', () => {
    const spec = toolboxPod(t).spec!;
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    expect(spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(spec.containers[0].volumeMounts?.map((m) => m.name)).toEqual(['home', 'tmp']);
    expect(spec.initContainers?.[0].volumeMounts?.map((m) => m.name)).toEqual(['home', 'kubeconfig']);
  });

  it('may reach its own API server and Argo CD NodePort, DNS, the class server and the git server; nothing may reach it', () => {
    const policy = toolboxPolicy({ ...t, serverCidr: '172.20.0.1/32', serverPort: 4321, gitServer: { address: '172.18.0.1', port: 8418 } }).spec!;
    expect(policy.ingress).toEqual([]);
    expect(policy.egress?.[0]).toEqual({
      to: [{ podSelector: { matchLabels: { 'labs.kubernetes-labs.io/env': 'lab-abc123', 'labs.kubernetes-labs.io/role': 'node' } } }],
      ports: [{ protocol: 'TCP', port: 6443 }, { protocol: 'TCP', port: 31001 }],
    });
    expect(policy.egress?.[2]).toEqual({ to: [{ ipBlock: { cidr: '172.20.0.1/32' } }], ports: [{ protocol: 'TCP', port: 4321 }] });
    expect(policy.egress?.[3]).toEqual({ to: [{ ipBlock: { cidr: '172.18.0.1/32' } }], ports: [{ protocol: 'TCP', port: 8418 }] });
    expect(policy.egress).toHaveLength(4);
    // Without a class or git server: its cluster and DNS only.
    expect(toolboxPolicy(t).spec!.egress).toHaveLength(2);
  });

  it("its cluster admits it on the API port and Argo CD's NodePort, and the world outside the host's pod network on the API port only", () => {
    const nodeIngress = nodePolicy({ ...t, hostPodCidr: '10.244.0.0/16' }).spec!.ingress!;
    expect(nodeIngress[0]).toEqual({
      _from: [{ podSelector: { matchLabels: { 'labs.kubernetes-labs.io/env': 'lab-abc123', 'labs.kubernetes-labs.io/role': 'toolbox' } } }],
      ports: [{ protocol: 'TCP', port: 6443 }, { protocol: 'TCP', port: 31001 }],
    });
    expect(nodeIngress[1]).toEqual({ _from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 6443 }] });
    expect(nodeIngress).toHaveLength(2);
  });
});

it('withServer points a kubeconfig elsewhere and checks the certificate under its own name', () => {
  const admin = 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://10.244.1.2:6443\n    certificate-authority-data: AAA\n';
  const out = parse(withServer(admin, 'https://172.20.0.5:31166', 'kubernetes')) as { clusters: { cluster: Record<string, string> }[] };
  expect(out.clusters[0].cluster).toEqual({ server: 'https://172.20.0.5:31166', 'certificate-authority-data': 'AAA', 'tls-server-name': 'kubernetes' });
});

describe('the node on a cgroup v1 host', () => {
  // The bootstrap's line, run on the real config file with the cgroup v2 marker present or not.
  const kubelet = (v2: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-cgroup-'));
    const file = join(dir, 'kubeadm.conf');
    writeFileSync(file, kubeadmConfig(node));
    if (v2) writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
    execFileSync('bash', ['-c', cgroupV1KubeletShell(file, join(dir, 'cgroup.controllers'))]);
    const docs = readFileSync(file, 'utf8').split(/^---$/m).map((d) => parse(d) as Record<string, unknown>);
    rmSync(dir, { recursive: true });
    return docs.find((d) => d.kind === 'KubeletConfiguration')!;
  };

  it('lets the kubelet run on cgroup v1, and leaves a cgroup v2 node without the setting', () => {
    expect(bootstrapScript(node)).toContain(cgroupV1KubeletShell('/kind/kubeadm.conf'));
    expect(kubelet(false)).toMatchObject({ failCgroupV1: false, cgroupDriver: 'cgroupfs' });
    expect(kubelet(true)).not.toHaveProperty('failCgroupV1');
  });
});
