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
// The warm pool (warm-pool.ts) makes `warm` environments in advance while the host has room
// (kube-host-room.ts); handing one out labels its Secret and writes the learner's token in the
// toolbox. A node pod that disappears or fails (node lost, evicted; kube-pods.ts) puts its
// learner in `error` until recreate() makes a new environment. Security: node pods are
// privileged, so the host cluster must be one dedicated to training (README, classroom mode).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, NetworkingV1Api, PatchStrategy, SchedulingV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import type { PoolStatus } from './contract.ts';
import type { Language } from '../../content/schema.ts';
import type { ShellCommand } from '../../terminal/session.ts';
import { dataDir } from '../../base/paths.ts';
import { ensureComponents, toolchainVersions } from '../toolchain.ts';
import { offlineNodeRef } from '../images/node-image.ts';
import { applyGuardrails, issueLearnerCredentials, learnerKubeconfig } from '../guardrails.ts';
import { hostRoom } from './kube-host-room.ts';
import { labsConfigFiles, writeFilesCommand } from './labs-config.ts';
import { apiPort, apiServerName, nodeConfigMap, nodePod, nodeService } from './kube-node.ts';
import { kubeLabel, learnerAnnotation, learnerLabelValue, runInPod, selectorOf, toolboxName } from './kube-objects.ts';
import { environmentProblem, podsByEnvironment, waitForPod } from './kube-pods.ts';
import { nodePolicy, toolboxHome, type GitServerAddress, toolboxPod, toolboxPolicy, toolboxTokenFile } from './kube-toolbox.ts';
import { WarmPool, type PoolPolicy, type PooledEnvironment, type PooledLearner, type Room } from './warm-pool.ts';

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

type Env = PooledEnvironment & {
  /** The kubeconfig file this server grades with (NodePort address, tls-server-name). */
  kubeconfigFile?: string;
};

type LearnerRecord = PooledLearner<Env>;

const isNotFound = (e: unknown): boolean => (e as { code?: number }).code === 404;
const isConflict = (e: unknown): boolean => (e as { code?: number }).code === 409;

const policy = (parallelCreates: number): PoolPolicy => ({
  name: 'kubernetes environments',
  parallelCreates,
  replacing: 'replacing your environment',
  full: (c: PoolStatus) => new Error(`the host cluster is full: ${c.assigned} learner environments and ${c.creating} being made; ${c.limitMessage}. Add nodes to the host cluster or release learners`),
});

export class KubernetesLearnerEnvironments extends WarmPool<Env, LearnerRecord> {
  readonly namespace: string;
  readonly pool: string;
  private readonly kc = new KubeConfig();
  private readonly core: CoreV1Api;
  private readonly net: NetworkingV1Api;
  private readonly options: KubernetesEnvironmentsOptions;
  private readonly nodeResources: Resources;
  private readonly toolboxResources: Resources;
  private kubectl = 'kubectl';
  private hasPriorityClass = false;

  constructor(options: KubernetesEnvironmentsOptions) {
    super(policy(options.parallelCreates ?? 2), options.warm ?? 1, options.log);
    this.options = options;
    this.kc.loadFromFile(options.hostKubeconfig);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.net = this.kc.makeApiClient(NetworkingV1Api);
    this.namespace = options.namespace ?? 'labs-classroom';
    this.pool = learnerLabelValue(options.pool ?? 'classroom');
    this.nodeResources = { ...defaultNodeResources, ...options.node };
    this.toolboxResources = { ...defaultToolboxResources, ...options.toolbox };
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
    this.every(this.options.watchEveryMs ?? 5000, 'watching pods', () => this.watchPods());
  }

  // --- the warm pool's backend ---

  protected newEnvironmentFields(): Omit<Env, keyof PooledEnvironment> {
    return {};
  }

  protected async createEnvironment(env: Env): Promise<number> {
    const started = Date.now();
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
    await waitForPod(this.core, ns, env.name, true, this.options.readyTimeoutMs ?? 600_000);
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
    const toolbox = await waitForPod(this.core, ns, toolboxName(env.name), false, 120_000);
    await runInPod(this.kc, ns, env.name, 'node', ['bash', '/kind/labs/allow.sh', toolbox.status?.podIP ?? ''], `letting ${toolboxName(env.name)} reach the API server of ${env.name}`);
    return started;
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

  /** Deletes every object of an environment (by its label). */
  protected async removeEnvironment(env: Env): Promise<void> {
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

  /** Records the learner on the environment's Secret (the host's record) and puts their token and language in the toolbox. */
  protected async handOver(learner: string, _record: LearnerRecord, env: Env, language: Language | undefined): Promise<void> {
    await this.core.patchNamespacedSecret({
      name: env.name, namespace: this.namespace,
      body: { metadata: { labels: { [kubeLabel.learner]: learnerLabelValue(learner) }, annotations: { [learnerAnnotation]: learner } } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const token = await this.options.credential?.(learner);
    await this.writeLabsConfig(env, { token, language });
  }

  protected writeLanguage(env: Env, language: Language): Promise<void> {
    return this.writeLabsConfig(env, { language });
  }

  /** The learner's token and language for `labs`, in one exec into the toolbox as its user. */
  private async writeLabsConfig(env: Env, config: { token?: string; language?: Language }): Promise<void> {
    const files = labsConfigFiles(toolboxHome, toolboxTokenFile, config);
    if (Object.keys(files).length === 0) return;
    await runInPod(this.kc, this.namespace, toolboxName(env.name), 'toolbox', writeFilesCommand(files), `writing ${Object.keys(files).join(', ')} in ${toolboxName(env.name)}`);
  }

  /** The room on the host: allocatable memory of its schedulable nodes less what pods there request. */
  protected room(count: { creating: number; total: number }): Promise<Room> {
    const demand = { nodeMemoryRequest: this.nodeResources.memoryRequest, toolboxMemoryRequest: this.toolboxResources.memoryRequest, maxEnvironments: this.options.maxEnvironments };
    return hostRoom(this.core, demand, count);
  }

  protected kubeconfigOf(env: Env): string | undefined {
    return env.kubeconfigFile;
  }

  protected shellOf(env: Env): ShellCommand {
    const command = ['tmux', 'new-session', '-A', '-s', 'main', '-c', toolboxHome];
    return {
      // The bridge uses `exec` (the exec API in this process); file and args are the same shell through kubectl, for a plain pty.
      exec: { kubeconfig: this.options.hostKubeconfig, namespace: this.namespace, pod: toolboxName(env.name), container: 'toolbox', command },
      file: this.kubectl,
      args: ['--kubeconfig', this.options.hostKubeconfig, '-n', this.namespace, 'exec', '-it', toolboxName(env.name), '-c', 'toolbox', '--', ...command],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' },
      cwd: '/',
    };
  }

  private labels(env: string, role: string): Record<string, string> {
    return { [kubeLabel.pool]: this.pool, [kubeLabel.env]: env, [kubeLabel.role]: role };
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
      if (!this.hasPriorityClass) this.note(`no PriorityClass ${priorityClassName} (${(e as Error).message.split('\n')[0]}); pods get the default priority`);
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
    const podsOf = podsByEnvironment(pods.items);
    const recorded = new Set<string>();
    for (const secret of secrets.items) {
      const name = secret.metadata?.labels?.[kubeLabel.env] ?? '';
      recorded.add(name);
      const env: Env = { name, state: 'ready', made: Promise.resolve() };
      const learner = secret.metadata?.annotations?.[learnerAnnotation];
      const problem = environmentProblem(podsOf.get(name) ?? [], name);
      if (!learner && problem) {
        this.note(`removing warm ${name} (${problem})`);
        await this.remove(env, false);
        continue;
      }
      this.envs.set(name, env);
      env.learner = learner;
      if (!problem) await this.writeKubeconfigFile(env, Buffer.from(secret.data?.['admin.conf'] ?? '', 'base64').toString());
      if (!learner) {
        this.note(`adopted warm ${name}`);
        continue;
      }
      const record = this.learners.record(learner);
      record.env = env;
      if (problem) {
        env.state = 'broken';
        this.learners.setStatus(learner, 'error', `your cluster ${name} is broken (found after a restart: ${problem}): recreate it`);
      } else {
        this.learners.setStatus(learner, 'ready', `ready (cluster ${name}, adopted)`);
        this.note(`adopted ${name} of ${learner}`);
      }
    }
    // Objects of environments without a record: a create this server did not finish.
    for (const name of podsOf.keys()) {
      if (!recorded.has(name)) await this.remove({ name, state: 'broken', made: Promise.resolve() }, false);
    }
  }

  /** Marks learners whose node or toolbox pod vanished or failed (a lost host node, an eviction): the dashboard shows it, recreate repairs it. */
  private async watchPods(): Promise<void> {
    if (this.closed) return;
    const pods = (await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `${kubeLabel.pool}=${this.pool}` })).items;
    const podsOf = podsByEnvironment(pods);
    for (const env of this.envs.values()) {
      if (env.state !== 'ready') continue;
      const problem = environmentProblem(podsOf.get(env.name) ?? [], env.name);
      if (!problem) continue;
      env.state = 'broken';
      if (env.learner) this.learners.setStatus(env.learner, 'error', `your cluster ${env.name} is down (${problem}): the instructor can recreate it`);
      else {
        this.note(`warm ${env.name} lost (${problem})`);
        await this.remove(env, false);
        this.replenish();
      }
    }
  }
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
