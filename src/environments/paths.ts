// Where the platform keeps things on the learner's machine. One place, so the CLI, the web
// server and the tests agree.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Built toolchain (Go binaries, images), keyed by versions; outside the checkout so fresh clones reuse it. */
export const cacheDir = (): string =>
  process.env.LABS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubernetes-labs');

/** Learner state: cluster kubeconfigs, progress store, git repositories. */
export const dataDir = (): string =>
  process.env.LABS_HOME ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'kubernetes-labs');

/** The default learner cluster's name (kind context `kind-labs`). */
export const defaultClusterName = (): string => process.env.LABS_CLUSTER ?? 'labs';

export const clusterKubeconfig = (name: string = defaultClusterName()): string =>
  join(dataDir(), 'clusters', name, 'kubeconfig');

/** Toolchain binaries the learner's shell gets on PATH (kubectl, helm, kind, argocd). */
export const toolchainBinDir = (): string => join(cacheDir(), 'bin');

/** This checkout's bin/ (the `labs` CLI), so lessons can run `labs …` in the learner's shell. */
export const labsCliBinDir = (): string => fileURLToPath(new URL('../../bin', import.meta.url));
