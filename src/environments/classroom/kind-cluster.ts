// The learner's kind cluster on this machine: a bridge network of its own (Docker's isolation
// rules drop traffic between bridges, so no learner reaches another's API server), the cluster
// through the kind provider (KIND_EXPERIMENTAL_DOCKER_NETWORK), its node's limits, and its
// kubeconfigs: the host's for grading, the internal one with the learner's certificate for the
// sandbox. What every cluster needs first (node image, sandbox image, mirror) is built once.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { run } from '../../base/exec.ts';
import { clusterDir, clusterLearnerKubeconfig, clusterName } from '../../base/paths.ts';
import { raiseInotifyLimits } from '../docker/engine.ts';
import { ImageBuilder } from '../images/build.ts';
import { ensureToolboxImage, toolboxRecipe } from '../images/toolbox-image.ts';
import { KindProvider, kindBinary, secureCluster } from '../kind-provider.ts';
import { prepareOffline } from '../offline.ts';
import { credentialsOf, learnerKubeconfig } from '../guardrails.ts';
import { afterThawScript, beforeFreezeScript, releaseControllersScript } from '../node-freeze.ts';
import { connectReadOnlyMirror, ensureBridgeNetwork, ensureReadOnlyMirror } from '../mirror.ts';
import type { Reporter } from '../progress.ts';
import { label, removeNetwork } from './docker-objects.ts';
import type { LocalEnv } from './local-records.ts';

/** What every environment is made from: the offline node image and the sandbox image. */
export type Prepared = { nodeImage: string; toolbox: string };

export type KindSettings = {
  pool: string;
  /** Limits of each node container (LocalEnvironmentsOptions.node). */
  node?: { memoryMiB?: number; cpus?: number };
  readyTimeoutMs?: number;
  log: (line: string) => void;
};

/** The node container of an environment's cluster. */
export const nodeContainer = (env: string): string => `${env}-control-plane`;

export class KindClusters {
  private readonly provider = new KindProvider();
  private readonly settings: KindSettings;

  constructor(settings: KindSettings) {
    this.settings = settings;
  }

  /** Builds, where not cached, what every environment needs: node image, read-only mirror, sandbox image. */
  async prepare(report: Reporter): Promise<Prepared> {
    raiseInotifyLimits((m) => this.settings.log(m));
    const { nodeImage } = await prepareOffline(report);
    const images = new ImageBuilder((m) => report.log(m));
    const registry = images.catalog.images.find((i) => i.refs[0].includes('/registry:'));
    if (!registry) throw new Error('kind/images.yaml: no registry image');
    report.phase('images', `building the sandbox image ${toolboxRecipe(images).refs[0]} where not cached`);
    const toolbox = await ensureToolboxImage((m) => report.log(m));
    await ensureReadOnlyMirror(registry.refs[0], (m) => report.log(m));
    return { nodeImage, toolbox };
  }

  /** The environment's network and cluster; resolves with when the cluster's create began. */
  async create(env: LocalEnv, nodeImage: string): Promise<number> {
    const { name } = env;
    await ensureBridgeNetwork(env.network, { [label.pool]: this.settings.pool, [label.role]: 'network', [label.env]: name, [label.created]: new Date().toISOString() });
    await connectReadOnlyMirror(env.network);
    const started = Date.now();
    await this.provider.create({ name, offline: true, network: env.network, connectMirror: false, nodeImage, readyTimeoutMs: this.settings.readyTimeoutMs });
    await this.limitNode(name);
    await this.internalKubeconfig(name, true);
    return started;
  }

  /** Deletes the cluster (a failure is logged: the network still goes) and its network. */
  async remove(env: LocalEnv): Promise<void> {
    await this.provider.delete(env.name).catch((e: unknown) => this.settings.log(`classroom environments: deleting cluster ${env.name}: ${(e as Error).message}`));
    await removeNetwork(env.network);
  }

  /** The cluster answers as kind sees it (a name that is no valid cluster name does not). */
  async ready(name: string): Promise<boolean> {
    try {
      clusterName(name);
      return (await this.provider.status(name)).state === 'ready';
    } catch {
      return false;
    }
  }

  /** Steps of a freeze or thaw inside the cluster's node (node-freeze.ts), in one exec. */
  async nodeSteps(name: string, ...steps: ('before freeze' | 'after thaw' | 'release controllers')[]): Promise<void> {
    const scripts = { 'before freeze': beforeFreezeScript, 'after thaw': afterThawScript, 'release controllers': releaseControllersScript };
    // Each script in a subshell of its own: their `set -eu` and variables stay theirs.
    const script = steps.map((step) => `(${scripts[step]}
)`).join(' && ');
    await run('docker', ['exec', nodeContainer(name), 'sh', '-c', script], `${steps.join(', ')} (node of cluster "${name}")`);
  }

  /** The learner's kubeconfig for the sandbox: the internal address, the learner's certificate (never the admin's). */
  async learnerKubeconfig(name: string): Promise<string> {
    if (!existsSync(clusterLearnerKubeconfig(name))) await secureCluster(name, (m) => this.settings.log(`classroom environments: ${name}: ${m}`));
    return learnerKubeconfig(await this.internalKubeconfig(name), credentialsOf(clusterLearnerKubeconfig(name)));
  }

  /** Caps the node container's memory and CPU (settings.node): one learner's workload cannot starve the others. */
  private async limitNode(name: string): Promise<void> {
    const memoryMiB = this.settings.node?.memoryMiB ?? 3072;
    const nodeCpus = this.settings.node?.cpus ?? Math.max(1, cpus().length - 0.5);
    const args = [
      ...(memoryMiB > 0 ? ['--memory', `${memoryMiB}m`, '--memory-swap', `${memoryMiB}m`] : []),
      ...(nodeCpus > 0 ? ['--cpus', String(nodeCpus)] : []),
    ];
    if (args.length > 0) await run('docker', ['update', ...args, nodeContainer(name)], `limiting the node of cluster "${name}"`);
  }

  /** The kind cluster's kubeconfig as seen from its own network (https://<env>-control-plane:6443). */
  private async internalKubeconfig(name: string, refresh = false): Promise<string> {
    const file = join(clusterDir(name), 'kubeconfig.internal');
    if (!refresh && existsSync(file)) return readFileSync(file, 'utf8');
    const kubeconfig = await run(await kindBinary(), ['get', 'kubeconfig', '--internal', '--name', name], `reading the internal kubeconfig of cluster "${name}"`);
    writeFileSync(file, kubeconfig, { mode: 0o600 });
    return kubeconfig;
  }
}
