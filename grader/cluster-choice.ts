// Which cluster a command means: the kubeconfig (--kubeconfig, $KUBECONFIG, the platform's
// cluster, ~/.kube/config) and the context (--context, --cluster <name>), with one-line errors
// that say what to pass instead. Shared by the grader's reader, `labs reset`/`solve` and the CLI.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterKubeconfig, clusterName, clustersDir } from '../src/base/paths.ts';
import { clientNodeConfig, kubeconfigFiles, parseKubeconfigText } from './credentials.ts';
import { ClusterError, NoKubeconfigError } from './errors.ts';

export type ClusterOptions = {
  /** Path to a kubeconfig file. Default: KUBECONFIG, else the learner cluster, else ~/.kube/config. */
  kubeconfig?: string;
  /**
   * Context in that kubeconfig. Default: its current-context. `kind-<name>` that the kubeconfig
   * lacks means the platform's cluster <name> (see chooseCluster).
   */
  context?: string;
  /** One of the platform's clusters by name (`labs cluster create --name`): its kubeconfig and context. */
  clusterName?: string;
};

/** The cluster a command acts on, once chosen (chooseCluster): what every tool it starts is given. */
export type ClusterChoice = {
  /** The kubeconfig file (or KUBECONFIG-style list of files). */
  kubeconfig: string;
  /** The context to use; undefined: the kubeconfig's current-context. */
  context?: string;
  /** The platform's cluster this is (its name), when it is one: add-ons, git repositories, LABS_CLUSTER. */
  clusterName?: string;
};

/**
 * A choice of cluster the command line cannot have meant (`--cluster` naming no cluster of the
 * platform, `--cluster` with `--kubeconfig`): a usage error (`labs … --json` says kind "usage").
 */
export class ClusterChoiceError extends ClusterError {
  override name = 'ClusterChoiceError';
}

/**
 * Which kubeconfig a command uses, in the documented order; undefined when none exists. An explicit
 * one or KUBECONFIG is taken as given (even empty) and must name existing files: a bad one is an
 * error, never a silent fall-back to another cluster.
 */
export function resolveKubeconfig(explicit?: string): string | undefined {
  if (explicit !== undefined) {
    kubeconfigFiles(explicit);
    return explicit;
  }
  const fromEnvironment = process.env.KUBECONFIG;
  if (fromEnvironment) {
    kubeconfigFiles(fromEnvironment, `KUBECONFIG=${JSON.stringify(fromEnvironment)}`);
    return fromEnvironment;
  }
  const learner = clusterKubeconfig();
  if (existsSync(learner)) return learner;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

const noKubeconfig = () =>
  new NoKubeconfigError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create the learner cluster with `labs cluster create`');

/** The platform's clusters that have a kubeconfig (clusters/<name>/kubeconfig), sorted: what `--cluster` accepts. */
export function platformClusters(): string[] {
  let entries: string[];
  try {
    entries = readdirSync(clustersDir());
  } catch {
    return [];
  }
  return entries.filter((name) => validName(name) && existsSync(clusterKubeconfig(name))).sort();
}

const validName = (name: string): boolean => {
  try {
    return clusterName(name) === name;
  } catch {
    return false;
  }
};

const knownClusters = () => {
  const names = platformClusters();
  return `clusters: ${names.length ? names.join(', ') : 'none'}; see \`labs cluster list\``;
};

type KubeconfigNames = { contexts: string[]; current?: string; unreadable?: boolean };

/** Context names and current-context of a kubeconfig source (several files merged as kubectl does). */
function kubeconfigNames(source: string): KubeconfigNames {
  const names: KubeconfigNames = { contexts: [] };
  for (const file of kubeconfigFiles(source)) {
    let parsed: { contexts?: { name?: unknown }[]; 'current-context'?: unknown } | undefined;
    try {
      parsed = (parseKubeconfigText(readFileSync(file, 'utf8')) ?? undefined) as typeof parsed;
    } catch {
      names.unreadable = true; // loading it says what is wrong
      continue;
    }
    for (const c of Array.isArray(parsed?.contexts) ? parsed.contexts : []) {
      if (typeof c?.name === 'string' && !names.contexts.includes(c.name)) names.contexts.push(c.name);
    }
    const current = parsed?.['current-context'];
    if (names.current === undefined && typeof current === 'string' && current) names.current = current; // the first file's wins
  }
  return names;
}

/** The platform cluster a kubeconfig path belongs to (…/clusters/<name>/kubeconfig), if any. */
function platformClusterOfPath(kubeconfig: string): string | undefined {
  const path = resolve(kubeconfig);
  const name = basename(dirname(path));
  return basename(path) === 'kubeconfig' && dirname(dirname(path)) === resolve(clustersDir()) && validName(name) ? name : undefined;
}

/** `kind-<name>` → <name> when the platform has that cluster. */
function platformClusterOfContext(context: string | undefined): string | undefined {
  const name = context?.startsWith('kind-') ? context.slice('kind-'.length) : undefined;
  return name && validName(name) && existsSync(clusterKubeconfig(name)) ? name : undefined;
}

/**
 * The one place a command's choice of cluster is made (verify, solve, reset, addon, the tools and
 * scripts they start):
 *   --cluster <name>   the platform's cluster <name>: its kubeconfig, context kind-<name>;
 *   --context <c>      in the kubeconfig (--kubeconfig, else KUBECONFIG, else the learner cluster's,
 *                      else ~/.kube/config); when it has no such context and <c> is kind-<name> of a
 *                      cluster the platform made, that cluster;
 *   neither            that kubeconfig's current context.
 * The choice says which platform cluster it is when it is one (by its kubeconfig's path, or a
 * kind-<name> context), so add-ons and git repositories follow the same cluster.
 */
export function chooseCluster(options: ClusterOptions = {}): ClusterChoice {
  if (options.clusterName !== undefined) {
    const name = clusterName(options.clusterName, '--cluster');
    if (options.kubeconfig !== undefined) throw new ClusterChoiceError('--cluster names the kubeconfig itself: pass --cluster or --kubeconfig, not both');
    if (options.context !== undefined && options.context !== `kind-${name}`) {
      throw new ClusterChoiceError(`--cluster ${name} means context kind-${name}, not --context ${options.context}`);
    }
    const kubeconfig = clusterKubeconfig(name);
    if (!existsSync(kubeconfig)) throw new ClusterChoiceError(`no cluster "${name}" (${knownClusters()})`);
    return { kubeconfig, context: `kind-${name}`, clusterName: name };
  }
  const source = resolveKubeconfig(options.kubeconfig);
  if (options.context === undefined) {
    if (!source) throw noKubeconfig();
    const name = platformClusterOfPath(source) ?? platformClusterOfContext(kubeconfigNames(source).current);
    return { kubeconfig: source, clusterName: name };
  }
  const context = options.context;
  const names = source ? kubeconfigNames(source) : undefined;
  if (names?.contexts.includes(context) || names?.unreadable) {
    const fromPath = platformClusterOfPath(source!);
    return { kubeconfig: source!, context, clusterName: fromPath && context === `kind-${fromPath}` ? fromPath : platformClusterOfContext(context) };
  }
  const platform = platformClusterOfContext(context);
  if (platform) return { kubeconfig: clusterKubeconfig(platform), context, clusterName: platform };
  if (!source && !context.startsWith('kind-')) throw noKubeconfig();
  const where = source ? `not found in ${source} (contexts: ${names!.contexts.join(', ') || 'none'})` : 'not found (no kubeconfig)';
  const platformHint = context.startsWith('kind-') ? `, and no cluster "${context.slice('kind-'.length)}" of the platform (${knownClusters()})` : '';
  throw new ClusterError(`context "${context}" ${where}${platformHint}`);
}

/** The current-context of a kubeconfig source (the first file that sets one). */
export const currentContext = (kubeconfig: string): string | undefined => kubeconfigNames(kubeconfig).current;

/** A client-node KubeConfig for the same choice of file and context (used by write paths: reset). */
export async function loadKubeConfig(options: ClusterOptions = {}): Promise<{ config: KubeConfig; source: string; choice: ClusterChoice }> {
  const choice = chooseCluster(options);
  const config = await clientNodeConfig(choice.kubeconfig, choice.context);
  return { config, source: choice.kubeconfig, choice };
}
