// Learner clusters as kind clusters: create (through ./offline.ts's node image and mirror when
// upstream cannot be reached), status, kubeconfig, reset, delete, list. The CLI (`labs cluster`),
// the web server and the test fixtures call this; none of them runs kind or docker themselves.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { clusterDir, clusterKubeconfig, clusterLearnerKubeconfig, clusterName, defaultClusterName, ownClusterFolder } from '../base/paths.ts';
import { applyGuardrails, issueLearnerCredentials, learnerKubeconfig } from './guardrails.ts';
import { run, sleep, tryRun, lastErrorLine } from '../base/exec.ts';
import { pidAlive } from './file-lock.ts';
import { ensureDockerEngine, raiseInotifyLimits, requireFreeDisk, type DockerEngine } from './docker/engine.ts';
import { componentStamp, ensureComponents, repoRoot, toolchainVersions } from './toolchain.ts';
import { imageKeyOf } from './images/build.ts';
import { offlineNodeRef } from './images/node-image.ts';
import { connectMirrorToKindNetwork, releaseKindNetwork } from './mirror.ts';
import { reporter, type ProgressEvent, type ProgressListener, type Reporter } from './progress.ts';
import { BuildEstimator, type BuildProgress } from './estimate.ts';
import { chooseOffline, prepareOffline, upstreamNodeImage } from './offline.ts';
import { cgroupV1KubeletPatch } from './cgroup-v1.ts';
import { corednsReplicas, kindTuningPatches } from './learner-cluster-tuning.ts';

export type ClusterState = 'none' | 'building' | 'creating' | 'ready' | 'error';

export type ClusterStatus = {
  name: string;
  state: ClusterState;
  /** One line for people: "building image docker.io/library/nginx:1.24", the error and what to do. */
  message: string;
  /** Set once the cluster exists. */
  kubeconfig?: string;
  /** Whether it runs on the offline node image and local mirror. */
  offline?: boolean;
  /** While building or creating: the step, the component, about how long is left. */
  progress?: BuildProgress;
  /** An error that may pass by itself: the node runs but its API server did not answer (a busy machine). */
  unanswered?: boolean;
  updatedAt: string;
};

export type CreateOptions = {
  name?: string;
  /** true: offline node image + mirror; false: upstream kind image; undefined: decide (see `chooseOffline`). */
  offline?: boolean;
  onProgress?: ProgressListener;
  /** How long to wait for the node to be Ready and kube-system pods to run (default 240 s). */
  readyTimeoutMs?: number;
  /**
   * The Docker network the node joins (kind's KIND_EXPERIMENTAL_DOCKER_NETWORK; kind creates it
   * when missing). Default: kind's own network "kind". Classroom mode gives each learner one.
   */
  network?: string;
  /** Offline: join the local mirror to the node's network (default true; false when the caller provides one there). */
  connectMirror?: boolean;
  /** Offline: a node image the caller has already prepared (prepareOffline), so this create skips that check. */
  nodeImage?: string;
  /** Worker nodes beside the control plane (default 0): a multi-node host cluster for the `kubernetes` classroom provider. */
  workers?: number;
  /**
   * The learner guardrails (src/environments/guardrails.ts; default true). false only for a cluster
   * no learner gets a kubeconfig of and whose pods must be privileged: a host cluster for the
   * `kubernetes` provider, where the platform itself runs learner clusters as privileged pods.
   */
  learnerGuardrails?: boolean;
};

export type ClusterInfo = { name: string; kubeconfig: string; offline: boolean; nodeImage: string; createSeconds: number };

/** What every environment provider offers (kind today; namespace/vcluster providers later). */
export interface EnvironmentProvider {
  create(options?: CreateOptions): Promise<ClusterInfo>;
  /** Adopt a ready cluster, or wait for / repair / create it. */
  ensure(options?: CreateOptions): Promise<{ name: string; kubeconfig: string; created: boolean }>;
  status(name?: string): Promise<ClusterStatus>;
  /** Path of the cluster's kubeconfig (throws when the cluster does not exist). */
  kubeconfig(name?: string): Promise<string>;
  reset(options?: CreateOptions): Promise<ClusterInfo>;
  /** Removes the cluster and its kubeconfig; false when there was no such cluster. */
  delete(name?: string, onProgress?: ProgressListener): Promise<boolean>;
  list(): Promise<ClusterStatus[]>;
}

export class ClusterExistsError extends Error {}
export class ClusterNotFoundError extends Error {}

const configFile = join(repoRoot, 'kind', 'cluster.yaml');

/** What this Docker engine's host makes a kind cluster need (see writeKindConfig). */
export type KindHost = Pick<DockerEngine, 'capWrapper' | 'cgroupV1'>;

/**
 * kind/cluster.yaml as this engine's host needs it:
 *  - where the node containers lack CAP_SYS_RESOURCE (the runc wrapper is in use), containerd
 *    inside the node must not lower a pod's oom_score_adj below its own: without the capability
 *    runc init fails ("can't get final child's PID from pipe") for every hostNetwork pod, i.e.
 *    the whole control plane;
 *  - on a cgroup v1 host the kubelet (1.35+) refuses to start unless `failCgroupV1: false`
 *    (KEP-5573); a cgroup v2 host does not carry the setting.
 *  - every learner cluster: the settings of learner-cluster-tuning.ts (a one-node cluster idles
 *    cheaper and survives a freeze).
 */
export function writeKindConfig(name: string, host: KindHost, workers = 0): string {
  const config = parse(readFileSync(configFile, 'utf8')) as {
    containerdConfigPatches?: string[]; kubeadmConfigPatches?: string[]; kubeadmConfigPatchesJSON6902?: unknown[]; nodes?: { role: string }[];
  };
  const tuning = kindTuningPatches();
  config.kubeadmConfigPatches = [...(config.kubeadmConfigPatches ?? []), ...tuning.merge];
  config.kubeadmConfigPatchesJSON6902 = [...(config.kubeadmConfigPatchesJSON6902 ?? []), ...tuning.json6902];
  for (let i = 0; i < workers; i++) config.nodes = [...(config.nodes ?? []), { role: 'worker' }];
  if (host.capWrapper) {
    config.containerdConfigPatches = [...(config.containerdConfigPatches ?? []),
      '[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true'];
  }
  if (host.cgroupV1) {
    config.kubeadmConfigPatches = [...(config.kubeadmConfigPatches ?? []), cgroupV1KubeletPatch];
  }
  const file = join(clusterDir(name), 'kind-config.yaml');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `# Generated from ${configFile} by src/environments/kind-provider.ts\n${stringify(config)}`);
  return file;
}
const statusFile = (name: string) => join(clusterDir(name), 'status.json');

type StoredStatus = { state: ClusterState; message: string; pid: number; offline?: boolean; progress?: BuildProgress; updatedAt: string };

function writeStatus(name: string, state: ClusterState, message: string, offline?: boolean, progress?: BuildProgress): void {
  mkdirSync(dirname(statusFile(name)), { recursive: true });
  const record: StoredStatus = { state, message, pid: process.pid, offline, progress, updatedAt: new Date().toISOString() };
  writeFileSync(statusFile(name), JSON.stringify(record, null, 2) + '\n');
}

function readStatus(name: string): StoredStatus | undefined {
  try {
    return JSON.parse(readFileSync(statusFile(name), 'utf8')) as StoredStatus;
  } catch {
    return undefined;
  }
}


/** The kind CLI: built by the toolchain (kind/toolchain/build.sh kind). */
export async function kindBinary(onLine?: (l: string) => void): Promise<string> {
  // A laptop may already have the same kind on PATH and no Go: use it rather than building.
  if (!(await componentStamp('kind'))) {
    const onPath = await tryRun('kind', ['version']);
    if (onPath.code === 0 && onPath.stdout.startsWith(`kind ${toolchainVersions().KIND_VERSION} `)) return 'kind';
  }
  const dirs = await ensureComponents(['kind'], onLine);
  return join(dirs.kind, 'kind');
}

/** Names of the kind clusters on this Docker engine. */
export async function kindClusters(): Promise<string[]> {
  const r = await tryRun('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Label "io.x-k8s.kind.cluster"}}']);
  return [...new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean))].sort();
}

/** CoreDNS at learner-cluster-tuning.ts's replicas (kubeadm makes two), before its second pod starts. */
async function scaleCoredns(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const apps = kc.makeApiClient(AppsV1Api);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await apps.patchNamespacedDeploymentScale({ name: 'coredns', namespace: 'kube-system', body: { spec: { replicas: corednsReplicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      return;
    } catch (e) {
      // kind returns before kubeadm's add-ons are all in: the Deployment comes within seconds.
      if (Date.now() > deadline) throw new Error(`scaling CoreDNS to ${corednsReplicas}: ${(e as Error).message.split('\n')[0]}`);
      await sleep(1000);
    }
  }
}

async function waitUntilReady(name: string, kubeconfig: string, timeoutMs: number, report: Reporter): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const nodes = (await core.listNode()).items;
      const notReady = nodes.filter((n) => !n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata?.name);
      const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
      const waiting = pods.filter((p) => p.status?.phase !== 'Running' || !p.status?.containerStatuses?.every((c) => c.ready)).map((p) => p.metadata?.name);
      const line = nodes.length === 0 ? 'no nodes yet' : notReady.length ? `waiting for node ${notReady.join(', ')} to be Ready` : waiting.length ? `waiting for kube-system pods: ${waiting.join(', ')}` : '';
      if (!line && pods.length > 0) return;
      if (line !== last) report.log((last = line));
    } catch (e) {
      const line = `API server not answering yet (${(e as Error).message.split('\n')[0]})`;
      if (line !== last) report.log((last = line));
    }
    await sleep(1000);
  }
  throw new Error(`cluster "${name}" not ready after ${Math.round(timeoutMs / 1000)} s: ${last} (kept for diagnosis; \`labs cluster delete --name ${name}\` removes it)`);
}

/**
 * The learner guardrails in the cluster and the learner's kubeconfig beside the admin one
 * (clusterLearnerKubeconfig). Part of every create; also run for a cluster made before them.
 */
export async function secureCluster(name: string, log: (m: string) => void = () => {}): Promise<string> {
  const kubeconfig = clusterKubeconfig(name);
  await applyGuardrails(kubeconfig, log);
  const node = `${name}-control-plane`;
  const credentials = await issueLearnerCredentials((argv) => run('docker', ['exec', node, ...argv], `${argv.slice(0, 3).join(' ')} in node ${node}`, { timeoutMs: 60_000 }));
  const file = clusterLearnerKubeconfig(name);
  writeFileSync(file, learnerKubeconfig(readFileSync(kubeconfig, 'utf8'), credentials), { mode: 0o600 });
  return file;
}

export class KindProvider implements EnvironmentProvider {
  private readonly listeners = new Set<ProgressListener>();
  /** In-process status (the web server's own create in flight), fresher than status.json. */
  private readonly live = new Map<string, ClusterStatus>();
  /** Creates in flight in this process: a second create of the same name joins the first. */
  private readonly inFlight = new Map<string, Promise<ClusterInfo>>();

  /** Every progress event of this provider's operations; returns the unsubscribe function. */
  subscribe(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Progress events as an async iterator (ends when `signal` aborts). */
  async *events(signal?: AbortSignal): AsyncGenerator<ProgressEvent> {
    const queue: ProgressEvent[] = [];
    let wake: (() => void) | undefined;
    const off = this.subscribe((e) => { queue.push(e); wake?.(); });
    signal?.addEventListener('abort', () => wake?.());
    try {
      while (!signal?.aborted) {
        if (queue.length === 0) await new Promise<void>((r) => { wake = r; });
        wake = undefined;
        while (queue.length > 0) yield queue.shift() as ProgressEvent;
      }
    } finally {
      off();
    }
  }

  /** A reporter that also records the cluster's status (`persist`: in status.json and in memory). */
  private emitter(name: string, onProgress?: ProgressListener, offline?: boolean, persist = true): Reporter {
    const estimator = new BuildEstimator();
    return reporter((event) => {
      if (!persist) {
        onProgress?.(event);
        for (const l of this.listeners) l(event);
        return;
      }
      const state: ClusterState = event.phase === 'error' ? 'error' : event.phase === 'ready' ? 'ready'
        : ['creating', 'waiting'].includes(event.phase) ? 'creating' : event.phase === 'deleting' ? 'none' : 'building';
      const progress = estimator.observe(event);
      const status: ClusterStatus = { name, state, message: event.message, offline, progress, updatedAt: new Date().toISOString() };
      this.live.set(name, status);
      if (event.phase !== 'deleting') writeStatus(name, state, event.message, offline, progress);
      onProgress?.(event);
      for (const l of this.listeners) l(event);
    }, name);
  }

  async create(options: CreateOptions = {}): Promise<ClusterInfo> {
    const name = clusterName(options.name ?? defaultClusterName());
    const existing = this.inFlight.get(name);
    if (existing) return existing;
    const pending = this.createOnce(name, options);
    this.inFlight.set(name, pending);
    try {
      return await pending;
    } finally {
      this.inFlight.delete(name);
    }
  }

  private async createOnce(name: string, options: CreateOptions): Promise<ClusterInfo> {
    // Until the name is known to be free, progress is not recorded as this cluster's status.
    let report = this.emitter(name, options.onProgress, undefined, false);
    try {
      report.phase('docker', 'checking the Docker engine');
      const engine = await ensureDockerEngine((m) => report.log(m));
      if ((await kindClusters()).includes(name)) {
        throw new ClusterExistsError(`cluster "${name}" already exists: use it, or \`labs cluster reset --name ${name}\` / \`labs cluster delete --name ${name}\``);
      }
      report = this.emitter(name, options.onProgress);
      requireFreeDisk(engine.rootDir, 3, `cluster "${name}"`);
      raiseInotifyLimits((m) => report.log(m));
      const nodeRef = offlineNodeRef(toolchainVersions().KUBERNETES_VERSION);
      const mode = await chooseOffline(options.offline, nodeRef);
      report = this.emitter(name, options.onProgress, mode.offline);
      report.log(`${mode.offline ? 'offline' : 'online'} (${mode.reason})`);
      let nodeImage = upstreamNodeImage();
      if (mode.offline) {
        // Only a first build needs the room; a class on a nearly full disk still gets clusters from built images.
        if (!options.nodeImage && (await imageKeyOf(nodeRef)) === undefined) requireFreeDisk(engine.rootDir, 8, 'building the offline images');
        nodeImage = options.nodeImage ?? (await prepareOffline(report)).nodeImage;
        if (options.connectMirror !== false) await connectMirrorToKindNetwork(options.network);
      }
      const kind = await kindBinary((l) => report.log(l));
      const kubeconfig = clusterKubeconfig(name);
      mkdirSync(dirname(kubeconfig), { recursive: true });
      rmSync(kubeconfig, { force: true });
      const kindConfig = writeKindConfig(name, engine, options.workers);
      report.phase('creating', `creating cluster "${name}" (${nodeImage.split('@')[0]})`);
      const started = Date.now();
      const created = await tryRun(kind, ['create', 'cluster', '--name', name, '--image', nodeImage, '--config', kindConfig, '--kubeconfig', kubeconfig, '--wait', '0s'], {
        onLine: (line) => report.log(line.replace(/^\s*[✓✗•]\s*/, '').trim()),
        env: options.network ? { ...process.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: options.network } : undefined,
      });
      const kindLog = join(dirname(kubeconfig), 'kind-create.log');
      writeFileSync(kindLog, created.stderr + created.stdout);
      if (created.code !== 0) {
        await tryRun(kind, ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig]);
        const kindError = (created.stderr + '\n' + created.stdout).split('\n').find((l) => l.startsWith('ERROR: '))?.slice(7);
        throw new Error(`failed to create cluster "${name}": ${kindError ?? lastErrorLine(created)} (log: ${kindLog})`);
      }
      report.phase('waiting', 'waiting for the node to be Ready and kube-system pods to run');
      await scaleCoredns(kubeconfig);
      await waitUntilReady(name, kubeconfig, options.readyTimeoutMs ?? 240_000, report);
      if (options.learnerGuardrails !== false) await secureCluster(name, (m) => report.log(m));
      const createSeconds = (Date.now() - started) / 1000;
      report.phase('ready', `cluster "${name}" is ready (${createSeconds.toFixed(0)} s)`);
      return { name, kubeconfig, offline: mode.offline, nodeImage, createSeconds };
    } catch (e) {
      const message = (e as Error).message.split('\n')[0];
      if (!(e instanceof ClusterExistsError)) report.phase('error', message);
      throw e;
    }
  }

  async status(name: string = defaultClusterName()): Promise<ClusterStatus> {
    clusterName(name);
    const now = new Date().toISOString();
    const stored = readStatus(name);
    const inFlight = stored && ['building', 'creating'].includes(stored.state) && pidAlive(stored.pid);
    const live = this.live.get(name);
    if (live && ['building', 'creating'].includes(live.state)) return live;
    if (inFlight) return { name, state: stored.state, message: stored.message, offline: stored.offline, progress: stored.progress, updatedAt: stored.updatedAt };
    const node = await tryRun('docker', ['inspect', '--format', '{{.State.Running}}', `${name}-control-plane`]);
    const kubeconfig = clusterKubeconfig(name);
    if (node.code === 0) {
      if (node.stdout.trim() !== 'true') return { name, state: 'error', message: `node container ${name}-control-plane is stopped: \`docker start ${name}-control-plane\` or \`labs cluster reset --name ${name}\``, kubeconfig, offline: stored?.offline, updatedAt: now };
      if (!existsSync(kubeconfig)) return { name, state: 'error', message: `cluster "${name}" exists but ${kubeconfig} is missing: \`labs cluster reset --name ${name}\``, offline: stored?.offline, updatedAt: now };
      try {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfig);
        const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
        const ready = nodes.length > 0 && nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready
          ? { name, state: 'ready', message: `cluster "${name}" is ready`, kubeconfig, offline: stored?.offline, updatedAt: now }
          : { name, state: 'creating', message: `cluster "${name}": node not Ready yet`, kubeconfig, offline: stored?.offline, updatedAt: now };
      } catch (e) {
        return { name, state: 'error', message: `cluster "${name}" does not answer: ${(e as Error).message.split('\n')[0]}`, kubeconfig, offline: stored?.offline, unanswered: true, updatedAt: now };
      }
    }
    if (stored?.state === 'error') return { name, state: 'error', message: stored.message, offline: stored.offline, updatedAt: stored.updatedAt };
    if (stored && ['building', 'creating'].includes(stored.state)) return { name, state: 'error', message: `creating cluster "${name}" was interrupted: run \`labs cluster create --name ${name}\` again`, updatedAt: stored.updatedAt };
    return { name, state: 'none', message: `no cluster "${name}": \`labs cluster create --name ${name}\``, updatedAt: now };
  }

  async kubeconfig(name: string = defaultClusterName()): Promise<string> {
    clusterName(name);
    const path = clusterKubeconfig(name);
    if (!existsSync(path) || !(await kindClusters()).includes(name)) throw new ClusterNotFoundError(`no cluster "${name}" (kubeconfig ${path})`);
    return path;
  }

  async delete(name: string = defaultClusterName(), onProgress?: ProgressListener): Promise<boolean> {
    clusterName(name);
    const report = this.emitter(name, onProgress);
    report.phase('deleting', `deleting cluster "${name}"`);
    const kubeconfig = clusterKubeconfig(name);
    const existed = (await kindClusters()).includes(name);
    if (existed) {
      const kind = await kindBinary();
      await run(kind, ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig], `failed to delete cluster "${name}"`);
    }
    rmSync(ownClusterFolder(clusterDir(name)), { recursive: true, force: true });
    this.live.delete(name);
    // The kind network goes once no cluster uses it; the mirror (shared, cached) stays.
    await releaseKindNetwork();
    return existed;
  }

  /**
   * Adopts the cluster when it is ready, waits for a create already in flight (another process
   * or this one), recreates it when a previous create failed or was interrupted, creates it when
   * missing. What the platform calls at start in solo mode.
   */
  async ensure(options: CreateOptions = {}): Promise<{ name: string; kubeconfig: string; created: boolean }> {
    const name = clusterName(options.name ?? defaultClusterName());
    // Status is only meaningful with the engine up (after a reboot its node is stopped: recreated).
    await ensureDockerEngine();
    const waitingSince = Date.now();
    for (;;) {
      const status = await this.status(name);
      if (status.state === 'ready' && status.kubeconfig) {
        // A cluster made before the guardrails existed gets them now (a no-op once it has them).
        if (options.learnerGuardrails !== false && !existsSync(clusterLearnerKubeconfig(name))) await secureCluster(name, (m) => options.onProgress?.({ phase: 'waiting', message: m, cluster: name, elapsedMs: Date.now() - waitingSince }));
        return { name, kubeconfig: status.kubeconfig, created: false };
      }
      // A node that runs but whose API server did not answer is waited for like one coming up:
      // on a busy machine that is a slow answer, never a reason to delete someone's cluster.
      if (status.state === 'building' || status.state === 'creating' || status.unanswered) {
        const inFlight = this.inFlight.get(name);
        if (inFlight) return { name, kubeconfig: (await inFlight).kubeconfig, created: true };
        // Another process building or creating it: wait. A node that never gets Ready with
        // nobody creating it (e.g. after a reboot) is recreated.
        const stored = readStatus(name);
        const otherProcessWorking = stored && ['building', 'creating'].includes(stored.state) && pidAlive(stored.pid);
        if (otherProcessWorking || Date.now() - waitingSince < (options.readyTimeoutMs ?? 240_000)) {
          await sleep(2000);
          continue;
        }
        // Its node runs, and may hold the learner's work: say so rather than delete it.
        if (status.unanswered) throw new Error(`${status.message} (for ${Math.round((Date.now() - waitingSince) / 1000)} s): \`labs cluster reset --name ${name}\` recreates it`);
      }
      if (status.state !== 'none') await this.delete(name, options.onProgress);
      const info = await this.create({ ...options, name });
      return { name, kubeconfig: info.kubeconfig, created: true };
    }
  }

  async reset(options: CreateOptions = {}): Promise<ClusterInfo> {
    const name = clusterName(options.name ?? defaultClusterName());
    await this.delete(name, options.onProgress);
    return this.create({ ...options, name });
  }

  async list(): Promise<ClusterStatus[]> {
    return Promise.all((await kindClusters()).map((n) => this.status(n)));
  }
}

/** The default provider instance (one per process, so the web server sees its own progress). */
export const kindProvider = new KindProvider();
