// Where the platform keeps things on the learner's machine. One place, so the CLI, the web
// server and the tests agree.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Built toolchain (Go binaries, images), keyed by versions; outside the checkout so fresh clones reuse it. */
export const cacheDir = (): string =>
  process.env.LABS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubernetes-labs');

/** Learner state: cluster kubeconfigs, progress store, git repositories. */
export const dataDir = (): string =>
  process.env.LABS_HOME ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'kubernetes-labs');

const clusterNamePattern = /^[a-z0-9][a-z0-9-]{0,40}$/;
/** What clusterName() accepts, in words (kind's own rule is wider; ours keeps a name safe as a folder name). */
export const clusterNameRule = 'lowercase letters, digits and dashes, starting with a letter or digit, at most 41 characters';

export class InvalidClusterNameError extends Error {
  override name = 'InvalidClusterNameError';
}

/**
 * `name`, once it is known to be a valid cluster name; otherwise one line naming the value, where it
 * came from and the rule. Every name that enters (`--name`, LABS_CLUSTER, the provider's API) passes
 * here before it becomes a folder, a kind argument or a container name: `..`, `a/b` or `/etc` never
 * reach a path.
 */
export function clusterName(name: string, from?: string): string {
  if (!clusterNamePattern.test(name)) {
    throw new InvalidClusterNameError(`invalid cluster name ${JSON.stringify(name)}${from ? ` (from ${from})` : ''}: use ${clusterNameRule}`);
  }
  return name;
}

/** The default learner cluster's name (kind context `kind-labs`): LABS_CLUSTER (validated; empty = unset), else `labs`. */
export const defaultClusterName = (): string => clusterName(process.env.LABS_CLUSTER || 'labs', process.env.LABS_CLUSTER ? 'LABS_CLUSTER' : undefined);

/** Where every cluster's folder lives. */
export const clustersDir = (): string => join(dataDir(), 'clusters');

/** A cluster's own folder (kubeconfig, status, kind config, logs); the name is validated. */
export const clusterDir = (name: string = defaultClusterName()): string => join(clustersDir(), clusterName(name));

export const clusterKubeconfig = (name: string = defaultClusterName()): string => join(clusterDir(name), 'kubeconfig');

/** The same cluster as the learner (src/environments/guardrails.ts): what a classroom sandbox gets, never the admin one. */
export const clusterLearnerKubeconfig = (name: string = defaultClusterName()): string => join(clusterDir(name), 'kubeconfig.learner');

/**
 * `dir` when it is strictly one cluster's folder (a direct child of clustersDir()); throws otherwise.
 * The last check before a cluster's folder is removed, whatever built the path.
 */
export function ownClusterFolder(dir: string): string {
  const root = resolve(clustersDir());
  const resolved = resolve(dir);
  if (dirname(resolved) !== root || resolved === root) {
    throw new Error(`refusing to remove ${resolved}: not a cluster folder inside ${root}`);
  }
  return resolved;
}

/** Toolchain binaries the learner's shell gets on PATH (kubectl, helm, kind, argocd). */
export const toolchainBinDir = (): string => join(cacheDir(), 'bin');

/** This checkout's bin/ (the `labs` CLI), so lessons can run `labs …` in the learner's shell. */
export const labsCliBinDir = (): string => fileURLToPath(new URL('../../bin', import.meta.url));
