// Argo CD figures for the closing note. Prints:
//  1. cold build time: the argocd toolchain component (Go build of the multi-call binary) and
//     the two images, as recorded by the last cold build (--cold rebuilds now and times it);
//  2. install time into a running cluster: Argo CD is removed, then installed again from the
//     cached images (what a learner waits for after the first time);
//  3. memory: working set of every Argo CD container (crictl stats on the nodes) and the kind
//     node's memory with vs without Argo CD (the baseline).
// Usage: node bench/argocd.ts [--cold] [--name <cluster>] [--settle <seconds>]
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run, sleep, tryRun } from '../src/base/exec.ts';
import { cacheDir, clusterKubeconfig, defaultClusterName } from '../src/base/paths.ts';
import { componentBinDir, repoRoot } from '../src/environments/toolchain.ts';
import { argocdNamespace, installArgocd } from '../src/environments/addons/argocd.ts';
import { kubectlPath } from '../src/environments/toolchain.ts';

const { values } = parseArgs({ options: { cold: { type: 'boolean', default: false }, name: { type: 'string' }, settle: { type: 'string', default: '60' } } });
const cluster = values.name ?? defaultClusterName();
const kubeconfig = clusterKubeconfig(cluster);
const settleMs = Number(values.settle) * 1000;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const kubectl = (args: string[], what: string) => run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], what, { timeoutMs: 300_000 });

async function nodeContainers(): Promise<string[]> {
  const out = await run('docker', ['ps', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`, '--format', '{{.Names}}'], 'listing kind nodes');
  const names = out.trim().split('\n').filter(Boolean);
  if (names.length === 0) throw new Error(`no kind nodes for cluster "${cluster}" (docker ps)`);
  return names;
}

/** Working set per container of a namespace, summed per pod, from every node's crictl. */
async function namespaceMemory(namespace: string): Promise<Map<string, number>> {
  const pods = new Map<string, number>();
  for (const node of await nodeContainers()) {
    const out = await run('docker', ['exec', node, 'crictl', 'stats', '-o', 'json'], `crictl stats on ${node}`);
    const stats = JSON.parse(out) as { stats: { attributes: { labels: Record<string, string> }; memory?: { workingSetBytes?: { value?: string } } }[] };
    for (const s of stats.stats) {
      if (s.attributes.labels['io.kubernetes.pod.namespace'] !== namespace) continue;
      const pod = s.attributes.labels['io.kubernetes.pod.name'] ?? '?';
      pods.set(pod, (pods.get(pod) ?? 0) + Number(s.memory?.workingSetBytes?.value ?? 0));
    }
  }
  return pods;
}

/** Memory the kind node containers use (docker's cgroup accounting, page cache excluded). */
async function nodesMemory(): Promise<number> {
  let total = 0;
  for (const node of await nodeContainers()) {
    const id = (await run('docker', ['inspect', '--format', '{{.Id}}', node], 'docker inspect')).trim();
    const base = `/sys/fs/cgroup/memory/docker/${id}`;
    const v1 = existsSync(`${base}/memory.usage_in_bytes`);
    if (v1) {
      const usage = Number(readFileSync(`${base}/memory.usage_in_bytes`, 'utf8'));
      const stat = readFileSync(`${base}/memory.stat`, 'utf8');
      const inactive = Number(/^total_inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
      total += usage - inactive;
    } else {
      const out = await run('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', node], 'docker stats');
      const [value, unit] = /([\d.]+)\s*([KMG]i?B)/.exec(out)?.slice(1) ?? ['0', 'B'];
      total += Number(value) * ({ KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 } as Record<string, number>)[unit!]!;
    }
  }
  return total;
}

function stampSeconds(component: string, dir: string): number | undefined {
  const stamp = join(dir, '..', '.done');
  if (!existsSync(stamp)) return undefined;
  const s = /^seconds=(\d+)$/m.exec(readFileSync(stamp, 'utf8'))?.[1];
  return s ? Number(s) : undefined;
}

console.log(`Argo CD bench — cluster "${cluster}"`);

// 1. Cold build
if (values.cold) {
  // Cold compile: an empty Go build cache (downloaded modules stay cached: that part is network).
  const gocache = mkdtempSync(join(tmpdir(), 'labs-bench-gocache-'));
  const t0 = Date.now();
  try {
    await run('bash', [join(repoRoot, 'kind', 'toolchain', 'build.sh'), '--force', 'argocd'], 'cold build of argocd', {
      timeoutMs: 3 * 3600_000, env: { ...process.env, GOCACHE: gocache },
    });
  } finally {
    rmSync(gocache, { recursive: true, force: true });
  }
  const t1 = Date.now();
  await run('bash', [join(repoRoot, 'kind', 'argocd', 'images.sh'), '--force'], 'cold build of Argo CD images', { timeoutMs: 3600_000 });
  const t2 = Date.now();
  console.log(`cold build (now):   argocd binary ${secs(t1 - t0)} (empty Go build cache), images ${secs(t2 - t1)} (debootstrap from cached .debs + import), total ${secs(t2 - t0)}`);
} else {
  const argocd = stampSeconds('argocd', await componentBinDir('argocd'));
  const times = join(cacheDir(), 'argocd', 'image-build-seconds');
  const images = existsSync(times) ? readFileSync(times, 'utf8').trim().split('\n').at(-1) : undefined;
  console.log(`last build (recorded): argocd binary ${argocd ?? '?'} s (toolchain .done; warm if Go's build cache was filled); last image build: ${images ?? 'not recorded'}   [--cold times a cold build]`);
}

// 2. Install time into the running cluster (baseline memory taken without Argo CD)
await tryRun(kubectlPath(), ['--kubeconfig', kubeconfig, 'delete', 'namespace', argocdNamespace, '--ignore-not-found', '--wait=true', '--timeout=300s'], { timeoutMs: 320_000 });
await sleep(settleMs);
const without = await nodesMemory();
const install = await installArgocd({ cluster, kubeconfig });
console.log(`install:            ${secs(install.timings.installMs)} from apply to ready (+ ${secs(install.timings.deliverMs)} image delivery by ${install.imageDelivery}; build step ${secs(install.timings.buildMs)}, cached)`);

// 3. Memory
await sleep(settleMs);
const pods = await namespaceMemory(argocdNamespace);
const sum = [...pods.values()].reduce((a, b) => a + b, 0);
const withArgo = await nodesMemory();
for (const [pod, bytes] of [...pods].sort((a, b) => b[1] - a[1])) console.log(`  ${pod.padEnd(52)} ${mib(bytes)}`);
console.log(`memory:             Argo CD pods ${mib(sum)} working set (${pods.size} pods, after ${settleMs / 1000}s idle)`);
console.log(`node memory:        ${mib(without)} without Argo CD → ${mib(withArgo)} with it (×${(withArgo / without).toFixed(2)}, +${mib(withArgo - without)})`);
await kubectl(['-n', argocdNamespace, 'get', 'pods', '-o', 'wide'], 'pods').then((o) => console.log(o.trim()));
