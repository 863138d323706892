// Classroom mode's learner environments on an existing Kubernetes cluster (the "host cluster",
// `--environments kubernetes --host-kubeconfig <file>`): per learner, a whole cluster of their
// own as one privileged pod running our offline node image (kube-node.ts), and a toolbox pod
// for their shell (kube-toolbox.ts), so the host's scheduler spreads a class over its nodes.
//
//   ConfigMap  <env>         the node's kubeadm config and bootstrap (systemd unit, scripts)
//   Pod        <env>         the learner's cluster (privileged, like every kind node)
//   Service    <env>         its API server: <env>.<ns>.svc:6443 for the toolbox, a NodePort
//                            for this server (outside the host cluster), tls-server-name kubernetes
//   Secret     <env>         the record: the cluster's admin kubeconfig, and once handed out the
//                            learner (label + annotation). The host's API is the only record:
//                            open() re-adopts what it finds there.
//   Pod        <env>-shell   the toolbox: uid 1000, every capability dropped, read-only root,
//                            no service-account token; the learner's shell is tmux session
//                            "main" in it, reached with `kubectl exec` (the exec API's WebSocket)
//   NetworkPolicy <env>, <env>-shell   toolbox → own API server and Argo CD NodePort, DNS, class
//                            server, git server; nothing else
//
// Warm pool: `warm` environments made in advance; handing one out labels its Secret and writes
// the learner's token in the toolbox. A node pod that disappears or fails (node lost, evicted)
// puts its learner in `error` until recreate() makes a new environment. Security: node pods are
// privileged, so the host cluster must be one dedicated to training (README, classroom mode).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, NetworkingV1Api, PatchStrategy, SchedulingV1Api, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import type { EnvironmentStatus, LearnerEnvironments, PoolStatus } from './contract.ts';
import type { ShellCommand } from '../../terminal/session.ts';
import { sleep } from '../../base/exec.ts';
import { dataDir } from '../../base/paths.ts';
import { ensureComponents, toolchainVersions } from '../toolchain.ts';
import { offlineNodeRef } from '../images/node-image.ts';
import { applyGuardrails, issueLearnerCredentials, learnerKubeconfig } from '../guardrails.ts';
import { apiPort, apiServerName, nodeConfigMap, nodePod, nodeService } from './kube-node.ts';
import { kubeLabel, learnerAnnotation, learnerLabelValue, runInPod, selectorOf, toolboxName } from './kube-objects.ts';
import { LearnerBook, type LearnerEntry } from './learner-book.ts';
import { nodePolicy, toolboxHome, type GitServerAddress, toolboxPod, toolboxPolicy, toolboxTokenFile } from './kube-toolbox.ts';

type Resources = { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };

export type KubernetesEnvironmentsOptions = {
  /** The host cluster's kubeconfig (file); its current context is used. */
  hostKubeconfig: string;
  /** Namespace on the host for every learner object (default labs-classroom; created, PodSecurity privileged). */
  namespace?: string;
  /** Names this set of environments (labels): two servers or a test never mix theirs. Default "classroom". */
  pool?: string;
  /** Warm environments kept ready (default 1). */
  warm?: number;
  /** At most this many environments (assigned, warm, being made). Default: what the host's allocatable memory holds. */
  maxEnvironments?: number;
  /** Images the host's nodes can run (preloaded, or from a registry they pull from). Default: the catalog's node and toolbox images. */
  nodeImage?: string;
  toolboxImage?: string;
  node?: Partial<Resources>;
  toolbox?: Partial<Resources>;
  /** Inner pod/service ranges (must not overlap the host's). Defaults 10.252.0.0/16, 10.253.0.0/16. */
  podSubnet?: string;
  serviceSubnet?: string;
  /** The host cluster's pod network (default kind's 10.244.0.0/16). */
  hostPodCidr?: string;
  /** kubernetes-labs-registry (the read-only mirror) as the host's pods reach it; unset: learner clusters have only the preloaded images. */
  mirrorAddress?: string;
  /** LABS_SERVER in toolboxes, e.g. http://labs-server:4321, and the address labs-server resolves to there. */
  serverUrl?: string;
  serverAddress?: string;
  /**
   * The in-class git server (lessons 6–7: `labs addon argocd` starts it, port defaultGitPort())
   * as the host's pods reach it: toolboxes may connect to it (NetworkPolicy). Argo CD inside a
   * learner cluster reaches it through the node pod, whose egress is not restricted.
   */
  gitServer?: GitServerAddress;
  credential?: (learner: string) => Promise<string | undefined> | string | undefined;
  /** Environments made at once (default 2: the host's nodes do the work). */
  parallelCreates?: number;
  /** How long a learner cluster pod may take to be ready (default 600 s: kubeadm init on a busy host node takes minutes). */
  readyTimeoutMs?: number;
  /** How often the host is asked about every environment's pods (default 5 s). */
  watchEveryMs?: number;
  log?: (line: string) => void;
};

export const defaultNodeResources: Resources = { cpuRequest: '250m', memoryRequest: '768Mi', cpuLimit: '2', memoryLimit: '3Gi' };
export const defaultToolboxResources: Resources = { cpuRequest: '50m', memoryRequest: '64Mi', cpuLimit: '1', memoryLimit: '512Mi' };
const priorityClassName = 'labs-learner';

type Env = {
  name: string;
  state: 'creating' | 'ready' | 'broken';
  learner?: string;
  /** The kubeconfig file this server grades with (NodePort address, tls-server-name). */
  kubeconfigFile?: string;
  made: Promise<Env>;
};

type LearnerRecord = LearnerEntry & { env?: Env; assigning?: Promise<void> };

const randomName = (): string => `lab-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
const mebibytes = (q: string | undefined): number => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(q ?? '');
  if (!m) return 0;
  const unit = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 }[m[2] ?? ''] ?? 1 / 1048576;
  return Number(m[1]) * unit;
};
const isNotFound = (e: unknown): boolean => (e as { code?: number }).code === 404;
const isConflict = (e: unknown): boolean => (e as { code?: number }).code === 409;

export class KubernetesLearnerEnvironments implements LearnerEnvironments {
  readonly namespace: string;
  readonly pool: string;
  private readonly kc = new KubeConfig();
  private readonly core: CoreV1Api;
  private readonly net: NetworkingV1Api;
  private readonly options: KubernetesEnvironmentsOptions;
  private readonly log: (line: string) => void;
  private readonly envs = new Map<string, Env>();
  private readonly learners: LearnerBook<LearnerRecord>;
  private readonly nodeResources: Resources;
  private readonly toolboxResources: Resources;
  private warmTarget: number;
  private kubectl = 'kubectl';
  private creating = 0;
  private readonly waiting: (() => void)[] = [];
  private replenishing = false;
  private lastPoolError = '';
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private hasPriorityClass = false;

  constructor(options: KubernetesEnvironmentsOptions) {
    this.options = options;
    this.kc.loadFromFile(options.hostKubeconfig);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.net = this.kc.makeApiClient(NetworkingV1Api);
    this.namespace = options.namespace ?? 'labs-classroom';
    this.pool = learnerLabelValue(options.pool ?? 'classroom');
    this.warmTarget = options.warm ?? 1;
    this.nodeResources = { ...defaultNodeResources, ...options.node };
    this.toolboxResources = { ...defaultToolboxResources, ...options.toolbox };
    this.log = options.log ?? (() => {});
    this.learners = new LearnerBook<LearnerRecord>(() => ({}), (l) => this.log(`kubernetes environments: ${l}`));
  }

  /** A started instance: the namespace made, what the host holds for this pool adopted, the warm pool filling. */
  static async open(options: KubernetesEnvironmentsOptions): Promise<KubernetesLearnerEnvironments> {
    const environments = new KubernetesLearnerEnvironments(options);
    await environments.start();
    return environments;
  }

  async start(): Promise<void> {
    // kubectl (toolchain): shell() also names the shell as a `kubectl exec -it` command line.
    this.kubectl = join((await ensureComponents(['kubernetes'], (l) => this.log(l))).kubernetes, 'kubectl');
    await this.ensureNamespace();
    await this.adopt();
    this.replenish();
    const watch = setInterval(() => void this.watchPods().catch((e: unknown) => this.log(`kubernetes environments: watching pods: ${(e as Error).message}`)), this.options.watchEveryMs ?? 5000);
    watch.unref();
    this.timers.push(watch);
  }

  /** Stops the background work; environments stay on the host (the next open adopts them). `removeWarm` deletes unassigned ones. */
  async close(options: { removeWarm?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (options.removeWarm) {
      for (const env of [...this.envs.values()]) {
        await env.made.catch(() => undefined);
        if (!env.learner) await this.destroy(env);
      }
    }
  }

  // --- the LearnerEnvironments interface ---

  assign(learner: string): Promise<void> {
    const record = this.learners.record(learner);
    if (this.usable(record)) return Promise.resolve();
    if (record.assigning) return record.assigning;
    const assigning = this.learners.serial(learner, () => (this.usable(record) ? Promise.resolve() : this.giveEnvironment(learner)));
    record.assigning = assigning;
    void assigning.catch(() => undefined).finally(() => { if (record.assigning === assigning) record.assigning = undefined; });
    return assigning;
  }

  status(learner: string): EnvironmentStatus {
    return this.learners.get(learner)?.status ?? { state: 'gone', message: 'no environment assigned' };
  }

  kubeconfig(learner: string): string | undefined {
    const record = this.learners.get(learner);
    return record && this.usable(record) ? record.env?.kubeconfigFile : undefined;
  }

  shell(learner: string): ShellCommand | undefined {
    const record = this.learners.get(learner);
    if (!record || !this.usable(record) || !record.env) return undefined;
    const command = ['tmux', 'new-session', '-A', '-s', 'main', '-c', toolboxHome];
    return {
      // The bridge uses `exec` (the exec API in this process); file and args are the same shell through kubectl, for a plain pty.
      exec: { kubeconfig: this.options.hostKubeconfig, namespace: this.namespace, pod: toolboxName(record.env.name), container: 'toolbox', command },
      file: this.kubectl,
      args: ['--kubeconfig', this.options.hostKubeconfig, '-n', this.namespace, 'exec', '-it', toolboxName(record.env.name), '-c', 'toolbox', '--', ...command],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' },
      cwd: '/',
    };
  }

  recreate(learner: string): Promise<void> {
    return this.learners.serial(learner, async () => {
      const record = this.learners.record(learner);
      const old = record.env;
      record.env = undefined;
      if (old) void this.destroy(old).catch((e: unknown) => this.log(`kubernetes environments: removing ${old.name}: ${(e as Error).message}`));
      await this.giveEnvironment(learner, 'replacing your environment');
    });
  }

  release(learner: string): Promise<void> {
    return this.learners.serial(learner, async () => {
      const record = this.learners.get(learner);
      if (!record) return;
      const env = record.env;
      record.env = undefined;
      if (env) await this.destroy(env);
      this.learners.setStatus(learner, 'gone', 'environment released');
      this.learners.delete(learner);
      this.replenish();
    });
  }

  onChange(listener: (learner: string, status: EnvironmentStatus) => void): () => void {
    return this.learners.onChange(listener);
  }

  /** The warm pool and the room left on the host: allocatable memory of its schedulable nodes less what pods there request. */
  async capacity(): Promise<PoolStatus> {
    const envs = [...this.envs.values()];
    const assigned = envs.filter((e) => e.learner).length;
    const creating = envs.filter((e) => e.state === 'creating').length;
    const warm = envs.filter((e) => !e.learner && e.state === 'ready').length;
    const environmentMiB = Math.round(mebibytes(this.nodeResources.memoryRequest) + mebibytes(this.toolboxResources.memoryRequest));
    const nodes = (await this.core.listNode()).items.filter((n) => !n.spec?.unschedulable && !n.spec?.taints?.some((t) => t.effect === 'NoSchedule'));
    const names = new Set(nodes.map((n) => n.metadata?.name));
    const pods = (await this.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })).items.filter((p) => names.has(p.spec?.nodeName));
    const allocatable = nodes.reduce((sum, n) => sum + mebibytes(n.status?.allocatable?.memory), 0);
    const requested = pods.reduce((sum, p) => sum + (p.spec?.containers ?? []).reduce((s, c) => s + mebibytes(c.resources?.requests?.memory), 0), 0);
    const availableMiB = Math.round(allocatable - requested);
    const byMemory = Math.floor(availableMiB / environmentMiB) - creating;
    const byCap = this.options.maxEnvironments === undefined ? Infinity : this.options.maxEnvironments - envs.length;
    const fit = Math.max(0, Math.min(byMemory, byCap));
    const limit = byCap <= byMemory ? 'cap' : 'memory';
    const limitMessage = limit === 'cap'
      ? `at most ${this.options.maxEnvironments} environments are configured`
      : `the host's ${nodes.length} schedulable nodes have ${availableMiB} MiB of memory not yet requested, each environment requests ${environmentMiB} MiB`;
    return {
      assigned, warm, creating, warmTarget: this.warmTarget, fit, limit, limitMessage, availableMiB, environmentMiB, reserveMiB: 0,
      message: this.lastPoolError || `${assigned} assigned, ${warm} warm, ${creating} being made; room for ${fit} more (limited by ${limitMessage})`,
    };
  }

  touch(): void {}

  async setCredential(learner: string, token: string): Promise<void> {
    const env = this.learners.get(learner)?.env;
    if (!env) throw new Error(`${learner} has no environment`);
    await this.writeToken(env, token);
  }

  setWarm(n: number): void {
    this.warmTarget = Math.max(0, Math.floor(n));
    this.replenish();
  }

  /** The environment (node pod) name of a learner, for tests and diagnostics. */
  environmentOf(learner: string): string | undefined {
    return this.learners.get(learner)?.env?.name;
  }

  async waitForWarm(n = this.warmTarget, timeoutMs = 900_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const warm = [...this.envs.values()].filter((e) => !e.learner && e.state === 'ready').length;
      if (warm >= n) return;
      if (Date.now() > deadline) throw new Error(`warm pool: ${warm} of ${n} ready after ${Math.round(timeoutMs / 1000)} s (${this.lastPoolError || 'still making'})`);
      await sleep(500);
    }
  }

  // --- records ---

  private usable(record: LearnerRecord): boolean {
    return record.env?.state === 'ready' && record.status.state === 'ready';
  }


  // --- handing out ---

  private async giveEnvironment(learner: string, waitingMessage = 'waiting for an environment'): Promise<void> {
    const record = this.learners.record(learner);
    this.learners.setStatus(learner, 'pending', waitingMessage);
    let env: Env | undefined;
    try {
      env = [...this.envs.values()].find((e) => !e.learner && e.state === 'ready')
        ?? [...this.envs.values()].find((e) => !e.learner && e.state === 'creating');
      if (env) env.learner = learner;
      else {
        const c = await this.capacity();
        if (c.fit < 1) throw new Error(`the host cluster is full: ${c.assigned} learner environments and ${c.creating} being made; ${c.limitMessage}. Add nodes to the host cluster or release learners`);
        env = this.make(learner);
      }
      if (env.state !== 'ready') {
        this.learners.setStatus(learner, 'creating', 'creating your cluster (about a minute)');
        await env.made;
      }
      if (env.learner !== learner) throw new Error('environment was taken away while it was being made');
      await this.handOver(learner, env);
      record.env = env;
      this.learners.setStatus(learner, 'ready', `ready (cluster ${env.name})`);
    } catch (e) {
      if (env && env.learner === learner && record.env !== env) void this.destroy(env).catch(() => undefined);
      this.learners.setStatus(learner, 'error', (e as Error).message.split('\n')[0]);
      throw e;
    } finally {
      this.replenish();
    }
  }

  /** Records the learner on the environment's Secret (the host's record) and puts their token in the toolbox. */
  private async handOver(learner: string, env: Env): Promise<void> {
    await this.core.patchNamespacedSecret({
      name: env.name, namespace: this.namespace,
      body: { metadata: { labels: { [kubeLabel.learner]: learnerLabelValue(learner) }, annotations: { [learnerAnnotation]: learner } } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const token = await this.options.credential?.(learner);
    if (token) await this.writeToken(env, token);
  }

  private async writeToken(env: Env, token: string): Promise<void> {
    const data = Buffer.from(token.trim() + '\n').toString('base64');
    await runInPod(this.kc, this.namespace, toolboxName(env.name), 'toolbox',
      ['sh', '-c', `umask 077; mkdir -p "$(dirname ${toolboxTokenFile})" && echo ${data} | base64 -d > ${toolboxTokenFile}.tmp && mv -f ${toolboxTokenFile}.tmp ${toolboxTokenFile}`],
      `writing the learner's token in ${toolboxName(env.name)}`);
  }

  // --- making environments ---

  private labels(env: string, role: string): Record<string, string> {
    return { [kubeLabel.pool]: this.pool, [kubeLabel.env]: env, [kubeLabel.role]: role };
  }

  private make(learner?: string): Env {
    const name = randomName();
    const env: Env = { name, state: 'creating', learner, made: undefined as unknown as Promise<Env> };
    this.envs.set(name, env);
    env.made = this.gated(async () => {
      if (this.closed && !env.learner) throw new Error('closed');
      const started = Date.now();
      await this.createEnvironment(env);
      env.state = 'ready';
      this.log(`kubernetes environments: ${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s${env.learner ? ` for ${env.learner}` : ' (warm pool)'}`);
      return env;
    });
    env.made.catch(async (e: unknown) => {
      env.state = 'broken';
      this.log(`kubernetes environments: making ${name} failed: ${(e as Error).message}`);
      if (!env.learner) this.lastPoolError = `the last warm environment failed: ${(e as Error).message.split('\n')[0]}`;
      await this.destroy(env).catch(() => undefined);
    });
    return env;
  }

  /** At most parallelCreates environments being made at once. */
  private async gated<T>(work: () => Promise<T>): Promise<T> {
    while (this.creating >= (this.options.parallelCreates ?? 2)) await new Promise<void>((go) => this.waiting.push(go));
    this.creating++;
    try {
      return await work();
    } finally {
      this.creating--;
      this.waiting.shift()?.();
    }
  }

  private async createEnvironment(env: Env): Promise<void> {
    const ns = this.namespace;
    const versions = toolchainVersions();
    const node = {
      name: env.name, namespace: ns, labels: this.labels(env.name, 'node'),
      nodeImage: this.options.nodeImage ?? `docker.io/${offlineNodeRef(versions.KUBERNETES_VERSION)}`,
      kubernetesVersion: versions.KUBERNETES_VERSION,
      podSubnet: this.options.podSubnet ?? '10.252.0.0/16', serviceSubnet: this.options.serviceSubnet ?? '10.253.0.0/16',
      hostPodCidr: this.options.hostPodCidr ?? '10.244.0.0/16',
      resources: this.nodeResources, mirrorAddress: this.options.mirrorAddress,
      priorityClassName: this.hasPriorityClass ? priorityClassName : undefined,
    };
    await this.core.createNamespacedConfigMap({ namespace: ns, body: nodeConfigMap(node) });
    await this.core.createNamespacedService({ namespace: ns, body: nodeService(node) });
    await this.net.createNamespacedNetworkPolicy({ namespace: ns, body: nodePolicy({ env: env.name, namespace: ns, labels: node.labels, hostPodCidr: node.hostPodCidr }) });
    await this.core.createNamespacedPod({ namespace: ns, body: nodePod(node) });
    await this.waitForPod(env.name, true, this.options.readyTimeoutMs ?? 600_000);
    const admin = await runInPod(this.kc, ns, env.name, 'node', ['cat', '/etc/kubernetes/admin.conf'], `reading the admin kubeconfig of ${env.name}`);
    // The guardrails before anyone else gets a kubeconfig; the toolbox holds the learner's, never the admin's.
    await this.writeKubeconfigFile(env, admin);
    await applyGuardrails(env.kubeconfigFile!, (m) => this.log(`kubernetes environments: ${env.name}: ${m}`));
    const credentials = await issueLearnerCredentials((argv) => runInPod(this.kc, ns, env.name, 'node', argv, `${argv.slice(0, 3).join(' ')} in ${env.name}`));
    const toolboxKubeconfig = withServer(learnerKubeconfig(admin, credentials), `https://${env.name}.${ns}.svc:${apiPort}`);
    await this.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: env.name, namespace: ns, labels: this.labels(env.name, 'env') }, type: 'Opaque', stringData: { 'admin.conf': admin, 'kubeconfig-toolbox': toolboxKubeconfig } },
    });
    const toolboxLabels = this.labels(env.name, 'toolbox');
    const serverCidr = this.options.serverAddress ? `${this.options.serverAddress}/32` : undefined;
    const serverPort = this.options.serverUrl ? Number(new URL(this.options.serverUrl).port) || undefined : undefined;
    await this.net.createNamespacedNetworkPolicy({ namespace: ns, body: toolboxPolicy({ env: env.name, namespace: ns, labels: toolboxLabels, serverCidr, serverPort, gitServer: this.options.gitServer }) });
    await this.core.createNamespacedPod({
      namespace: ns,
      body: toolboxPod({
        env: env.name, namespace: ns, labels: toolboxLabels, secret: env.name, resources: this.toolboxResources,
        image: this.options.toolboxImage ?? `docker.io/kubernetes-labs/toolbox:${versions.KUBERNETES_VERSION}`,
        serverUrl: this.options.serverUrl, serverAddress: this.options.serverAddress,
        priorityClassName: this.hasPriorityClass ? priorityClassName : undefined,
      }),
    });
    const toolbox = await this.waitForPod(toolboxName(env.name), false, 120_000);
    await runInPod(this.kc, ns, env.name, 'node', ['bash', '/kind/labs/allow.sh', toolbox.status?.podIP ?? ''], `letting ${toolboxName(env.name)} reach the API server of ${env.name}`);
  }

  /** This server's kubeconfig of an environment: the NodePort on the node pod's host, the certificate checked under its own name. */
  private async writeKubeconfigFile(env: Env, admin: string): Promise<void> {
    const [pod, service] = await Promise.all([
      this.core.readNamespacedPod({ name: env.name, namespace: this.namespace }),
      this.core.readNamespacedService({ name: env.name, namespace: this.namespace }),
    ]);
    const nodePort = service.spec?.ports?.[0]?.nodePort;
    if (!pod.status?.hostIP || !nodePort) throw new Error(`${env.name}: no host address or NodePort yet`);
    const file = join(dataDir(), 'kubernetes-environments', this.pool, `${env.name}.kubeconfig`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, withServer(admin, `https://${pod.status.hostIP}:${nodePort}`, apiServerName), { mode: 0o600 });
    env.kubeconfigFile = file;
  }

  /** Waits for a pod to be Running (and Ready when `ready`); a failed or vanished pod is an error with its reason. */
  private async waitForPod(name: string, ready: boolean, timeoutMs: number): Promise<V1Pod> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const pod = await this.core.readNamespacedPod({ name, namespace: this.namespace });
      const phase = pod.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') throw new Error(`pod ${name} ended (${phase}): ${podProblem(pod)}`);
      const isReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (phase === 'Running' && (!ready || isReady)) return pod;
      last = podProblem(pod) || phase || 'Pending';
      await sleep(1000);
    }
    throw new Error(`pod ${name} not ${ready ? 'ready' : 'running'} after ${Math.round(timeoutMs / 1000)} s: ${last}`);
  }

  private replenish(): void {
    if (this.replenishing || this.closed) return;
    this.replenishing = true;
    void (async () => {
      let backoffMs = 30_000;
      try {
        for (;;) {
          if (this.closed) return;
          const spare = [...this.envs.values()].filter((e) => !e.learner && e.state !== 'broken').length;
          if (spare >= this.warmTarget) return;
          if ((await this.capacity()).fit < 1) return;
          try {
            await this.make().made;
            this.lastPoolError = '';
            backoffMs = 30_000;
          } catch {
            await sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 600_000);
          }
        }
      } catch (e) {
        this.lastPoolError = `warm pool: ${(e as Error).message.split('\n')[0]}`;
      } finally {
        this.replenishing = false;
      }
    })();
  }

  /** Deletes every object of an environment (by its label). */
  private async destroy(env: Env): Promise<void> {
    this.envs.delete(env.name);
    const ns = this.namespace;
    const labelSelector = selectorOf({ [kubeLabel.pool]: this.pool, [kubeLabel.env]: env.name });
    const quietly = async (what: Promise<unknown>) => { try { await what; } catch (e) { if (!isNotFound(e)) throw e; } };
    await Promise.all([
      quietly(this.core.deleteCollectionNamespacedPod({ namespace: ns, labelSelector, gracePeriodSeconds: 0 })),
      quietly(this.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector })),
      quietly(this.core.deleteCollectionNamespacedSecret({ namespace: ns, labelSelector })),
      quietly(this.net.deleteCollectionNamespacedNetworkPolicy({ namespace: ns, labelSelector })),
      quietly(this.core.deleteNamespacedService({ name: env.name, namespace: ns })),
    ]);
  }

  // --- the host's record ---

  private async ensureNamespace(): Promise<void> {
    const labels = {
      // Learner clusters are privileged pods (as kind nodes are); toolboxes would pass "restricted".
      'pod-security.kubernetes.io/enforce': 'privileged',
      'app.kubernetes.io/managed-by': 'kubernetes-labs',
    };
    try {
      await this.core.createNamespace({ body: { metadata: { name: this.namespace, labels } } });
    } catch (e) {
      if (!isConflict(e)) throw new Error(`creating namespace ${this.namespace} on the host cluster: ${(e as Error).message}`);
    }
    // Below the default priority: a full class cannot preempt the host's own workloads, and never preempts.
    try {
      await this.kc.makeApiClient(SchedulingV1Api).createPriorityClass({
        body: { metadata: { name: priorityClassName }, value: -10, preemptionPolicy: 'Never', globalDefault: false, description: 'Kubernetes Labs learner environments' },
      });
      this.hasPriorityClass = true;
    } catch (e) {
      this.hasPriorityClass = isConflict(e);
      if (!this.hasPriorityClass) this.log(`kubernetes environments: no PriorityClass ${priorityClassName} (${(e as Error).message.split('\n')[0]}); pods get the default priority`);
    }
  }

  /** Takes over this pool's environments on the host; removes half-made ones and leftovers. */
  private async adopt(): Promise<void> {
    const ns = this.namespace;
    const labelSelector = `${kubeLabel.pool}=${this.pool}`;
    const [secrets, pods] = await Promise.all([
      this.core.listNamespacedSecret({ namespace: ns, labelSelector: `${labelSelector},${kubeLabel.role}=env` }),
      this.core.listNamespacedPod({ namespace: ns, labelSelector }),
    ]);
    const podsOf = new Map<string, V1Pod[]>();
    for (const p of pods.items) {
      const env = p.metadata?.labels?.[kubeLabel.env] ?? '';
      podsOf.set(env, [...(podsOf.get(env) ?? []), p]);
    }
    const recorded = new Set<string>();
    for (const secret of secrets.items) {
      const name = secret.metadata?.labels?.[kubeLabel.env] ?? '';
      recorded.add(name);
      const env: Env = { name, state: 'ready', made: undefined as unknown as Promise<Env> };
      env.made = Promise.resolve(env);
      const learner = secret.metadata?.annotations?.[learnerAnnotation];
      const problem = environmentProblem(podsOf.get(name) ?? [], name);
      if (!learner && problem) {
        this.log(`kubernetes environments: removing warm ${name} (${problem})`);
        await this.destroy(env);
        continue;
      }
      this.envs.set(name, env);
      env.learner = learner;
      if (!problem) await this.writeKubeconfigFile(env, Buffer.from(secret.data?.['admin.conf'] ?? '', 'base64').toString());
      if (!learner) {
        this.log(`kubernetes environments: adopted warm ${name}`);
        continue;
      }
      const record = this.learners.record(learner);
      record.env = env;
      if (problem) {
        env.state = 'broken';
        this.learners.setStatus(learner, 'error', `your cluster ${name} is broken (found after a restart: ${problem}): recreate it`);
      } else {
        this.learners.setStatus(learner, 'ready', `ready (cluster ${name}, adopted)`);
        this.log(`kubernetes environments: adopted ${name} of ${learner}`);
      }
    }
    // Objects of environments without a record: a create this server did not finish.
    for (const name of podsOf.keys()) {
      if (!recorded.has(name)) await this.destroy({ name, state: 'broken', made: Promise.resolve(undefined as unknown as Env) });
    }
  }

  /** Marks learners whose node or toolbox pod vanished or failed (a lost host node, an eviction): the dashboard shows it, recreate repairs it. */
  private async watchPods(): Promise<void> {
    if (this.closed) return;
    const pods = (await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `${kubeLabel.pool}=${this.pool}` })).items;
    const podsOf = new Map<string, V1Pod[]>();
    for (const p of pods) {
      const env = p.metadata?.labels?.[kubeLabel.env] ?? '';
      podsOf.set(env, [...(podsOf.get(env) ?? []), p]);
    }
    for (const env of this.envs.values()) {
      if (env.state !== 'ready') continue;
      const problem = environmentProblem(podsOf.get(env.name) ?? [], env.name);
      if (!problem) continue;
      env.state = 'broken';
      if (env.learner) this.learners.setStatus(env.learner, 'error', `your cluster ${env.name} is down (${problem}): the instructor can recreate it`);
      else {
        this.log(`kubernetes environments: warm ${env.name} lost (${problem})`);
        await this.destroy(env);
        this.replenish();
      }
    }
  }
}

/** Why an environment's pods are not usable, or '' when its node is ready and its toolbox runs. */
function environmentProblem(pods: V1Pod[], env: string): string {
  const node = pods.find((p) => p.metadata?.labels?.[kubeLabel.role] === 'node');
  const toolbox = pods.find((p) => p.metadata?.labels?.[kubeLabel.role] === 'toolbox');
  if (!node || node.metadata?.deletionTimestamp) return `its node pod ${env} is gone`;
  if (node.status?.phase !== 'Running') return `its node pod is ${node.status?.phase ?? 'unknown'}${podProblem(node) ? `: ${podProblem(node)}` : ''}`;
  if (!toolbox || toolbox.metadata?.deletionTimestamp) return `its shell pod ${toolboxName(env)} is gone`;
  if (toolbox.status?.phase !== 'Running') return `its shell pod is ${toolbox.status?.phase ?? 'unknown'}`;
  return '';
}

/** A pod's trouble in one line: a waiting container's reason, a termination, the scheduler's message. */
function podProblem(pod: V1Pod): string {
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'PodInitializing' && waiting.reason !== 'ContainerCreating') return `${c.name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    const term = c.state?.terminated;
    if (term && term.exitCode !== 0) return `${c.name}: exited ${term.exitCode} (${term.reason ?? ''})`;
  }
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  return unscheduled?.message ?? pod.status?.reason ?? '';
}

/** A kubeconfig with its cluster's server replaced (and the certificate checked under `serverName`). */
export function withServer(kubeconfig: string, server: string, serverName?: string): string {
  const config = parse(kubeconfig) as { clusters?: { cluster: Record<string, unknown> }[] };
  for (const c of config.clusters ?? []) {
    c.cluster.server = server;
    if (serverName) c.cluster['tls-server-name'] = serverName;
  }
  return stringify(config);
}
