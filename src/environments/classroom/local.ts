// Classroom mode's learner environments on this machine (src/classroom/environments.ts): per
// learner, one kind cluster on its own Docker network and a sandbox container for the shell.
//
//   network  <env>-net          a bridge of its own: the node, the sandbox and the read-only
//                               mirror; Docker's isolation rules drop traffic between bridges,
//                               so no learner reaches another's API server or shell
//   cluster  <env>              kind, through the kind provider (KIND_EXPERIMENTAL_DOCKER_NETWORK)
//   sandbox  <env>-shell        the toolbox image (kind/images.yaml): user learner (uid 1000), no
//                               Docker socket, no host path, every capability dropped, read-only
//                               root, CPU/memory/pid limits; the learner's shell is the tmux
//                               session "main" in it, so it outlives our server
//   home     labs-<pool>-home-… a volume per learner with ~/.kube/config (the cluster's internal
//                               kubeconfig) and the learner's files; kept when an idle
//                               environment is reclaimed or replaced, removed on release
//
// Warm pool: `warm` environments (cluster, network, a running sandbox with a fresh home) are
// made in advance; handing one out writes the learner's token into it and records the
// assignment (a labelled volume), well under a second. A returning learner (their environment
// was reclaimed or replaced) gets a new sandbox with their own home instead. The pool refills
// in the background, one cluster at a time (creating clusters is CPU-bound), learners first.
// Docker labels (docker-objects.ts) are the record: `open()` re-adopts what it finds.
//
// Known limit, said plainly: a learner is cluster-admin of their kind cluster, and kind nodes
// are privileged containers, so a learner who runs a privileged pod can reach this host. The
// network and sandbox isolation here keeps learners apart from each other's clusters and
// shells; it does not make a hostile learner safe. Untrusted classes need nodes that are not
// privileged containers (the `kubernetes` provider on separate machines, or VMs).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentState, EnvironmentStatus, LearnerEnvironments, PoolStatus } from './contract.ts';
import type { ShellCommand } from '../../terminal/session.ts';
import { lastErrorLine, run, sleep, tryRun } from '../../base/exec.ts';
import { ensureDockerEngine, raiseInotifyLimits } from '../docker/engine.ts';
import { ImageBuilder } from '../images/build.ts';
import { KindProvider, kindBinary, prepareOffline, secureCluster } from '../kind-provider.ts';
import { credentialsOf, learnerKubeconfig } from '../guardrails.ts';
import { ensureHome, mountHome, removeHome } from './home-volume.ts';
import { connectReadOnlyMirror, ensureBridgeNetwork, ensureReadOnlyMirror } from '../mirror.ts';
import { clusterDir, clusterKubeconfig, clusterLearnerKubeconfig, clusterName } from '../../base/paths.ts';
import { reporter } from '../progress.ts';
import { readTimings, recordTimings } from '../timings.ts';
import {
  assignmentName, containerCpu, containerMemoryMiB, findPool, homeVolumeName, label, labelArgs, networkName, poolName, removeContainer, removeNetwork, sandboxName,
} from './docker-objects.ts';

export type SandboxLimits = { cpus: number; memoryMiB: number; pids: number };

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

export class MachineFullError extends Error {
  override name = 'MachineFullError';
}

/** The default sandbox limits: enough for kubectl, helm, git and an editor. */
export const defaultSandboxLimits: SandboxLimits = { cpus: 1, memoryMiB: 512, pids: 512 };
/** Measured on a 2-core, 24 GB host (bench/classroom-environments.ts: 528–572 MiB, 14–16 % of a core idle); used until this machine measured its own. */
export const defaultEnvironmentMiB = 560;
export const defaultEnvironmentCpu = 0.16;
/** Where the sandbox keeps what the learner's `labs` thin client reads. */
export const sandboxHome = '/home/learner';
export const tokenFile = `${sandboxHome}/.config/labs/token`;
export const serverFile = `${sandboxHome}/.config/labs/server`;
const sandboxUser = '1000:1000';
const sandboxHostname = 'lab';

/** Warm environments to keep: one per eight that fit, at least one when any fits, at most four. */
export function defaultWarmPoolSize(fit: number): number {
  if (fit <= 0) return 0;
  return Math.min(4, Math.max(1, Math.floor(fit / 8)));
}

export type FitInput = {
  availableMiB: number; reserveMiB: number; environmentMiB: number;
  /** Environments being made (their memory is not in use yet) and all there are (assigned, warm, being made). */
  creating: number; total: number;
  cores: number; environmentCpu: number; cpuShare: number;
  max?: number;
};

/**
 * Half the cores for idle environments, half for what learners do in them. Measured
 * (bench/classroom.ts, 2 cores): at 0.8 the rule let 9 environments in (17 % of a core each,
 * idle), and 8 learners solving labs then drove the load average to 140 with the dashboard
 * 18 s (p50) behind and joins 4.5 s; the goals (2 s) need the headroom.
 */
export const DEFAULT_CPU_SHARE = 0.5;

/**
 * How many more environments fit, and what limits them: memory (free less the reserve and what
 * is being made), CPU (idle clusters are not free: apiserver, etcd and controllers keep a share
 * of a core busy) and the configured cap.
 */
export function environmentsThatFit(input: FitInput): { fit: number; limit: 'memory' | 'cpu' | 'cap' } {
  const byMemory = Math.floor((input.availableMiB - input.reserveMiB - input.creating * input.environmentMiB) / input.environmentMiB);
  const byCpu = Math.floor((input.cores * input.cpuShare) / input.environmentCpu) - input.total;
  const byCap = input.max === undefined ? Infinity : input.max - input.total;
  const least = Math.min(byMemory, byCpu, byCap);
  return { fit: Math.max(0, least), limit: least === byCap ? 'cap' : least === byCpu ? 'cpu' : 'memory' };
}

/** MemAvailable from /proc/meminfo (MiB): what the kernel can give without swapping. */
export function availableMemoryMiB(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (!m) throw new Error('cannot read MemAvailable from /proc/meminfo');
  return Number(m[1]) / 1024;
}

type Env = {
  /** The kind cluster's name (also the environment's id in labels). */
  name: string;
  network: string;
  state: 'creating' | 'ready' | 'broken';
  learner?: string;
  /** The home volume of the environment's sandbox (once the sandbox runs). */
  home?: string;
  /** Resolves when cluster and sandbox are ready (rejects when making them failed). */
  made: Promise<Env>;
};

type LearnerRecord = {
  status: EnvironmentStatus;
  env?: Env;
  /** The learner's home volume, once they have one. */
  home?: string;
  lastActive: number;
  /** The learner's operations run one after another (assign, recreate, release, reclaim). */
  chain: Promise<unknown>;
  /** The assign in flight: a second assign joins it. */
  assigning?: Promise<void>;
  /** Its node or sandbox container stopped (checkHealth). */
  unhealthy?: boolean;
};

type Prepared = { nodeImage: string; toolbox: string };

/** Waits its turn to make a cluster: learners first, then the pool. */
class CreateGate {
  private running = 0;
  private readonly waiting: { urgent: boolean; go: () => void }[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(urgent: boolean, work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((go) => {
        const at = urgent ? this.waiting.findIndex((w) => !w.urgent) : -1;
        this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { urgent, go });
      });
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.go();
    }
  }
}

/** One field of a CSV value (docker --mount), quoted when it holds a comma or a quote. */
const csvField = (field: string): string => (/[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

const randomName = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;

export class LocalLearnerEnvironments implements LearnerEnvironments {
  readonly pool: string;
  private warmTarget: number | undefined;
  private readonly reserveMiB: number;
  private readonly environmentMiB: number;
  private readonly environmentCpu: number;
  private readonly idleMs: number;
  private readonly limits: SandboxLimits;
  private readonly log: (line: string) => void;
  private readonly provider = new KindProvider();
  private readonly gate: CreateGate;
  private readonly envs = new Map<string, Env>();
  private readonly learners = new Map<string, LearnerRecord>();
  private readonly listeners = new Set<(learner: string, status: EnvironmentStatus) => void>();
  private readonly options: LocalEnvironmentsOptions;
  private prepared: Promise<Prepared> | undefined;
  private preparing = '';
  private replenishing = false;
  private lastPoolError = '';
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  /** dockerd's default runtime is the CAP_SYS_RESOURCE wrapper (sandboxes use plain runc). */
  private capWrapper = false;

  constructor(options: LocalEnvironmentsOptions = {}) {
    this.options = options;
    this.pool = poolName(options.pool ?? 'classroom');
    this.warmTarget = options.warm;
    this.reserveMiB = options.reserveMiB ?? 2048;
    this.environmentMiB = options.environmentMiB ?? readTimings().classroomEnvironmentMiB ?? defaultEnvironmentMiB;
    this.environmentCpu = Math.max(0.01, options.environmentCpu ?? readTimings().classroomEnvironmentCpu ?? defaultEnvironmentCpu);
    this.idleMs = options.idleMs ?? 2 * 3600_000;
    this.limits = { ...defaultSandboxLimits, ...options.sandbox };
    this.log = options.log ?? (() => {});
    this.gate = new CreateGate(options.parallelCreates ?? 1);
  }

  /** A started instance: what Docker holds for this pool is adopted, the warm pool fills, idle ones are reclaimed. */
  static async open(options: LocalEnvironmentsOptions = {}): Promise<LocalLearnerEnvironments> {
    const environments = new LocalLearnerEnvironments(options);
    await environments.start();
    return environments;
  }

  async start(): Promise<void> {
    this.capWrapper = (await ensureDockerEngine((m) => this.log(m))).capWrapper;
    await this.adopt();
    if (this.warmTarget === undefined) this.warmTarget = defaultWarmPoolSize((await this.capacity()).fit + this.envs.size);
    this.replenish();
    const health = setInterval(() => void this.checkHealth().catch((e: unknown) => this.log(`classroom environments: health check: ${(e as Error).message}`)), this.options.healthEveryMs ?? 20_000);
    health.unref();
    this.timers.push(health);
    if (this.idleMs > 0) {
      const every = Math.min(60_000, Math.max(1000, Math.floor(this.idleMs / 4)));
      const timer = setInterval(() => void this.reclaimIdle().catch((e: unknown) => this.log(`classroom environments: idle check: ${(e as Error).message}`)), every);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Stops the background work; environments stay (the next `open` adopts them). `removeWarm` also deletes unassigned ones. */
  async close(options: { removeWarm?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (options.removeWarm) {
      for (const env of [...this.envs.values()]) {
        if (env.learner) continue;
        await env.made.catch(() => undefined);
        if (!env.learner) await this.destroy(env, { home: true });
      }
    }
  }

  // --- the LearnerEnvironments interface ---

  assign(learner: string): Promise<void> {
    const record = this.record(learner);
    if (this.usable(record)) {
      record.lastActive = Date.now();
      return Promise.resolve();
    }
    if (record.assigning) return record.assigning;
    const assigning = this.serial(learner, async () => {
      if (this.usable(record)) return;
      // A broken environment (found at start, or its sandbox failed) is replaced; the home stays.
      await this.discard(record);
      await this.giveEnvironment(learner, 'waiting for an environment');
    }).finally(() => {
      record.assigning = undefined;
    });
    record.assigning = assigning;
    return assigning;
  }

  status(learner: string): EnvironmentStatus {
    return this.learners.get(learner)?.status ?? { state: 'gone', message: 'no environment assigned' };
  }

  kubeconfig(learner: string): string | undefined {
    const record = this.learners.get(learner);
    return record && this.usable(record) && record.env ? clusterKubeconfig(record.env.name) : undefined;
  }

  shell(learner: string): ShellCommand | undefined {
    const record = this.learners.get(learner);
    if (!record || !this.usable(record) || !record.env) return undefined;
    record.lastActive = Date.now();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', TERM: 'xterm-256color' };
    for (const key of ['HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT']) if (process.env[key]) env[key] = process.env[key] as string;
    return {
      file: 'docker',
      args: ['exec', '-it', '-u', 'learner', '-w', sandboxHome, '-e', 'TERM=xterm-256color', sandboxName(record.env.name), 'tmux', 'new-session', '-A', '-s', 'main'],
      env,
      cwd: '/',
    };
  }

  recreate(learner: string): Promise<void> {
    return this.serial(learner, async () => {
      const record = this.record(learner);
      this.setStatus(learner, 'creating', 'replacing your environment (the files in your home folder are kept)');
      await this.discard(record);
      await this.giveEnvironment(learner, 'replacing your environment (the files in your home folder are kept)');
    });
  }

  release(learner: string): Promise<void> {
    return this.serial(learner, async () => {
      const record = this.learners.get(learner);
      if (!record) return;
      const env = record.env;
      record.env = undefined;
      if (env) await this.destroy(env, { home: false });
      for (const a of (await findPool(this.pool)).assignments.filter((x) => x.learner === learner)) await tryRun('docker', ['volume', 'rm', '-f', a.name]);
      if (record.home) await removeHome(record.home);
      this.setStatus(learner, 'gone', 'environment released');
      this.learners.delete(learner);
      this.replenish();
    });
  }

  onChange(listener: (learner: string, status: EnvironmentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- additions ---

  /** The learner did something the provider cannot see (a Check, a page view): postpones reclaiming. */
  touch(learner: string): void {
    const record = this.learners.get(learner);
    if (record) record.lastActive = Date.now();
  }

  /** The warm pool and how many more environments this machine holds now. */
  async capacity(): Promise<PoolStatus> {
    const envs = [...this.envs.values()];
    const assigned = envs.filter((e) => e.learner).length;
    const creating = envs.filter((e) => e.state === 'creating').length;
    const warm = envs.filter((e) => !e.learner && e.state === 'ready').length;
    const availableMiB = Math.round(availableMemoryMiB());
    const cpuShare = this.options.cpuShare ?? DEFAULT_CPU_SHARE;
    const { fit, limit } = environmentsThatFit({
      availableMiB, reserveMiB: this.reserveMiB, environmentMiB: this.environmentMiB, creating, total: envs.length,
      cores: cpus().length, environmentCpu: this.environmentCpu, cpuShare, max: this.options.maxEnvironments,
    });
    const limits = {
      memory: `${availableMiB} MiB of memory free, each environment needs about ${this.environmentMiB} MiB and ${this.reserveMiB} MiB stay free`,
      cpu: `${cpus().length} cores, each idle environment keeps about ${Math.round(this.environmentCpu * 100)} % of a core busy and ${Math.round(cpuShare * 100)} % of the cores may go to them`,
      cap: `at most ${this.options.maxEnvironments} environments are configured`,
    };
    return {
      assigned, warm, creating, warmTarget: this.warmTarget ?? 0, fit, limit, limitMessage: limits[limit],
      availableMiB, environmentMiB: this.environmentMiB, reserveMiB: this.reserveMiB,
      message: this.preparing || this.lastPoolError || `${assigned} assigned, ${warm} warm, ${creating} being made; room for ${fit} more (limited by ${limits[limit]})`,
    };
  }

  /** Changes how many warm environments the pool keeps (ones beyond it stay and are handed out first). */
  setWarm(n: number): void {
    this.warmTarget = Math.max(0, Math.floor(n));
    this.replenish();
  }

  /** Writes (or replaces) the learner's token for `labs` in their sandbox (LABS_TOKEN_FILE). */
  async setCredential(learner: string, token: string): Promise<void> {
    const env = this.learners.get(learner)?.env;
    if (!env) throw new Error(`${learner} has no environment`);
    await this.writeInSandbox(env.name, { [tokenFile]: token.trim() + '\n' });
  }

  /**
   * Memory and CPU of one learner's environment now (node container + sandbox; CPU the mean of
   * `samples` docker stats readings), recorded as this machine's figures for capacity.
   */
  async measure(learner: string, samples = 5): Promise<{ nodeMiB: number; sandboxMiB: number; totalMiB: number; cpu: number }> {
    const env = this.learners.get(learner)?.env;
    if (!env) throw new Error(`${learner} has no environment`);
    const node = `${env.name}-control-plane`;
    const sandbox = sandboxName(env.name);
    const mem = await containerMemoryMiB([node, sandbox]);
    if (mem[node] === undefined || mem[sandbox] === undefined) throw new Error(`docker stats did not report ${node} and ${sandbox}`);
    let cpu = 0;
    for (let i = 0; i < samples; i++) cpu += Object.values(await containerCpu([node, sandbox])).reduce((a, b) => a + b, 0) / samples;
    const result = { nodeMiB: mem[node], sandboxMiB: mem[sandbox], totalMiB: mem[node] + mem[sandbox], cpu };
    recordTimings({ classroomEnvironmentMiB: Math.ceil(result.totalMiB), classroomEnvironmentCpu: Math.round(cpu * 100) / 100, classroomEnvironmentAt: new Date().toISOString() });
    return result;
  }

  /** The environment (kind cluster) name of a learner, for tests and diagnostics. */
  environmentOf(learner: string): string | undefined {
    return this.learners.get(learner)?.env?.name;
  }

  /** Resolves when the warm pool has `n` ready environments (or rejects after `timeoutMs`). */
  async waitForWarm(n = this.warmTarget ?? 0, timeoutMs = 900_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.capacity();
      if (c.warm >= n) return;
      if (Date.now() > deadline) throw new Error(`warm pool: ${c.warm} of ${n} ready after ${Math.round(timeoutMs / 1000)} s (${c.message})`);
      await sleep(500);
    }
  }

  // --- making and handing out environments ---

  private usable(record: LearnerRecord): boolean {
    return record.env?.state === 'ready' && record.status.state === 'ready';
  }

  private record(learner: string): LearnerRecord {
    let record = this.learners.get(learner);
    if (!record) {
      record = { status: { state: 'pending', message: 'waiting for an environment' }, lastActive: Date.now(), chain: Promise.resolve() };
      this.learners.set(learner, record);
    }
    return record;
  }

  private serial<T>(learner: string, op: () => Promise<T>): Promise<T> {
    const record = this.record(learner);
    const next = record.chain.then(op, op);
    record.chain = next.catch(() => undefined);
    return next;
  }

  private setStatus(learner: string, state: EnvironmentState, message: string): void {
    const record = this.learners.get(learner);
    if (!record) return;
    if (record.status.state === state && record.status.message === message) return;
    record.status = { state, message };
    for (const l of this.listeners) {
      try {
        l(learner, record.status);
      } catch (e) {
        this.log(`classroom environments: a status listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Takes the learner's environment away (the home stays theirs): the sandbox at once, the cluster in the background. */
  private async discard(record: LearnerRecord): Promise<void> {
    const old = record.env;
    if (!old) return;
    record.env = undefined;
    old.learner = undefined;
    this.envs.delete(old.name);
    await removeContainer(sandboxName(old.name));
    void this.destroy(old, { home: false }).catch((e: unknown) => this.log(`classroom environments: removing ${old.name}: ${(e as Error).message}`));
  }

  /** A warm environment, one being made for the pool, or a new one; then it is made the learner's. */
  private async giveEnvironment(learner: string, waitingMessage: string): Promise<void> {
    const record = this.record(learner);
    record.lastActive = Date.now();
    this.setStatus(learner, 'pending', waitingMessage);
    let env: Env | undefined;
    try {
      env = [...this.envs.values()].find((e) => !e.learner && e.state === 'ready');
      if (env) {
        env.learner = learner;
      } else {
        env = [...this.envs.values()].find((e) => !e.learner && e.state === 'creating');
        if (env) {
          env.learner = learner;
          this.setStatus(learner, 'creating', 'creating your cluster (about a minute)');
          try {
            await env.made;
          } catch {
            env = undefined;
          }
        }
        if (!env) {
          const c = await this.capacity();
          if (c.fit < 1) {
            throw new MachineFullError(`this machine is full: ${c.assigned} learner environments and ${c.creating} being made; ${c.limitMessage}. End a cohort or release learners, or use another machine`);
          }
          this.setStatus(learner, 'creating', 'creating your cluster (about a minute)');
          env = this.make(true, learner);
          await env.made;
        }
      }
      if (env.learner !== learner) throw new Error('environment was taken away while it was being made');
      await this.handOver(learner, record, env);
      record.env = env;
      record.lastActive = Date.now();
      record.unhealthy = false;
      this.setStatus(learner, 'ready', `ready (cluster ${env.name})`);
    } catch (e) {
      // An environment given to this learner but not made theirs goes away (their home stays).
      if (env && env.learner === learner && record.env !== env) {
        const failed = env;
        failed.learner = undefined;
        void this.destroy(failed, { home: failed.home !== record.home }).catch(() => undefined);
      }
      const message = (e as Error).message.split('\n')[0];
      this.setStatus(learner, 'error', message);
      throw e;
    } finally {
      this.replenish();
    }
  }

  /**
   * Makes a ready environment the learner's: their own home when they have one (a new sandbox
   * replaces the warm one and its fresh home), their token, and the assignment record.
   */
  private async handOver(learner: string, record: LearnerRecord, env: Env): Promise<void> {
    const returning = record.home !== undefined;
    if (record.home && record.home !== env.home) {
      const fresh = env.home;
      await removeContainer(sandboxName(env.name));
      if (fresh) await removeHome(fresh);
      await this.startSandbox(env, record.home);
    }
    const home = env.home as string;
    const token = await this.options.credential?.(learner);
    await Promise.all([
      run('docker', ['volume', 'create', ...labelArgs({
        [label.pool]: this.pool, [label.role]: 'assignment', [label.env]: env.name, [label.learner]: learner, [label.home]: home, [label.created]: new Date().toISOString(),
      }), assignmentName(this.pool, env.name)], `recording the environment of ${learner}`),
      token ? this.writeInSandbox(env.name, { [tokenFile]: token.trim() + '\n' }) : Promise.resolve(),
    ]);
    record.home = home;
    // Earlier records of a returning learner (a replaced or reclaimed environment) go.
    if (returning) {
      for (const a of (await findPool(this.pool)).assignments) {
        if (a.learner === learner && a.env !== env.name) await tryRun('docker', ['volume', 'rm', '-f', a.name]);
      }
    }
  }

  /** Builds (once per process) what every environment needs: node image, mirror, toolbox image. */
  prepare(): Promise<Prepared> {
    this.prepared ??= (async () => {
      let phase = '';
      const report = reporter((e) => {
        this.preparing = `preparing: ${e.message}`;
        this.log(`classroom environments: ${e.message}`);
        if (e.phase === phase) return;
        // Learners waiting meanwhile see each step (not every build line).
        phase = e.phase;
        for (const [learner, record] of this.learners) {
          if (record.status.state === 'pending' || record.status.state === 'creating') this.setStatus(learner, 'creating', `preparing this machine first (the first start takes long): ${e.message}`);
        }
      });
      raiseInotifyLimits((m) => this.log(m));
      const { nodeImage } = await prepareOffline(report);
      const images = new ImageBuilder((m) => report.log(m));
      const toolbox = images.catalog.images.find((i) => i.refs[0].includes('/toolbox:'));
      const registry = images.catalog.images.find((i) => i.refs[0].includes('/registry:'));
      if (!toolbox || !registry) throw new Error('kind/images.yaml: no toolbox or registry image');
      report.phase('images', `building the sandbox image ${toolbox.refs[0]} where not cached`);
      await images.buildAll((i) => i === toolbox);
      await ensureReadOnlyMirror(registry.refs[0], (m) => report.log(m));
      this.preparing = '';
      return { nodeImage, toolbox: toolbox.refs[0] };
    })();
    this.prepared.catch(() => {
      this.prepared = undefined;
      this.preparing = '';
    });
    return this.prepared;
  }

  /** Starts making an environment (cluster on its own network, a sandbox with a fresh home); `urgent` for a waiting learner. */
  private make(urgent: boolean, learner?: string): Env {
    const name = clusterName(randomName('lab'));
    const env: Env = { name, network: networkName(name), state: 'creating', learner, made: undefined as unknown as Promise<Env> };
    this.envs.set(name, env);
    env.made = this.gate.run(urgent, async () => {
      const prepared = await this.prepare();
      if (this.closed && !env.learner) throw new Error('closed');
      await ensureBridgeNetwork(env.network, { [label.pool]: this.pool, [label.role]: 'network', [label.env]: name, [label.created]: new Date().toISOString() });
      await connectReadOnlyMirror(env.network);
      const started = Date.now();
      await this.provider.create({ name, offline: true, network: env.network, connectMirror: false, nodeImage: prepared.nodeImage, readyTimeoutMs: this.options.readyTimeoutMs });
      await this.limitNode(name);
      await this.internalKubeconfig(name, true);
      await this.startSandbox(env, homeVolumeName(this.pool, name));
      this.log(`classroom environments: ${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s${env.learner ? ` for ${env.learner}` : ' (warm pool)'}`);
      env.state = 'ready';
      return env;
    });
    env.made.catch(async (e: unknown) => {
      env.state = 'broken';
      this.log(`classroom environments: making ${name} failed: ${(e as Error).message}`);
      if (!env.learner) this.lastPoolError = `the last warm environment failed: ${(e as Error).message.split('\n')[0]}`;
      await this.destroy(env, { home: true }).catch(() => undefined);
    });
    return env;
  }

  /** Keeps `warm` environments ready or being made, while the machine has room. */
  private replenish(): void {
    if (this.replenishing || this.closed) return;
    this.replenishing = true;
    void (async () => {
      let backoffMs = 30_000;
      try {
        for (;;) {
          if (this.closed) return;
          const spare = [...this.envs.values()].filter((e) => !e.learner && e.state !== 'broken').length;
          if (spare >= (this.warmTarget ?? 0)) return;
          if ((await this.capacity()).fit < 1) return;
          const env = this.make(false);
          try {
            await env.made;
            this.lastPoolError = '';
            backoffMs = 30_000;
          } catch {
            // A failing build or create is retried, never in a tight loop.
            await sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 600_000);
          }
        }
      } finally {
        this.replenishing = false;
      }
    })();
  }

  /** Caps the node container's memory and CPU (see options.node). */
  private async limitNode(name: string): Promise<void> {
    const memoryMiB = this.options.node?.memoryMiB ?? 3072;
    const nodeCpus = this.options.node?.cpus ?? Math.max(1, cpus().length - 0.5);
    const args = [
      ...(memoryMiB > 0 ? ['--memory', `${memoryMiB}m`, '--memory-swap', `${memoryMiB}m`] : []),
      ...(nodeCpus > 0 ? ['--cpus', String(nodeCpus)] : []),
    ];
    if (args.length > 0) await run('docker', ['update', ...args, `${name}-control-plane`], `limiting the node of cluster "${name}"`);
  }

  /** The kind cluster's kubeconfig as seen from its own network (https://<env>-control-plane:6443). */
  private async internalKubeconfig(name: string, refresh = false): Promise<string> {
    const file = join(clusterDir(name), 'kubeconfig.internal');
    if (!refresh && existsSync(file)) return readFileSync(file, 'utf8');
    const kubeconfig = await run(await kindBinary(), ['get', 'kubeconfig', '--internal', '--name', name], `reading the internal kubeconfig of cluster "${name}"`);
    writeFileSync(file, kubeconfig, { mode: 0o600 });
    return kubeconfig;
  }

  /** The learner's kubeconfig for the sandbox: the internal address, the learner's certificate (never the admin's). */
  private async sandboxKubeconfig(name: string): Promise<string> {
    if (!existsSync(clusterLearnerKubeconfig(name))) await secureCluster(name, (m) => this.log(`classroom environments: ${name}: ${m}`));
    return learnerKubeconfig(await this.internalKubeconfig(name), credentialsOf(clusterLearnerKubeconfig(name)));
  }

  /** The sandbox on the environment's network with `home` (made by this run when new), holding the cluster's kubeconfig. */
  private async startSandbox(env: Env, home: string): Promise<void> {
    const { toolbox } = await this.prepare();
    const sandbox = sandboxName(env.name);
    const mount = ['type=volume', `source=${home}`, `target=${sandboxHome}`,
      `volume-label=${label.pool}=${this.pool}`, `volume-label=${label.role}=home`].map(csvField).join(',');
    // The class server's address goes in a file (below), not the container's environment: a
    // restarted server may listen elsewhere, and an adopted sandbox's file is rewritten then.
    const environment = ['LANG=C.UTF-8', 'TERM=xterm-256color', `LABS_TOKEN_FILE=${tokenFile}`];
    const args = [
      'run', '-d', '--name', sandbox, '--hostname', sandboxHostname,
      ...labelArgs({ [label.pool]: this.pool, [label.role]: 'sandbox', [label.env]: env.name, [label.home]: home }),
      // dockerd's default runtime may be the CAP_SYS_RESOURCE wrapper, which only privileged kind nodes need.
      ...(this.capWrapper ? ['--runtime', 'runc'] : []),
      '--init', '--user', sandboxUser, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      '--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,size=256m,mode=1777',
      '--memory', `${this.limits.memoryMiB}m`, '--memory-swap', `${this.limits.memoryMiB}m`, '--cpus', String(this.limits.cpus), '--pids-limit', String(this.limits.pids),
      '--network', env.network, '--add-host', `labs-server:${this.options.serverAddress ?? 'host-gateway'}`,
      '--mount', mount,
      ...environment.flatMap((e) => ['-e', e]),
      '--restart', 'unless-stopped',
      toolbox,
    ];
    await ensureHome(home, labelArgs({ [label.pool]: this.pool, [label.role]: 'home' }), (m) => this.log(m));
    const started = await tryRun('docker', args);
    if (started.code !== 0) {
      // A sandbox left by an earlier attempt: replace it.
      if (!/already in use|Conflict/i.test(started.stderr)) throw new Error(`starting sandbox ${sandbox}: ${lastErrorLine(started)}`);
      await removeContainer(sandbox);
      await run('docker', args, `starting sandbox ${sandbox}`);
    }
    env.home = home;
    const files: Record<string, string> = { [`${sandboxHome}/.kube/config`]: await this.sandboxKubeconfig(env.name) };
    const server = await this.serverUrl();
    if (server) files[serverFile] = server + '\n';
    await this.writeInSandbox(env.name, files);
    const starters = Object.fromEntries(Object.entries((await this.options.starterFiles?.()) ?? {}).map(([path, text]) => [`${sandboxHome}/${path}`, text]));
    if (Object.keys(starters).length > 0) await this.writeInSandbox(env.name, starters, { keepExisting: true });
    // The learner's shell starts now, not at join: attaching to a running bash shows its prompt at
    // once (a login bash loads kubectl's, helm's and argocd's completions, seconds on a busy machine).
    const shell = await tryRun('docker', ['exec', '-u', sandboxUser, '-w', sandboxHome, '-e', 'TERM=xterm-256color', sandbox, 'tmux', 'new-session', '-d', '-s', 'main'], { timeoutMs: 30_000 });
    if (shell.code !== 0 && !/duplicate session/.test(shell.stderr)) this.log(`classroom environments: starting the shell in ${sandbox}: ${lastErrorLine(shell)} (it starts at the first attach instead)`);
  }

  /** The class server as sandboxes reach it; waits for the server to listen when given as a function. */
  private async serverUrl(): Promise<string | undefined> {
    const url = this.options.serverUrl;
    return typeof url === 'function' ? url() : url;
  }

  /** An adopted sandbox learns where this server listens now (it may have moved). */
  private async tellServerAddress(env: string): Promise<void> {
    const server = await this.serverUrl();
    if (server) await this.writeInSandbox(env, { [serverFile]: server + '\n' }).catch((e: unknown) => this.log(`classroom environments: ${(e as Error).message}`));
  }

  /**
   * Writes files (mode 600) in the sandbox's home as the learner, in one exec: no host path, no
   * root. `keepExisting`: a file the learner already has (and may have edited) stays as it is.
   */
  private async writeInSandbox(env: string, files: Record<string, string>, options: { keepExisting?: boolean } = {}): Promise<void> {
    for (const path of Object.keys(files)) {
      if (!path.startsWith(`${sandboxHome}/`) || path.includes('/../') || /\s/.test(path)) throw new Error(`refusing to write ${path} outside ${sandboxHome}`);
    }
    // stdin: a path line, then the content in base64 on one line, for each file.
    const input = Object.entries(files).map(([path, content]) => `${path}\n${Buffer.from(content).toString('base64')}\n`).join('');
    const keep = options.keepExisting ? '[ -e "$path" ] && continue; ' : '';
    const script = `umask 077; while IFS= read -r path && IFS= read -r data; do ${keep}mkdir -p "$(dirname "$path")" && printf %s "$data" | base64 -d > "$path.tmp" && mv -f "$path.tmp" "$path" || exit 1; done`;
    await run('docker', ['exec', '-i', '-u', sandboxUser, sandboxName(env), 'sh', '-c', script], `writing ${Object.keys(files).join(', ')} in sandbox ${sandboxName(env)}`, { input });
  }

  /** Removes an environment's sandbox, cluster and network; its home volume only when `home` (never a learner's). */
  private async destroy(env: Env, options: { home: boolean }): Promise<void> {
    this.envs.delete(env.name);
    await removeContainer(sandboxName(env.name));
    await this.provider.delete(env.name).catch((e: unknown) => this.log(`classroom environments: deleting cluster ${env.name}: ${(e as Error).message}`));
    await removeNetwork(env.network);
    if (options.home && env.home) await removeHome(env.home);
  }

  /**
   * A learner's node or sandbox container that stopped (killed, out of memory, a Docker restart)
   * turns their status to error, which the dashboard shows and "recreate" repairs; one that
   * runs again (someone started it) turns it back to ready.
   */
  private async checkHealth(): Promise<void> {
    const watched = [...this.learners].filter(([, r]) => r.env?.state === 'ready' && !r.assigning && (r.status.state === 'ready' || r.unhealthy));
    if (watched.length === 0) return;
    const names = watched.flatMap(([, r]) => [`${r.env!.name}-control-plane`, sandboxName(r.env!.name)]);
    // One call for all; a container that is gone is missing from the output (and fails the exit code).
    const out = await tryRun('docker', ['inspect', '--format', '{{.Name}} {{.State.Running}}', ...names], { timeoutMs: 20_000 });
    // A Docker too busy to answer in time says nothing about the containers: ask again next round.
    if (out.stderr.includes('(killed by')) return;
    const running = new Set(out.stdout.split('\n').filter((l) => l.endsWith(' true')).map((l) => l.split(' ')[0]!.replace(/^\//, '')));
    for (const [learner, record] of watched) {
      const env = record.env!.name;
      const down = [`${env}-control-plane`, sandboxName(env)].filter((name) => !running.has(name));
      if (down.length > 0) {
        record.unhealthy = true;
        this.setStatus(learner, 'error', `${down.includes(sandboxName(env)) ? 'the shell container' : 'the cluster'} stopped (${down.join(', ')}): recreate this learner's environment`);
      } else if (record.unhealthy) {
        record.unhealthy = false;
        this.setStatus(learner, 'ready', `ready (cluster ${env})`);
      }
    }
  }

  /** Reclaims (home and assignment kept) what nobody used for idleMs: no keystroke or output in tmux, no attached terminal, no shell() or touch(). */
  private async reclaimIdle(): Promise<void> {
    const now = Date.now();
    for (const [learner, record] of this.learners) {
      const env = record.env;
      if (!env || !this.usable(record)) continue;
      const r = await tryRun('docker', ['exec', '-u', sandboxUser, sandboxName(env.name), 'tmux', 'display-message', '-p', '-t', 'main', '#{session_activity} #{session_attached}'], { timeoutMs: 10_000 });
      if (r.code === 0) {
        const [activity, attached] = r.stdout.trim().split(' ').map(Number);
        if (attached > 0) record.lastActive = now;
        else if (activity > 0) record.lastActive = Math.max(record.lastActive, activity * 1000);
      }
      if (now - record.lastActive < this.idleMs) continue;
      await this.serial(learner, async () => {
        if (record.env !== env || Date.now() - record.lastActive < this.idleMs) return;
        record.env = undefined;
        await this.destroy(env, { home: false });
        const idle = this.idleMs >= 60_000 ? `${Math.round(this.idleMs / 60_000)} min` : `${Math.round(this.idleMs / 1000)} s`;
        this.setStatus(learner, 'gone', `reclaimed after ${idle} without activity; your files are kept: reload the page for a new environment`);
      });
      this.replenish();
    }
  }

  /** Finds this pool's environments on Docker (labels) and takes them over; removes what nobody can use. */
  private async adopt(): Promise<void> {
    const found = await findPool(this.pool);
    const networks = new Map(found.networks.map((n) => [n.env, n]));
    const sandboxes = new Map(found.sandboxes.map((s) => [s.env, s]));
    // Per learner the newest assignment (a crash while replacing can leave two).
    const assignments = [...found.assignments].sort((a, b) => b.created.localeCompare(a.created));
    const taken = new Map<string, (typeof assignments)[number]>();
    for (const a of assignments) {
      if (taken.has(a.env) || [...taken.values()].some((t) => t.learner === a.learner)) {
        await tryRun('docker', ['volume', 'rm', '-f', a.name]);
        continue;
      }
      taken.set(a.env, a);
    }
    const homesInUse = new Set([...taken.values()].map((a) => a.home));
    for (const n of found.networks) {
      const env: Env = { name: n.env, network: n.name, state: 'ready', made: undefined as unknown as Promise<Env> };
      env.made = Promise.resolve(env);
      const sandbox = sandboxes.get(n.env);
      env.home = sandbox?.home;
      let healthy = false;
      try {
        clusterName(n.env);
        healthy = (await this.provider.status(n.env)).state === 'ready';
      } catch {
        healthy = false;
      }
      const assignment = taken.get(n.env);
      if (assignment) {
        const record = this.record(assignment.learner);
        record.home = assignment.home;
        env.learner = assignment.learner;
        record.env = env;
        this.envs.set(env.name, env);
        if (!healthy || !sandbox || sandbox.home !== assignment.home) {
          env.state = 'broken';
          this.setStatus(assignment.learner, 'error', `environment ${env.name} is broken (found after a restart): recreate it; the files in the home folder are kept`);
          continue;
        }
        // After a reboot the home's filesystem is not mounted: mount it, then restart the sandbox onto it.
        if (await mountHome(assignment.home)) await tryRun('docker', ['restart', sandbox.name]);
        else if (!sandbox.running) await tryRun('docker', ['start', sandbox.name]);
        // A sandbox made before the guardrails held the admin kubeconfig: it gets the learner's now.
        await this.writeInSandbox(env.name, { [`${sandboxHome}/.kube/config`]: await this.sandboxKubeconfig(env.name) });
        void this.tellServerAddress(env.name);
        this.setStatus(assignment.learner, 'ready', `ready (cluster ${env.name}, adopted)`);
        this.log(`classroom environments: adopted ${env.name} of ${assignment.learner}`);
      } else if (healthy && sandbox?.running && sandbox.home) {
        if (await mountHome(sandbox.home)) await tryRun('docker', ['restart', sandbox.name]);
        this.envs.set(env.name, env);
        void this.tellServerAddress(env.name);
        this.log(`classroom environments: adopted warm ${env.name}`);
      } else {
        // Half made (a create interrupted): nobody can use it.
        this.log(`classroom environments: removing ${env.name} (not ready)`);
        await this.destroy(env, { home: !!env.home && !homesInUse.has(env.home) });
      }
    }
    // Learners whose environment is gone (reclaimed, or its network vanished) keep their home.
    for (const a of taken.values()) {
      if (networks.has(a.env)) continue;
      const record = this.record(a.learner);
      record.home = a.home;
      this.setStatus(a.learner, 'gone', 'no environment (reclaimed); your files are kept: reload the page for a new one');
    }
    // Leftovers: sandboxes without a network, homes nobody's record or sandbox names.
    for (const s of found.sandboxes) if (!networks.has(s.env)) await removeContainer(s.name);
    const named = new Set([...homesInUse, ...found.sandboxes.filter((s) => networks.has(s.env)).map((s) => s.home)]);
    for (const h of found.homes) if (!named.has(h)) await removeHome(h);
  }
}
