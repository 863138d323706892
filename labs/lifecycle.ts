// Doing and undoing a lab: `labs solve` runs the reference solution the way a learner would (a
// shell with kubectl/helm on PATH and KUBECONFIG set); `labs reset` deletes what a lab created
// so it can be done again. Unlike the grader, these write to the cluster.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { ClusterError, firstLine, LabDefinitionError } from '../grader/errors.ts';
import { clientNodeConfig } from '../grader/credentials.ts';
import { chooseCluster, currentContext, loadKubeConfig, type ClusterChoice, type ClusterOptions } from '../grader/cluster-choice.ts';
import { toolchainBinDir } from '../src/base/paths.ts';
import { argocdNamespace, gitCredentialSecret } from '../src/environments/addons/argocd-names.ts';
import { apiVersionOf, type KindName } from '../grader/kinds.ts';
import { verifyLab } from '../grader/verify.ts';
import { findLab, labFiles, type Lab } from '../grader/catalog.ts';

export type LifecycleOptions = ClusterOptions & {
  /** One line of progress or script output. */
  onOutput?: (line: string) => void;
};

/** The namespaces a lab's objects live in (reset deletes them). */
export const labNamespaces = (lab: Lab): string[] => lab.setup?.namespaces ?? [lab.namespace];

/** A kubeconfig file whose current context is the chosen one, for tools we start. */
async function kubeconfigFor(choice: ClusterChoice): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const config = await clientNodeConfig(choice.kubeconfig, choice.context); // also says what is wrong with it
  if (!choice.context || choice.context === currentContext(choice.kubeconfig)) return { path: choice.kubeconfig, cleanup: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'labs-kubeconfig-'));
  const path = join(dir, 'config');
  await writeFile(path, config.exportConfig(), { mode: 0o600 });
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The environment that carries the chosen cluster to every tool and script a command starts:
 * KUBECONFIG (its current context the chosen one) for kubectl, helm, argocd and a nested `labs`,
 * and LABS_CLUSTER naming the platform's cluster when it is one (unset otherwise, so nothing falls
 * back to the default cluster "labs" behind the choice's back).
 */
export function clusterEnv(choice: ClusterChoice, kubeconfig: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, KUBECONFIG: kubeconfig };
  if (choice.clusterName) env.LABS_CLUSTER = choice.clusterName;
  else delete env.LABS_CLUSTER;
  return env;
}

export type SolveOptions = LifecycleOptions & { workdir?: string };

/** Run the lab's solve.sh against the cluster; resolves with its exit code. */
export async function solveLab(ref: string, options: SolveOptions = {}): Promise<number> {
  const lab = await findLab(ref);
  const script = labFiles(lab).solve;
  if (!existsSync(script)) throw new LabDefinitionError(`${lab.id} has no solve.sh (its solution is proved elsewhere)`);
  const choice = chooseCluster(options);
  const kubeconfig = await kubeconfigFor(choice);
  const bin = toolchainBinDir();
  const env = {
    ...clusterEnv(choice, kubeconfig.path),
    PATH: existsSync(bin) ? `${bin}${delimiter}${process.env.PATH ?? ''}` : process.env.PATH,
    ...(options.workdir && { LABS_WORKDIR: options.workdir }),
  };
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const forward = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').replace(/\n$/, '').split('\n')) options.onOutput?.(line);
      };
      child.stdout.on('data', forward);
      child.stderr.on('data', forward);
      child.on('error', (error) => reject(new ClusterError(`cannot run ${script}: ${error.message}`)));
      child.on('close', (code) => resolve(code ?? 1));
    });
  } finally {
    await kubeconfig.cleanup();
  }
}

const status = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;

export type ResetOptions = LifecycleOptions & {
  timeoutSeconds?: number;
  /** The lab's objects found in other namespaces (after the reset): whether to delete them too. Unset: they are named, not deleted. */
  removeStrays?: (strays: Stray[]) => boolean | Promise<boolean>;
};

/**
 * Delete what the lab created and wait until it is gone (namespaces finish terminating); then name
 * (or, if asked, delete) the lab's objects that landed in another namespace.
 */
export async function resetLab(ref: string, options: ResetOptions = {}): Promise<Lab> {
  const lab = await findLab(ref);
  const { config, choice } = await loadKubeConfig(options);
  const say = options.onOutput ?? (() => undefined);
  const core = config.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(config);
  const deadline = Date.now() + (options.timeoutSeconds ?? 180) * 1000;
  const server = config.getCurrentCluster()?.server;
  const guard = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await action();
    } catch (error) {
      if (status(error) === 404) return undefined;
      if (status(error) === undefined) throw new ClusterError(`cannot reach cluster ${server}: ${firstLine(error)}`);
      throw new ClusterError(`${what} failed on ${server}: ${firstLine(error)}`);
    }
  };

  for (const item of lab.setup?.cleanup ?? []) {
    const spec = { apiVersion: item.apiVersion, kind: item.kind, metadata: { name: item.name, namespace: item.namespace } };
    const deleted = await guard(`deleting ${item.kind} ${item.name}`, () => objects.delete(spec));
    if (deleted) say(`deleted ${item.kind} ${item.namespace ? `${item.namespace}/` : ''}${item.name}`);
  }
  for (const namespace of labNamespaces(lab)) {
    const existing = await guard(`reading namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
    if (!existing) {
      say(`namespace ${namespace}: not present`);
      continue;
    }
    // Pods first with no grace period: a reset need not wait for shells that ignore SIGTERM.
    await guard(`deleting pods in ${namespace}`, () => core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }));
    await guard(`deleting namespace ${namespace}`, () => core.deleteNamespace({ name: namespace }));
    say(`namespace ${namespace}: deleting…`);
    await waitUntilGone(config, namespace, deadline, () => guard('', () => core.readNamespace({ name: namespace })));
    say(`namespace ${namespace}: deleted`);
  }
  if (lab.setup?.repositories?.length) {
    const learner = (await gitLearnerOfCluster(core, guard)) ?? choice.clusterName;
    await resetRepositories(lab.setup.repositories, learner, choice, say);
  }
  const strays = await straysOf(lab, options).catch((error: unknown) => {
    say(`could not look for this lab's objects in other namespaces: ${firstLine(error)}`);
    return [];
  });
  const remove = strays.length > 0 && (await options.removeStrays?.(strays)) === true;
  for (const stray of strays) {
    if (remove && stray.kind !== 'HelmRelease') {
      const spec = { apiVersion: apiVersionOf(stray.kind), kind: stray.kind, metadata: { name: stray.name, namespace: stray.namespace } };
      // No grace period and dependents in the foreground, as the lab's own namespace goes.
      await guard(`deleting ${stray.kind} ${stray.namespace}/${stray.name}`, () => objects.delete(spec, undefined, undefined, 0, undefined, 'Foreground'));
      // A foreground delete keeps the object (its finalizer) until its dependents are gone: say
      // "deleted" once it is, as `kubectl delete` does, so the next command no longer finds it.
      const gone = await pollUntilGone(() => guard(`reading ${stray.kind} ${stray.namespace}/${stray.name}`, () => objects.read(spec)), deadline);
      say(gone
        ? `deleted ${stray.kind} ${stray.namespace}/${stray.name} (this lab's, in the wrong namespace)`
        : `deleting ${stray.kind} ${stray.namespace}/${stray.name} (this lab's, in the wrong namespace): still there at the timeout`);
    } else {
      say(`left in place: ${stray.kind} ${stray.namespace}/${stray.name}, this lab's in the wrong namespace — remove it with \`${stray.removeWith}\`${stray.kind === 'HelmRelease' ? '' : ' (or labs reset --remove-strays)'}`);
    }
  }
  return lab;
}

/** An object of the lab that landed outside the lab's namespaces (a near miss the grader names). */
export type Stray = { kind: KindName | 'HelmRelease'; name: string; namespace: string; removeWith: string };

/** What the lab's tasks, graded now (read-only), find in another namespace under the names they look for. */
async function straysOf(lab: Lab, options: ClusterOptions): Promise<Stray[]> {
  const result = await verifyLab(lab.id, { ...options, diagnostics: false });
  const strays = new Map<string, Stray>();
  for (const miss of result.checks.flatMap((check) => (check.nearMiss?.differs === 'namespace' ? [check.nearMiss] : []))) {
    if (labNamespaces(lab).includes(miss.namespace)) continue;
    for (const name of miss.names) {
      const removeWith = miss.kind === 'HelmRelease'
        ? `helm -n ${miss.namespace} uninstall ${name}`
        : `kubectl -n ${miss.namespace} delete ${miss.kind.toLowerCase()} ${name}`;
      strays.set(`${miss.kind}/${miss.namespace}/${name}`, { kind: miss.kind, name, namespace: miss.namespace, removeWith });
    }
  }
  return [...strays.values()];
}

/** Whose repository the cluster's Argo CD reads: the user of its in-class git credentials (`labs addon argocd --learner`). */
async function gitLearnerOfCluster(core: CoreV1Api, guard: <T>(what: string, action: () => Promise<T>) => Promise<T | undefined>): Promise<string | undefined> {
  const secret = await guard(`reading secret ${argocdNamespace}/${gitCredentialSecret}`, () =>
    core.readNamespacedSecret({ name: gitCredentialSecret, namespace: argocdNamespace }));
  const user = secret?.data?.username;
  return user ? Buffer.from(user, 'base64').toString('utf8') : undefined;
}

/** The learner's repositories, seeded afresh from the starter: what the lab did to them is gone, as in the cluster. */
async function resetRepositories(repositories: string[], learner: string | undefined, choice: ClusterChoice, say: (line: string) => void): Promise<void> {
  if (!learner) {
    say(`git repositories ${repositories.join(', ')}: not reset (${choice.kubeconfig} is not a cluster of the platform and its Argo CD names no learner; pass --cluster <name>)`);
    return;
  }
  const { openGitStore, starters } = await import('../src/gitserver/store.ts');
  const store = openGitStore();
  for (const repository of repositories) {
    const reset = await store.resetRepo(learner, repository, starters.learner);
    say(`git repository ${learner}/${repository}: ${reset ? 'back to the starter content' : 'not created yet'}`);
  }
}

/** Reads until the object is gone (`read` resolves undefined on 404), up to the deadline; true when it went. */
async function pollUntilGone(read: () => Promise<unknown>, deadline: number): Promise<boolean> {
  for (;;) {
    if ((await read()) === undefined) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Watch the namespace until a DELETED event (or a read finds it gone), up to the deadline. */
async function waitUntilGone(config: KubeConfig, namespace: string, deadline: number, read: () => Promise<unknown>): Promise<void> {
  const watch = new Watch(config);
  while (Date.now() < deadline) {
    let stop: AbortController | undefined;
    const gone = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.min(deadline - Date.now(), 20_000));
      const finish = (value: boolean) => {
        clearTimeout(timer);
        resolve(value);
      };
      watch
        .watch(
          '/api/v1/namespaces',
          { fieldSelector: `metadata.name=${namespace}` },
          (type) => type === 'DELETED' && finish(true),
          () => finish(false),
        )
        .then(async (controller) => {
          stop = controller;
          if (!(await read())) finish(true); // already gone before the watch started
        }, () => finish(false));
    });
    stop?.abort();
    if (gone || !(await read())) return;
  }
  throw new ClusterError(`namespace ${namespace} is still terminating after the reset timeout`);
}
