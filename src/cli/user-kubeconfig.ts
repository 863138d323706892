// The user's own kubeconfig, as kind treats it: `labs cluster create` merges the new cluster's
// context, cluster and user entries into it so `kubectl --context kind-<name>` works in any shell,
// and `labs cluster delete` removes them. Which file: KUBECONFIG's list like kind and kubectl (the
// first file that exists, else the last), else ~/.kube/config — but never one of the platform's own
// per-cluster kubeconfigs (the platform's terminal sets KUBECONFIG to one), which stay one context each.
// Unlike kind, the user's current-context is kept: it is set only when there is none.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { clusterKubeconfig, clustersDir } from '../base/paths.ts';

type Named = { name: string; [field: string]: unknown };
export type Kubeconfig = {
  clusters?: Named[];
  users?: Named[];
  contexts?: (Named & { context?: { cluster?: string; user?: string } })[];
  'current-context'?: string;
  [field: string]: unknown;
};

/** The files this merge considers, in kind's order; the platform's own kubeconfigs are left out. */
export function userKubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const platform = resolve(clustersDir());
  const inPlatform = (file: string) => !relative(platform, resolve(file)).startsWith('..');
  const listed = [...new Set((env.KUBECONFIG ?? '').split(delimiter).filter(Boolean))].filter((file) => !inPlatform(file));
  return listed.length ? listed : [join(env.HOME || homedir(), '.kube', 'config')];
}

/** The file a new entry goes into: the only one, else the first that exists, else the last (kind's pathForMerge). */
export function pathForMerge(paths: string[]): string {
  if (paths.length === 1) return paths[0]!;
  return paths.find((file) => existsSync(file) && statSync(file).isFile()) ?? paths.at(-1)!;
}

const byName = <T extends Named>(list: T[] | undefined, name: string | undefined) => list?.find((entry) => entry.name === name);

function upsert<T extends Named>(list: T[] | undefined, entry: T): T[] {
  const kept = (list ?? []).map((existing) => (existing.name === entry.name ? entry : existing));
  return kept.some((existing) => existing === entry) ? kept : [...kept, entry];
}

export type Merged = { config: Kubeconfig; context: string; current: string };

/**
 * `existing` with the current context of `cluster` (a kind kubeconfig) and the cluster and user it
 * names added, replacing entries of the same names. current-context stays as it was unless it was
 * empty. Pure: nothing is read or written.
 */
export function mergeEntries(existing: Kubeconfig, cluster: Kubeconfig): Merged {
  const name = cluster['current-context'];
  const context = byName(cluster.contexts, name);
  const clusterEntry = byName(cluster.clusters, context?.context?.cluster);
  const userEntry = byName(cluster.users, context?.context?.user);
  if (!name || !context || !clusterEntry || !userEntry) {
    throw new Error(`the cluster's kubeconfig does not name its context, cluster and user (current-context ${JSON.stringify(name ?? '')})`);
  }
  const config: Kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    ...existing,
    clusters: upsert(existing.clusters, clusterEntry),
    users: upsert(existing.users, userEntry),
    contexts: upsert(existing.contexts, context),
  };
  if (!existing['current-context']) config['current-context'] = name;
  return { config, context: name, current: config['current-context']! };
}

/** `existing` without kind-<name>'s entries (kind's remove); current-context is emptied when it was that one. */
export function removeEntries(existing: Kubeconfig, context: string): { config: Kubeconfig; changed: boolean; wasCurrent: boolean } {
  const drop = <T extends Named>(list: T[] | undefined) => list?.filter((entry) => entry.name !== context);
  const config: Kubeconfig = { ...existing, clusters: drop(existing.clusters), users: drop(existing.users), contexts: drop(existing.contexts) };
  const wasCurrent = existing['current-context'] === context;
  if (wasCurrent) config['current-context'] = '';
  const count = (c: Kubeconfig) => (c.clusters?.length ?? 0) + (c.users?.length ?? 0) + (c.contexts?.length ?? 0);
  return { config, changed: wasCurrent || count(config) !== count(existing), wasCurrent };
}

function read(file: string): Kubeconfig {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid YAML (${(error as Error).message.split('\n')[0]}); left as it is`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file} is not a kubeconfig (not a mapping); left as it is`);
  return parsed as Kubeconfig;
}

/** Writes beside the real file (a symlinked kubeconfig stays a link) and renames over it; keeps its mode, else 0600. */
function write(file: string, config: Kubeconfig): void {
  const target = existsSync(file) ? realpathSync(file) : file;
  const mode = existsSync(target) ? statSync(target).mode & 0o777 : 0o600;
  const temporary = `${target}.labs-${process.pid}.tmp`;
  writeFileSync(temporary, stringifyYaml(config, { lineWidth: 0 }), { mode });
  renameSync(temporary, target);
}

/** kubectl's and kind's lock: `<file>.lock`, created exclusively; waits up to 2 s for another writer. */
function locked<T>(file: string, action: () => T): T {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const lock = `${file}.lock`;
  const deadline = Date.now() + 2_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`${lock} exists (another kubectl or kind writing it? remove it if not)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { force: true });
  }
}

export type MergeResult = Merged & { file: string; currentWasSet: boolean };

/** Merges the platform cluster `name`'s context into the user's kubeconfig. */
export function mergeIntoUserKubeconfig(name: string, env: NodeJS.ProcessEnv = process.env): MergeResult {
  const cluster = read(clusterKubeconfig(name));
  const file = pathForMerge(userKubeconfigPaths(env));
  return locked(file, () => {
    const existing = read(file);
    const merged = mergeEntries(existing, cluster);
    write(file, merged.config);
    return { ...merged, file, currentWasSet: !existing['current-context'] };
  });
}

/** Removes kind-<name>'s entries from every file of the user's kubeconfig that has them; says where. */
export function removeFromUserKubeconfig(name: string, env: NodeJS.ProcessEnv = process.env): { file: string; wasCurrent: boolean }[] {
  const removed: { file: string; wasCurrent: boolean }[] = [];
  for (const file of userKubeconfigPaths(env).filter((f) => existsSync(f))) {
    locked(file, () => {
      const result = removeEntries(read(file), `kind-${name}`);
      if (!result.changed) return;
      write(file, result.config);
      removed.push({ file, wasCurrent: result.wasCurrent });
    });
  }
  return removed;
}
