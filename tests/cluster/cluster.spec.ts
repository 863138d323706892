// The offline kind cluster does what the course needs: the seed's probe pods behave as the seed
// shows, nginx serves its page through a Service, images come from the local mirror, and a
// deleted cluster leaves nothing behind, and it runs the learner-cluster settings
// (src/environments/learner-cluster-tuning.ts). Real kind, real kubelet, real probes.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestCluster, sh } from './helpers/cluster.ts';
import { kindClusters, kindProvider } from '../../src/environments/kind-provider.ts';
import { clusterKubeconfig } from '../../src/base/paths.ts';
import { tryRun } from '../../src/base/exec.ts';

const testdata = (file: string) => fileURLToPath(new URL(`./testdata/${file}`, import.meta.url));
const ns = `cluster-spec-${Date.now().toString(36)}`;

type Pod = { status: { phase: string; containerStatuses?: { ready: boolean; restartCount: number }[] } };
type EventList = { items: { reason: string; message: string; type: string }[] };

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

describe('offline kind cluster', () => {
  let kubeconfig: string;
  const k = (script: string) => sh(script, kubeconfig);
  const pod = async (name: string) => JSON.parse(await k(`kubectl -n ${ns} get pod ${name} -o json`)) as Pod;
  const events = async (name: string) => JSON.parse(await k(`kubectl -n ${ns} get events --field-selector involvedObject.name=${name} -o json`)) as EventList;

  beforeAll(async () => {
    kubeconfig = await ensureTestCluster();
    await k(`kubectl create namespace ${ns}`);
  });

  afterAll(async () => {
    // The cluster is shared with the other suites: leave it as we found it.
    if (kubeconfig) await k(`kubectl delete namespace ${ns} --wait=false`);
  });

  it('runs the learner-cluster settings: no leader-election or identity leases, one CoreDNS, the kubelet flags', async () => {
    // Leases left: only the node's heartbeat (kube-node-lease); kubeadm's defaults add one per controller manager, scheduler and API server.
    const leases = (await k("kubectl get leases -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}'")).trim().split('\n');
    expect(leases.every((l) => l.startsWith('kube-node-lease/')), leases.join(', ')).toBe(true);
    expect((await k('kubectl -n kube-system get deployment coredns -o jsonpath={.status.readyReplicas}')).trim()).toBe('1');
    const node = (await k('kubectl get nodes -o jsonpath={.items[0].metadata.name}')).trim();
    const kubelet = (await k(`kubectl get --raw /api/v1/nodes/${node}/proxy/configz`)).trim();
    expect(JSON.parse(kubelet).kubeletconfig).toMatchObject({ fileCheckFrequency: '2m0s', containerLogMonitorInterval: '30s' });
  });

  it('the seed liveness-http pod is restarted by its failing liveness probe', async () => {
    // The seed's manifest as it is (testdata/liveness-test.yaml), applied as a learner would.
    const manifest = readFileSync(testdata('liveness-test.yaml'), 'utf8');
    expect(manifest).toContain('registry.k8s.io/e2e-test-images/agnhost:2.40');
    await k(`kubectl -n ${ns} apply -f ${testdata('liveness-test.yaml')}`);
    // agnhost liveness answers 200 for 10 s, then 500: the kubelet kills and restarts it.
    const restarted = await waitFor('liveness-http restartCount >= 1', 150_000, async () => {
      const p = await pod('liveness-http');
      const count = p.status.containerStatuses?.[0]?.restartCount ?? 0;
      return count >= 1 ? count : undefined;
    });
    expect(restarted).toBeGreaterThanOrEqual(1);
    const list = (await events('liveness-http')).items;
    const unhealthy = list.find((e) => e.reason === 'Unhealthy');
    const killing = list.find((e) => e.reason === 'Killing');
    expect(unhealthy?.message).toMatch(/Liveness probe failed: HTTP probe failed with statuscode: 500/);
    expect(killing?.message).toMatch(/Container liveness failed liveness probe, will be restarted/);
    const describe = await k(`kubectl -n ${ns} describe pod liveness-http`);
    expect(describe).toMatch(/Liveness probe failed/);
  });

  it('the seed readiness-http pod stays Running and never Ready, without restarts', async () => {
    await k(`kubectl -n ${ns} apply -f ${testdata('readiness-test.yaml')}`);
    await waitFor('readiness-http Running', 90_000, async () => ((await pod('readiness-http')).status.phase === 'Running' ? true : undefined));
    // agnhost answers 200 for its first 10 s, then 500: after three failed probes the pod is
    // taken out of service, and it stays so (readiness failures never restart a container).
    const failed = await waitFor('a failed readiness probe event', 60_000, async () =>
      (await events('readiness-http')).items.find((e) => e.reason === 'Unhealthy'));
    expect(failed.message).toMatch(/Readiness probe failed: HTTP probe failed with statuscode: 500/);
    await waitFor('readiness-http to become not Ready', 30_000, async () =>
      ((await pod('readiness-http')).status.containerStatuses?.[0]?.ready === false ? true : undefined));
    await new Promise((r) => setTimeout(r, 12_000)); // four more probe periods
    const p = await pod('readiness-http');
    expect(p.status.phase).toBe('Running');
    expect(p.status.containerStatuses?.[0]?.ready).toBe(false);
    expect(p.status.containerStatuses?.[0]?.restartCount).toBe(0);
    const table = await k(`kubectl -n ${ns} get pod readiness-http --no-headers`);
    expect(table).toMatch(/^readiness-http\s+0\/1\s+Running\s+0\s/);
  });

  it('a Deployment of nginx:1.24 serves its page through a Service to another pod', async () => {
    // imagePullPolicy Always: the node pulls from the local mirror (nothing is preloaded).
    // (No `wget -T`: Debian's busybox-static 1.35 crashes on it; `timeout` bounds the request.)
    await k(`cat <<'EOF' | kubectl -n ${ns} apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: nginx
        image: nginx:1.24
        imagePullPolicy: Always
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
  - port: 80
    targetPort: 80
EOF`);
    await k(`kubectl -n ${ns} rollout status deployment/web --timeout=180s`);
    const page = await waitFor('the nginx page through the Service', 90_000, async () => {
      const out = await k(`kubectl -n ${ns} run client-$RANDOM --image=busybox:latest --image-pull-policy=Always --restart=Never --rm -i --quiet -- timeout 10 wget -qO- http://web.${ns}.svc.cluster.local/`);
      return out.includes('Welcome to nginx!') ? out : undefined;
    });
    expect(page).toContain('<title>Welcome to nginx!</title>');
    const podEvents = await k(`kubectl -n ${ns} get events -o jsonpath='{range .items[*]}{.reason} {.message}{"\\n"}{end}'`);
    expect(podEvents).toMatch(/Pulled .*nginx:1\.24/);
  });

  it('creates a second cluster, and deleting it leaves no container, network or kubeconfig entry', async () => {
    const name = 'labs-lifecycle';
    if ((await kindClusters()).includes(name)) await kindProvider.delete(name);
    const info = await kindProvider.create({ name, offline: true });
    expect(info.offline).toBe(true);
    expect((await kindProvider.status(name)).state).toBe('ready');
    const nodes = await sh('kubectl get nodes --no-headers', info.kubeconfig);
    expect(nodes).toMatch(/^labs-lifecycle-control-plane\s+Ready\s/);
    const networksBefore = (await tryRun('docker', ['inspect', '--format', '{{json .NetworkSettings.Networks}}', `${name}-control-plane`])).stdout;
    expect(networksBefore).toContain('"kind"');

    await kindProvider.delete(name);

    const containers = await tryRun('docker', ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--format', '{{.Names}}']);
    expect(containers.stdout.trim()).toBe('');
    const onKind = await tryRun('docker', ['network', 'inspect', 'kind', '--format', '{{range .Containers}}{{.Name}} {{end}}']);
    expect(onKind.stdout).not.toContain(name);
    const networks = await tryRun('docker', ['network', 'ls', '--format', '{{.Name}}']);
    expect(networks.stdout.split('\n')).not.toContain(name);
    expect(existsSync(clusterKubeconfig(name))).toBe(false);
    const userKubeconfig = join(homedir(), '.kube', 'config');
    if (existsSync(userKubeconfig)) expect(readFileSync(userKubeconfig, 'utf8')).not.toContain(`kind-${name}`);
    expect((await kindProvider.status(name)).state).toBe('none');
    expect(await kindClusters()).not.toContain(name);
  });
});
