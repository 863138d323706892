// The Argo CD add-on: build Argo CD offline (kind/argocd/images.sh), make its images
// available to the learner's cluster, apply Argo CD's own install manifest (trimmed, see
// argocd-manifest.ts), wait for it, and connect it to the in-class git server.
import { existsSync, readFileSync, symlinkSync, mkdirSync, lstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { clusterKubeconfig, clusterName, defaultClusterName, toolchainBinDir } from '../../base/paths.ts';
import { run, sleep, tryRun } from '../../base/exec.ts';
import { reporter, type ProgressListener } from '../progress.ts';
import { componentBinDir, kubectlPath, repoRoot } from '../toolchain.ts';
import { learnerRightsRoles, trimInstallManifest } from './argocd-manifest.ts';
import { guardrailsApplyArgs, learnerRulesLabel } from '../guardrails.ts';
import { mirrorState, pushToMirror } from '../mirror.ts';
import { ensureGitServer, learnerRepo, type LearnerRepo } from '../../gitserver/service.ts';

import { adminPasswordCommand, argocdNamespace, argocdNodePort, gitCredentialSecret } from './argocd-names.ts';

export { adminPasswordCommand, argocdNamespace, argocdNodePort, gitCredentialSecret };

const imagesScript = join(repoRoot, 'kind', 'argocd', 'images.sh');

/**
 * The cluster to act on: the platform's cluster `cluster` (default: LABS_CLUSTER, else labs), reached
 * through `kubeconfig` and `context` when given (what chooseCluster in grader/kube.ts chose), else
 * through that cluster's own kubeconfig.
 */
export type ArgocdTarget = { cluster?: string; kubeconfig?: string; context?: string };

const clusterOf = (t: ArgocdTarget) => clusterName(t.cluster ?? defaultClusterName());
const kubeconfigOf = (t: ArgocdTarget) => t.kubeconfig ?? clusterKubeconfig(clusterOf(t));
/** kubectl's flags for the target: every kubectl call of the add-on goes to the same cluster. */
const targetArgs = (t: ArgocdTarget) => ['--kubeconfig', kubeconfigOf(t), ...(t.context ? ['--context', t.context] : [])];

const kubectl = (t: ArgocdTarget, args: string[], what: string, input?: string) =>
  run(kubectlPath(), [...targetArgs(t), ...args], what, { input, timeoutMs: 120_000 });

export type BuiltImages = { refs: string[]; built: string[]; durationMs: number };

/** Builds (or finds cached) the argocd and redis images and the argocd binary. */
export async function buildArgocdImages(onLine: (line: string) => void = () => {}, force = false): Promise<BuiltImages> {
  const started = Date.now();
  const out = await run('bash', [imagesScript, ...(force ? ['--force'] : [])], 'building Argo CD images (kind/argocd/images.sh)', {
    onLine: (l) => { if (!/^(built|cached) /.test(l)) onLine(l); },
    timeoutMs: 3 * 60 * 60_000,
  });
  const lines = out.trim().split('\n').filter((l) => /^(built|cached) /.test(l));
  return {
    refs: lines.map((l) => l.split(' ')[1]!),
    built: lines.filter((l) => l.startsWith('built ')).map((l) => l.split(' ')[1]!),
    durationMs: Date.now() - started,
  };
}

export type ImageDelivery = 'mirror' | 'node';

/**
 * Makes images pullable in the cluster under their real names: pushed to the platform's local
 * registry mirror (every node's containerd pulls quay.io, public.ecr.aws, … from it) when it
 * runs, else loaded straight into the nodes' containerd with `kind load docker-image` (then the
 * manifest must pull only if missing, see argocd-manifest.ts).
 */
export async function deliverImages(refs: string[], target: ArgocdTarget, onLine: (line: string) => void = () => {}): Promise<ImageDelivery> {
  if ((await mirrorState()).running) {
    for (const ref of refs) {
      const outcome = await pushToMirror(ref, onLine);
      onLine(`${ref}: ${outcome === 'present' ? 'already in' : 'pushed to'} the local registry mirror`);
    }
    return 'mirror';
  }
  const kind = existsSync(join(toolchainBinDir(), 'kind')) ? join(toolchainBinDir(), 'kind') : 'kind';
  for (const ref of refs) {
    onLine(`no registry mirror running: kind load docker-image ${ref} --name ${clusterOf(target)}`);
    await run(kind, ['load', 'docker-image', ref, '--name', clusterOf(target)], `loading ${ref} into cluster "${clusterOf(target)}"`);
  }
  return 'node';
}

/** The install manifest kept beside the built binary (from the same module zip). */
export async function installManifestPath(): Promise<string> {
  const path = join(await componentBinDir('argocd'), '..', 'manifests', 'install.yaml');
  if (!existsSync(path)) throw new Error(`${path} is missing: build Argo CD first (kind/toolchain/build.sh argocd)`);
  return path;
}

type WorkloadStatus = { name: string; ready: number; want: number };

async function workloadStatus(t: ArgocdTarget): Promise<WorkloadStatus[]> {
  // One kubectl for the workloads and argocd-server's EndpointSlices: this runs on every status poll.
  const r = await tryRun(kubectlPath(), [...targetArgs(t), '-n', argocdNamespace, 'get', 'deploy,sts,endpointslices', '-o', 'json'], { timeoutMs: 30_000 });
  if (r.code !== 0) return [];
  type Item = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: { replicas?: number }; status?: { readyReplicas?: number }; endpoints?: { conditions?: { ready?: boolean } }[] };
  const items = (JSON.parse(r.stdout) as { items: Item[] }).items;
  const workloads = items.filter((i) => i.kind !== 'EndpointSlice').map((i) => ({ name: i.metadata.name, ready: i.status?.readyReplicas ?? 0, want: i.spec?.replicas ?? 1 }));
  // A ready argocd-server is reachable only once its Service lists it: until then its NodePort
  // refuses connections (seen once on a host cluster: `argocd login` right after the install).
  const endpoints = items.filter((i) => i.kind === 'EndpointSlice' && i.metadata.labels?.['kubernetes.io/service-name'] === 'argocd-server')
    .flatMap((i) => i.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
  return workloads.length === 0 ? workloads : [...workloads, { name: 'argocd-server endpoints', ready: endpoints, want: 1 }];
}

/** Waits until every Argo CD workload is ready, reporting each change; throws at the deadline. */
export async function waitForArgocd(t: ArgocdTarget, deadlineMs: number, onLine: (line: string) => void = () => {}): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < end) {
    const status = await workloadStatus(t);
    const line = status.map((s) => `${s.name.replace(/^argocd-/, '')} ${s.ready}/${s.want}`).join(', ');
    if (line !== last) { onLine(`waiting: ${line || 'no workloads yet'}`); last = line; }
    if (status.length > 0 && status.every((s) => s.ready >= s.want)) return;
    await sleep(2_000);
  }
  const pods = await tryRun(kubectlPath(), [...targetArgs(t), '-n', argocdNamespace, 'get', 'pods', '--no-headers'], { timeoutMs: 30_000 });
  throw new Error(`Argo CD in cluster "${clusterOf(t)}" not ready after ${Math.round(deadlineMs / 1000)}s: ${last}; pods: ${pods.stdout.trim().split('\n').join(' | ')}`);
}

/** The address of the cluster's first node on the kind network (reachable from this host). */
export async function nodeAddress(t: ArgocdTarget): Promise<string> {
  const out = await kubectl(t, ['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'], `reading node address of cluster "${clusterOf(t)}"`);
  if (!out.trim()) throw new Error(`cluster "${clusterOf(t)}" reports no node InternalIP`);
  return out.trim();
}

/** argocd-server as this host reaches it: https on the node's NodePort (self-signed certificate). */
export async function argocdServerUrl(t: ArgocdTarget = {}): Promise<string> {
  return `https://${await nodeAddress(t)}:${argocdNodePort}`;
}

export async function initialAdminPassword(t: ArgocdTarget): Promise<string | undefined> {
  const r = await tryRun(kubectlPath(), [...targetArgs(t), '-n', argocdNamespace, 'get', 'secret', 'argocd-initial-admin-secret', '-o', 'jsonpath={.data.password}'], { timeoutMs: 30_000 });
  return r.code === 0 && r.stdout ? Buffer.from(r.stdout, 'base64').toString('utf8') : undefined;
}

/** Gives Argo CD the learner's git credentials for every repository on the in-class server. */
export async function connectGitServer(t: ArgocdTarget, repo: LearnerRepo): Promise<void> {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: gitCredentialSecret, namespace: argocdNamespace, labels: { 'argocd.argoproj.io/secret-type': 'repo-creds', 'app.kubernetes.io/part-of': 'argocd' } },
    stringData: { type: 'git', url: repo.credentialPrefix, username: repo.learner, password: repo.password },
  };
  await kubectl(t, ['apply', '-f', '-'], `storing git credentials in cluster "${clusterOf(t)}"`, JSON.stringify(secret));
}

/** Puts `argocd` in the learner's shell PATH dir (build.sh links it too; this covers old caches). */
export async function linkArgocdCli(): Promise<string> {
  const binary = join(await componentBinDir('argocd'), 'argocd');
  const link = join(toolchainBinDir(), 'argocd');
  mkdirSync(toolchainBinDir(), { recursive: true });
  try { if (lstatSync(link)) unlinkSync(link); } catch { /* absent */ }
  symlinkSync(binary, link);
  return link;
}

export type ArgocdInstallOptions = ArgocdTarget & {
  /** The learner whose git repository Argo CD reads (default: the cluster name). */
  learner?: string;
  onProgress?: ProgressListener;
  /** Deadline for the pods to become ready. */
  readyTimeoutMs?: number;
  /** Apply the manifest even when the same version is installed and ready. */
  reapply?: boolean;
};

export type ArgocdInstallation = {
  cluster: string;
  version: string;
  images: string[];
  imageDelivery: ImageDelivery;
  /** Objects trimmed from install.yaml in this run (empty when the install was already in place). */
  dropped: string[];
  serverUrl: string;
  adminPasswordCommand: string;
  /** Present once argocd-server has created it. */
  adminPassword?: string;
  cli: string;
  git: LearnerRepo;
  timings: { buildMs: number; deliverMs: number; installMs: number; totalMs: number };
};

/** Everything `labs addon argocd` does. Safe to repeat: each step is cached or idempotent. */
export async function installArgocd(options: ArgocdInstallOptions = {}): Promise<ArgocdInstallation> {
  const cluster = clusterOf(options);
  const report = reporter(options.onProgress, cluster);
  if (!options.kubeconfig && !existsSync(kubeconfigOf(options))) throw new Error(`cluster "${cluster}": kubeconfig ${kubeconfigOf(options)} not found (create the cluster first: labs cluster create)`);

  report.phase('toolchain', 'building Argo CD from the Go module proxy and its images (cached after the first run)');
  const images = await buildArgocdImages((l) => report.log(l));
  const cli = await linkArgocdCli();

  report.phase('mirror', `making ${images.refs.join(', ')} available to cluster "${cluster}"`);
  const deliverStart = Date.now();
  const imageDelivery = await deliverImages(images.refs, options, (l) => report.log(l));
  const deliverMs = Date.now() - deliverStart;
  const dropped: string[] = [];

  const installStart = Date.now();
  const argocdRef = images.refs.find((r) => r.includes('/argocd:'));
  if (!options.reapply && argocdRef && (await installedServerImage(options)) === argocdRef && (await argocdReady(options)) && (await actsWithLearnerRights(options))) {
    // Already installed from these images and ready: leave it as it is (a second run is quick).
    report.phase('waiting', `Argo CD ${argocdRef.split(':').at(-1)} is already installed and ready (--reapply applies the manifest again)`);
  } else {
    report.phase('creating', 'applying Argo CD install manifest (dex, notifications, applicationset trimmed)');
    const manifest = trimInstallManifest(readFileSync(await installManifestPath(), 'utf8'), { pullIfNotPresent: imageDelivery === 'node' });
    const missing = manifest.images.filter((i) => !images.refs.includes(i));
    if (missing.length) throw new Error(`Argo CD install.yaml uses images that were not built: ${missing.join(', ')}`);
    // Argo CD's ClusterRoles aggregate the learner's rules: those must be in the cluster first.
    await kubectl(options, guardrailsApplyArgs, `applying the learner guardrails to cluster "${cluster}"`);
    await kubectl(options, ['create', 'namespace', argocdNamespace, '--dry-run=client', '-o', 'yaml'], 'namespace').then((ns) =>
      kubectl(options, ['apply', '-f', '-'], `creating namespace ${argocdNamespace}`, ns));
    // Server-side apply: the CRDs exceed client-side apply's last-applied annotation limit.
    await kubectl(options, ['apply', '--server-side', '--force-conflicts', '-n', argocdNamespace, '-f', '-'], `applying Argo CD to cluster "${cluster}"`, manifest.yaml);
    // The seed's NodePort: argocd-server's https port on every node at 31001.
    await kubectl(options, ['-n', argocdNamespace, 'patch', 'svc', 'argocd-server', '--type', 'merge', '-p',
      JSON.stringify({ spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'https', port: 443, targetPort: 8080, protocol: 'TCP', nodePort: argocdNodePort }] } })],
      'exposing argocd-server on NodePort');
    dropped.push(...manifest.dropped);

    report.phase('waiting', 'waiting for Argo CD pods');
    await waitForArgocd(options, options.readyTimeoutMs ?? 10 * 60_000, (l) => report.log(l));
  }

  report.phase('waiting', 'connecting Argo CD to the in-class git server');
  const server = await ensureGitServer({ log: (l) => report.log(l) });
  const git = await learnerRepo(server, options.learner ?? cluster);
  await connectGitServer(options, git);
  const installMs = Date.now() - installStart;

  let adminPassword: string | undefined;
  for (let i = 0; i < 30 && !adminPassword; i++) {
    adminPassword = await initialAdminPassword(options);
    if (!adminPassword) await sleep(1_000);
  }
  const version = images.refs.find((r) => r.includes('/argocd:'))?.split(':').at(-1) ?? 'unknown';
  report.phase('ready', `Argo CD ${version} ready in cluster "${cluster}"`);
  return {
    cluster,
    version,
    images: images.refs,
    imageDelivery,
    dropped,
    serverUrl: await argocdServerUrl(options),
    adminPasswordCommand,
    adminPassword,
    cli,
    git,
    timings: { buildMs: images.durationMs, deliverMs, installMs, totalMs: report.elapsedMs() },
  };
}

/** Argo CD's controller holds the learner's rights (an install from before the guardrails held `*` on `*`). */
async function actsWithLearnerRights(t: ArgocdTarget): Promise<boolean> {
  const r = await tryRun(kubectlPath(), [...targetArgs(t), 'get', 'clusterrole', learnerRightsRoles[0], '-o', 'jsonpath={.aggregationRule.clusterRoleSelectors[0].matchLabels}'], { timeoutMs: 30_000 });
  return r.code === 0 && r.stdout.includes(learnerRulesLabel);
}

/** The image argocd-server runs, or undefined when it is not installed. */
async function installedServerImage(t: ArgocdTarget): Promise<string | undefined> {
  const r = await tryRun(kubectlPath(), [...targetArgs(t), '-n', argocdNamespace, 'get', 'deploy', 'argocd-server', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], { timeoutMs: 30_000 });
  return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** Is Argo CD installed and ready in the cluster? (for `setup.requires: [argocd]`) */
export async function argocdReady(t: ArgocdTarget = {}): Promise<boolean> {
  const status = await workloadStatus(t);
  return status.length > 0 && status.every((s) => s.ready >= s.want);
}
