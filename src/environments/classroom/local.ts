// Classroom mode's learner environments on this machine (the contract: contract.ts): per
// learner, one kind cluster on its own Docker network and a sandbox container for the shell.
//
//   network  <env>-net          a bridge of its own: the node, the sandbox and the read-only
//                               mirror; Docker's isolation rules drop traffic between bridges,
//                               so no learner reaches another's API server or shell
//   cluster  <env>              kind, through the kind provider (kind-cluster.ts)
//   sandbox  <env>-shell        the toolbox image, no Docker socket, no host path, no capability,
//                               the learner's shell in tmux (docker-sandbox.ts)
//   home     labs-<pool>-home-… a volume per learner with ~/.kube/config (the cluster's internal
//                               kubeconfig) and the learner's files; kept when an idle
//                               environment is reclaimed or replaced, removed on release
//
// The warm pool (warm-pool.ts) makes environments in advance: cluster, network, a running sandbox
// with a fresh home. Handing one out writes the learner's token into it and records the
// assignment (a labelled volume), well under a second; a returning learner (their environment
// was reclaimed or replaced) gets a new sandbox with their own home instead. Clusters are made
// one at a time (creating one is CPU-bound), learners first, while capacity.ts says they fit.
// Docker labels (docker-objects.ts) are the record: `open()` re-adopts what it finds
// (local-adoption.ts); stopped containers (container-health.ts) and idle environments
// (idle-round.ts: frozen, later reclaimed) are watched.
//
// Known limit, said plainly: a learner is cluster-admin of their kind cluster, and kind nodes
// are privileged containers, so a learner who runs a privileged pod can reach this host. The
// network and sandbox isolation here keeps learners apart from each other's clusters and
// shells; it does not make a hostile learner safe. Untrusted classes need nodes that are not
// privileged containers (the `kubernetes` provider on separate machines, or VMs).
import { run } from '../../base/exec.ts';
import { ensureDockerEngine } from '../docker/engine.ts';
import { clusterKubeconfig } from '../../base/paths.ts';
import { reporter } from '../progress.ts';
import { BuildEstimator } from '../estimate.ts';
import { ensureToolboxImage } from '../images/toolbox-image.ts';
import { readTimings, recordTimings } from '../timings.ts';
import type { Language } from '../../content/schema.ts';
import type { ShellCommand } from '../../terminal/session.ts';
import type { PoolStatus } from './contract.ts';
import {
  DEFAULT_CPU_SHARE, MachineFullError, defaultEnvironmentCpu, defaultEnvironmentMiB, defaultWarmPoolSize, machineRoom, type MachineFigures,
} from './capacity.ts';
import { checkContainers } from './container-health.ts';
import {
  containerCpu, containerMemoryMiB, findPool, homeVolumeName, networkName, poolName, recordAssignment, removeAssignment, sandboxName,
} from './docker-objects.ts';
import { DockerSandboxes, defaultSandboxLimits, type SandboxLimits } from './docker-sandbox.ts';
import { removeHome } from './home-volume.ts';
import { idleRound } from './idle-round.ts';
import { idleRoundEveryMs } from './idle-schedule.ts';
import { waitForHeartbeat } from '../node-heartbeat.ts';
import { KindClusters, nodeContainer, type Prepared } from './kind-cluster.ts';
import { adoptLocalEnvironments } from './local-adoption.ts';
import type { LocalEnv, LocalLearner } from './local-records.ts';
import { WarmPool, type PoolPolicy, type Room } from './warm-pool.ts';

export type LocalEnvironmentsOptions = {
  /** Names this set of environments on Docker (labels, volume names): two servers or a test never mix theirs. Default "classroom". */
  pool?: string;
  /** Warm environments kept ready. Default: defaultWarmPoolSize() of what fits in memory. */
  warm?: number;
  /** How often assigned environments' containers are checked for having stopped (default 20 s). */
  healthEveryMs?: number;
  /** At most this many environments (assigned, warm and being made). Default: what fits in memory. */
  maxEnvironments?: number;
  /** Memory left for the host and the server (MiB, default 2048). */
  reserveMiB?: number;
  /** Memory one environment needs (MiB). Default: the figure measured here (measure(), bench/classroom-environments.ts), else 560. */
  environmentMiB?: number;
  /** CPU one idle environment keeps busy (cores). Default: measured here, else 0.16. */
  environmentCpu?: number;
  /** Share of the machine's cores idle environments may keep busy (default DEFAULT_CPU_SHARE): the rest is for learners' work and the server. */
  cpuShare?: number;
  /** A learner's environment is reclaimed (home kept) after this long without activity. Default 2 h; 0 = never. */
  idleMs?: number;
  /**
   * A learner's environment is frozen (node and sandbox paused: no CPU, memory kept) after this
   * long without activity and with no page of theirs open; their next sign thaws it. Default
   * 5 min; 0 = never.
   */
  freezeMs?: number;
  sandbox?: Partial<SandboxLimits>;
  /**
   * Limits of each kind node container (docker update once it is ready), so one learner's
   * workload cannot starve the others: memory (default 3072 MiB, about five times an idle
   * node) and CPU (default the cores less half a core). 0 = no limit.
   */
  node?: { memoryMiB?: number; cpus?: number };
  /**
   * The class server as a sandbox reaches it, for the learner's `labs` thin client (LABS_SERVER).
   * `labs-server` resolves to this host in every sandbox (Docker's host-gateway), e.g.
   * "http://labs-server:4321"; the server must listen on an address the learner networks reach.
   */
  serverUrl?: string | (() => Promise<string>);
  /**
   * What `labs-server` resolves to in sandboxes: Docker's host-gateway (default: the docker0
   * bridge's address, which every learner network reaches through the host), or an address of
   * this host the server listens on when it does not listen on 0.0.0.0.
   */
  serverAddress?: string;
  /** The learner's bearer token for `labs` in the sandbox (written to LABS_TOKEN_FILE when the environment is handed out). */
  credential?: (learner: string) => Promise<string | undefined> | string | undefined;
  /**
   * Files every new home starts with, by path under the home (the labs' starter files as
   * `labs/01-liveness/liveness-test.yaml`); written only where the learner has no such file.
   */
  starterFiles?: () => Promise<Record<string, string>>;
  /** Clusters made at the same time (default 1: creating a cluster keeps a core busy). */
  parallelCreates?: number;
  /** Node Ready timeout per cluster (default 240 s). */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
};

const policy = (parallelCreates: number): PoolPolicy => ({
  name: 'classroom environments',
  parallelCreates,
  replacing: 'replacing your environment (the files in your home folder are kept)',
  full: (c: PoolStatus) => new MachineFullError(`this machine is full: ${c.assigned} learner environments and ${c.creating} being made; ${c.limitMessage}. End a cohort or release learners, or use another machine`),
});

export class LocalLearnerEnvironments extends WarmPool<LocalEnv, LocalLearner> {
  /** The Docker pool name (labels, volume names). */
  readonly pool: string;
  private readonly options: LocalEnvironmentsOptions;
  private readonly figures: MachineFigures;
  private readonly idleMs: number;
  private readonly freezeMs: number;
  private readonly clusters: KindClusters;
  private readonly sandboxes: DockerSandboxes;
  private prepared: Promise<Prepared> | undefined;
  /** What prepare() is building now and about how long is left, said in capacity(). */
  private preparing: PoolStatus['preparing'];
  private lastPreparingNotice = 0;
  /** Argo CD's CLI for the sandbox image, built after the first environment (toolbox-image.ts). */
  private argocd: Promise<void> | undefined;

  constructor(options: LocalEnvironmentsOptions = {}) {
    super(policy(options.parallelCreates ?? 1), options.warm, options.log);
    this.options = options;
    this.pool = poolName(options.pool ?? 'classroom');
    this.figures = {
      reserveMiB: options.reserveMiB ?? 2048,
      environmentMiB: options.environmentMiB ?? readTimings().classroomEnvironmentMiB ?? defaultEnvironmentMiB,
      environmentCpu: Math.max(0.01, options.environmentCpu ?? readTimings().classroomEnvironmentCpu ?? defaultEnvironmentCpu),
      cpuShare: options.cpuShare ?? DEFAULT_CPU_SHARE,
      maxEnvironments: options.maxEnvironments,
    };
    this.idleMs = options.idleMs ?? 2 * 3600_000;
    this.freezeMs = options.freezeMs ?? 5 * 60_000;
    this.clusters = new KindClusters({ pool: this.pool, node: options.node, readyTimeoutMs: options.readyTimeoutMs, log: this.log });
    this.sandboxes = new DockerSandboxes({
      pool: this.pool, limits: { ...defaultSandboxLimits, ...options.sandbox },
      serverUrl: options.serverUrl, serverAddress: options.serverAddress, starterFiles: options.starterFiles, log: this.log,
    });
  }

  /** A started instance: what Docker holds for this pool is adopted, the warm pool fills, idle ones are reclaimed. */
  static async open(options: LocalEnvironmentsOptions = {}): Promise<LocalLearnerEnvironments> {
    const environments = new LocalLearnerEnvironments(options);
    await environments.start();
    return environments;
  }

  async start(): Promise<void> {
    this.sandboxes.capWrapper = (await ensureDockerEngine((m) => this.log(m))).capWrapper;
    await adoptLocalEnvironments({ pool: this, poolName: this.pool, clusters: this.clusters, sandboxes: this.sandboxes, resume: (n, since) => this.resume(n, since), log: this.log });
    if (this.warmTarget === undefined) this.warmTarget = defaultWarmPoolSize((await this.capacity()).fit + this.envs.size);
    // The machine prepares (images, node image, mirror) at start, class open or not: that is the long part.
    void this.prepare().catch((e: unknown) => this.note(`preparing: ${(e as Error).message}`));
    this.replenish();
    this.every(this.options.healthEveryMs ?? 20_000, 'health check', () => checkContainers(this));
    const idleEveryMs = idleRoundEveryMs(this.freezeMs, this.idleMs);
    if (idleEveryMs) this.every(idleEveryMs, 'idle check', () => idleRound(this, this.sandboxes, { freezeMs: this.freezeMs, reclaimMs: this.idleMs }));
  }

  /** Builds (once per process) what every environment needs: node image, mirror, toolbox image. */
  prepare(): Promise<Prepared> {
    this.prepared ??= (async () => {
      let phase = '';
      const estimator = new BuildEstimator();
      const report = reporter((e) => {
        this.preparing = { message: e.message, progress: estimator.observe(e) };
        this.note(e.message);
        // The dashboard hears of each step, and of its lines at most every 2 s.
        if (e.phase !== phase || Date.now() - this.lastPreparingNotice > 2000) {
          this.lastPreparingNotice = Date.now();
          this.poolChanged();
        }
        if (e.phase === phase) return;
        // Learners waiting meanwhile see each step (not every build line).
        phase = e.phase;
        for (const [learner, record] of this.learners.all()) {
          if (record.status.state === 'pending' || record.status.state === 'creating') this.learners.setStatus(learner, 'creating', `preparing this machine first (the first start takes long): ${e.message}`);
        }
      });
      const prepared = await this.clusters.prepare(report);
      this.preparing = undefined;
      this.poolChanged();
      return prepared;
    })();
    this.prepared.catch(() => {
      this.prepared = undefined;
      this.preparing = undefined;
      this.poolChanged();
    });
    return this.prepared;
  }

  /**
   * Memory and CPU of one learner's environment now (node container + sandbox; CPU the mean of
   * `samples` docker stats readings), recorded as this machine's figures for capacity.
   */
  async measure(learner: string, samples = 5): Promise<{ nodeMiB: number; sandboxMiB: number; totalMiB: number; cpu: number }> {
    const result = await this.usage(learner, samples);
    recordTimings({ classroomEnvironmentMiB: Math.ceil(result.totalMiB), classroomEnvironmentCpu: Math.round(result.cpu * 100) / 100, classroomEnvironmentAt: new Date().toISOString() });
    return result;
  }

  /** measure() without recording (a frozen environment's, say). */
  async usage(learner: string, samples = 5): Promise<{ nodeMiB: number; sandboxMiB: number; totalMiB: number; cpu: number }> {
    const env = this.learners.get(learner)?.env;
    if (!env) throw new Error(`${learner} has no environment`);
    const node = nodeContainer(env.name);
    const sandbox = sandboxName(env.name);
    const mem = await containerMemoryMiB([node, sandbox]);
    if (mem[node] === undefined || mem[sandbox] === undefined) throw new Error(`docker stats did not report ${node} and ${sandbox}`);
    let cpu = 0;
    for (let i = 0; i < samples; i++) cpu += Object.values(await containerCpu([node, sandbox])).reduce((a, b) => a + b, 0) / samples;
    return { nodeMiB: mem[node], sandboxMiB: mem[sandbox], totalMiB: mem[node] + mem[sandbox], cpu };
  }

  // --- the warm pool's backend ---

  protected newEnvironmentFields(name: string): Omit<LocalEnv, 'name' | 'state' | 'learner' | 'made'> {
    return { network: networkName(name) };
  }

  protected async beforeCreate(): Promise<void> {
    await this.prepare();
  }

  protected async createEnvironment(env: LocalEnv): Promise<number> {
    const started = await this.clusters.create(env, (await this.prepare()).nodeImage);
    await this.startSandbox(env, homeVolumeName(this.pool, env.name));
    this.argocd ??= this.addArgocd();
    return started;
  }

  /**
   * Once the first environment is ready: Argo CD's binary (lab 8's CLI) and the sandbox image
   * again with it; sandboxes made after that carry `argocd`, earlier ones a stub saying so.
   */
  private async addArgocd(): Promise<void> {
    try {
      await ensureToolboxImage((m) => this.log(`classroom environments: argocd for the sandbox image: ${m}`), { withArgocd: true });
    } catch (e) {
      this.note(`building argocd for the sandbox image: ${(e as Error).message.split('\n')[0]} (sandboxes go on without it)`);
    }
  }

  /** Sandbox, cluster and network; the home volume too unless it is to be kept (never a learner's). */
  protected async removeEnvironment(env: LocalEnv, keepFiles: boolean): Promise<void> {
    await this.sandboxes.remove(env.name);
    await this.clusters.remove(env);
    if (!keepFiles && env.home) await removeHome(env.home);
  }

  protected async stopShell(env: LocalEnv): Promise<void> {
    await this.sandboxes.remove(env.name);
  }

  /**
   * Makes a ready environment the learner's: their own home when they have one (a new sandbox
   * replaces the warm one and its fresh home), their token and language, and the assignment record.
   */
  protected async handOver(learner: string, record: LocalLearner, env: LocalEnv, language: Language | undefined): Promise<void> {
    const returning = record.home !== undefined;
    if (record.home && record.home !== env.home) {
      const fresh = env.home;
      await this.sandboxes.remove(env.name);
      if (fresh) await removeHome(fresh);
      await this.startSandbox(env, record.home);
    }
    const home = env.home as string;
    const token = await this.options.credential?.(learner);
    await Promise.all([
      recordAssignment(this.pool, env.name, learner, home),
      this.sandboxes.writeLabsConfig(env.name, { token, language }),
    ]);
    record.home = home;
    // Earlier records of a returning learner (a replaced or reclaimed environment) go.
    if (returning) {
      for (const a of (await findPool(this.pool)).assignments) {
        if (a.learner === learner && a.env !== env.name) await removeAssignment(a.name);
      }
    }
    record.unhealthy = false;
  }

  protected writeLanguage(env: LocalEnv, language: Language): Promise<void> {
    return this.sandboxes.writeLabsConfig(env.name, { language });
  }

  /** A hand-out that failed after the learner's own home went into the environment keeps it. */
  protected holdsFilesOf(env: LocalEnv, record: LocalLearner): boolean {
    return env.home === record.home;
  }

  /** A released learner's assignment records and home go too. */
  protected async forget(learner: string, record: LocalLearner): Promise<void> {
    for (const a of (await findPool(this.pool)).assignments.filter((x) => x.learner === learner)) await removeAssignment(a.name);
    if (record.home) await removeHome(record.home);
  }

  /**
   * Node and sandbox paused in one call (the cgroup freezer): every process stops where it is,
   * memory stays. First the controller manager is frozen on its own and the kubelet stopped, so
   * that the thaw brings them back in an order nobody notices (node-freeze.ts).
   */
  protected async freezeEnvironment(env: LocalEnv): Promise<void> {
    await this.clusters.nodeSteps(env.name, 'before freeze');
    try {
      await run('docker', ['pause', nodeContainer(env.name), sandboxName(env.name)], `freezing environment ${env.name}`);
    } catch (e) {
      await this.resume(env.name).catch(() => undefined);
      throw e;
    }
  }

  /** Both resumed, the kubelet started; once it renewed its lease and the node is Ready, the controller manager thawed. */
  protected async thawEnvironment(env: LocalEnv): Promise<void> {
    const since = Date.now();
    await run('docker', ['unpause', nodeContainer(env.name), sandboxName(env.name)], `resuming environment ${env.name}`);
    await this.resume(env.name, since);
  }

  /**
   * The node's side of a thaw (node-freeze.ts); `since`: when it was unpaused, the Ready wait
   * goes by it. Without it (adoption, a failed freeze) the kubelet is started and the controller
   * manager thawed in one exec, each a no-op where nothing was frozen.
   */
  async resume(name: string, since?: number): Promise<void> {
    if (since === undefined) return this.clusters.nodeSteps(name, 'after thaw', 'release controllers');
    await this.clusters.nodeSteps(name, 'after thaw');
    await waitForHeartbeat(clusterKubeconfig(name), nodeContainer(name), since);
    await this.clusters.nodeSteps(name, 'release controllers');
  }

  protected async room(count: { creating: number; total: number; frozen: number }): Promise<Room> {
    const preparing = this.preparing;
    return { ...machineRoom(this.figures, count), busy: preparing && `preparing: ${preparing.message}`, ...(preparing ? { preparing } : {}) };
  }

  protected kubeconfigOf(env: LocalEnv): string {
    return clusterKubeconfig(env.name);
  }

  protected shellOf(env: LocalEnv): ShellCommand {
    return this.sandboxes.shell(env.name);
  }

  /** The sandbox on the environment's network with `home`, holding the cluster's learner kubeconfig. */
  private async startSandbox(env: LocalEnv, home: string): Promise<void> {
    const { toolbox } = await this.prepare();
    await this.sandboxes.start(env, home, toolbox, (name) => this.clusters.learnerKubeconfig(name));
  }
}
