// Two clusters: the suite's shared default cluster and a second one this file makes with
// `labs cluster create --name` (as a learner would) and deletes at the end. Every command that
// takes a cluster acts on the one chosen, end to end:
//  - verify, solve and reset by `--context kind-<second>` (which the default kubeconfig lacks) and by
//    `--cluster <second>`: lab 04 fails, passes, fails again on the second cluster;
//  - lab 08 on the second cluster: `labs addon argocd --cluster`, then `labs solve 8`, whose
//    solve.sh checks Argo CD and pushes to the second cluster's git repository; nothing of it on
//    the default cluster (its Argo CD, if any, reads no repository of the second cluster's learner);
//    `labs reset 8` puts that repository back to its starter commit;
//  - the error for an unknown name lists the clusters `labs cluster list` knows;
//  - create merges kind-<second> into the user's kubeconfig (HOME is a temp dir here), keeping its
//    current context, so plain kubectl reaches it; delete removes it.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cacheDir, clusterKubeconfig, dataDir, toolchainBinDir } from '../../src/base/paths.ts';
import { kubectlPath } from '../../src/environments/toolchain.ts';
import { openGitStore } from '../../src/gitserver/store.ts';
import { testKubeconfig } from './helpers/cluster.ts';

const exec = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'labs');
const second = 'cli-second'; // cli-…: this suite's own clusters, apart from other work's on a shared machine
const home = mkdtempSync(join(tmpdir(), 'labs-two-clusters-home-'));
const userKubeconfig = join(home, '.kube', 'config');

/** The CLI as a learner runs it: no KUBECONFIG, the platform's data and cache, HOME a temp dir (its ~/.kube/config). */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  HOME: home,
  LABS_HOME: dataDir(),
  LABS_CACHE: cacheDir(),
  KUBECONFIG: undefined,
  LABS_CLUSTER: undefined,
  PATH: [toolchainBinDir(), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
  GIT_TERMINAL_PROMPT: '0',
  NO_COLOR: '1',
};

async function labs(args: string[], timeoutMs = 600_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(bin, args, { env, timeout: timeoutMs, maxBuffer: 32 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw new Error(`labs ${args.join(' ')}: ${e.message}`);
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function expectCode(args: string[], code: number, timeoutMs?: number): Promise<string> {
  const result = await labs(args, timeoutMs);
  expect(result.code, `labs ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(code);
  return result.stdout;
}

const verifyJson = async (args: string[], code: 0 | 1) =>
  JSON.parse(await expectCode(['verify', ...args, '--json'], code)) as { passed: boolean; lab: string };

/** kubectl on the default cluster through its own kubeconfig (never the user's). */
const onDefault = async (...args: string[]) =>
  (await exec(kubectlPath(), ['--kubeconfig', testKubeconfig(), ...args], { env: { ...env, KUBECONFIG: undefined }, timeout: 120_000 })).stdout;

/**
 * What lab 08's commands would leave on a cluster they acted on, read on the default cluster: Argo
 * CD's record of whose git repository it reads (the credentials' user and the Application's repoURL
 * name the learner, for the second cluster "${second}"). Attributed rather than compared whole:
 * other work may use the shared default cluster meanwhile (another run's labs or GitOps tests).
 * Where lab 04's commands went shows on the second cluster itself: it fails, passes, fails again.
 */
const defaultState = async () => {
  const read = (...args: string[]) => onDefault(...args).then((out) => out.trim() || undefined, () => undefined);
  const creds = await read('-n', 'argocd', 'get', 'secret', 'labs-git-creds', '-o', 'jsonpath={.data.username}');
  return {
    gitUser: creds && Buffer.from(creds, 'base64').toString('utf8'),
    appRepo: await read('-n', 'argocd', 'get', 'application', 'custom-nginx', '-o', 'jsonpath={.spec.source.repoURL}'),
  };
};

/** Nothing of the second cluster's lab 08 on the default cluster. */
const expectNoSecondGitops = (state: Awaited<ReturnType<typeof defaultState>>) => {
  expect(state.gitUser).not.toBe(second);
  expect(state.appRepo ?? '').not.toContain(`/${second}/`);
};

describe('two clusters: every command acts on the one chosen', () => {
  beforeAll(async () => {
    expectNoSecondGitops(await defaultState()); // so what the test finds afterwards is from this run
    // The user's own kubeconfig, with a context of theirs as the current one.
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(
      userKubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: work, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'contexts: [{name: work, context: {cluster: work, user: me}}]\ncurrent-context: work\nusers: [{name: me, user: {token: t}}]\n',
      { mode: 0o600 },
    );
    if (existsSync(clusterKubeconfig(second))) await labs(['cluster', 'delete', '--name', second]);
    // The learner's repository outlives clusters (it is their work): a previous run's pushed change
    // would make Argo CD's first sync the changed revision already. Start from the starter chart.
    rmSync(openGitStore().repoPath(second, 'gitops'), { recursive: true, force: true });
    const created = await expectCode(['cluster', 'create', '--name', second, '--offline'], 0, 900_000);
    expect(created).toContain(`export KUBECONFIG=${clusterKubeconfig(second)}`);
    expect(created).toContain(`Context kind-${second} is in ${userKubeconfig} too`);
  });

  afterAll(async () => {
    if (existsSync(clusterKubeconfig(second))) await labs(['cluster', 'delete', '--name', second]);
    rmSync(home, { recursive: true, force: true });
  });

  it("create merged kind-<second> into the user's kubeconfig, kept its current context; plain kubectl reaches it", async () => {
    const config = parse(readFileSync(userKubeconfig, 'utf8')) as { 'current-context': string; contexts: { name: string }[] };
    expect(config['current-context']).toBe('work');
    expect(config.contexts.map((c) => c.name)).toEqual(['work', `kind-${second}`]);
    const { stdout } = await exec(kubectlPath(), ['--context', `kind-${second}`, 'get', 'nodes', '--no-headers'], { env, timeout: 60_000 });
    expect(stdout).toMatch(new RegExp(`^${second}-control-plane\\s+Ready\\s`));
  });

  it('verify, solve and reset by --context kind-<second> and by --cluster <second>', async () => {
    await expectCode(['reset', '4', '--cluster', second], 0);
    expect((await verifyJson(['4', '--context', `kind-${second}`], 1)).passed).toBe(false);
    await expectCode(['solve', '4', '--context', `kind-${second}`], 0);
    expect((await verifyJson(['4', '--cluster', second, '--wait', '90'], 0)).passed).toBe(true);
    // The same context through the user's kubeconfig (where create merged it) and through the default one (which lacks it).
    expect((await verifyJson(['4', '--kubeconfig', userKubeconfig, '--context', `kind-${second}`], 0)).passed).toBe(true);
    expect((await verifyJson(['4', '--kubeconfig', testKubeconfig(), '--context', `kind-${second}`], 0)).passed).toBe(true);
    await expectCode(['reset', '4', '--context', `kind-${second}`], 0);
    expect((await verifyJson(['4', '--cluster', second], 1)).passed).toBe(false);
  });

  it('lab 08 on the second cluster: Argo CD, the git repository and the sync all there; the default cluster untouched', async () => {
    const addon = await expectCode(['addon', 'argocd', '--cluster', second], 0, 1_800_000);
    expect(addon).toContain(`ready in cluster "${second}"`);
    await expectCode(['solve', '8', '--cluster', second], 0, 900_000);
    // Up to one Argo CD poll (3 min) more, for a push its refresh missed (a git server restarted by other work).
    expect((await verifyJson(['8', '--context', `kind-${second}`, '--wait', '240'], 0)).passed).toBe(true);
    // The solution pushed to the second cluster's learner repository.
    const repo = openGitStore().repoPath(second, 'gitops');
    const log = spawnSync('git', ['--git-dir', repo, 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log.stdout).toContain('Values Modified');
    // Nothing of it went to the default cluster: its Argo CD (if any) reads no repository of the second cluster's learner.
    expectNoSecondGitops(await defaultState());
    // Reset undoes the lab in git too (else a second attempt's first sync is the changed revision already).
    expect(await expectCode(['reset', '8', '--context', `kind-${second}`], 0)).toContain(`git repository ${second}/gitops: back to the starter content`);
    const after = spawnSync('git', ['--git-dir', repo, 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(after.stdout.trim().split('\n')).toEqual([`Starter content for ${second}`]);
    expect((await verifyJson(['8', '--cluster', second], 1)).passed).toBe(false);
  });

  it('an unknown name: one line listing the clusters `labs cluster list` knows', async () => {
    const result = await labs(['verify', '1', '--json', '--cluster', 'no-such-cluster']);
    expect(result.code).toBe(2);
    const listed = (JSON.parse(await expectCode(['cluster', 'list', '--json'], 0)) as { name: string }[]).map((s) => s.name);
    expect(listed).toContain(second);
    const message = (JSON.parse(result.stdout) as { error: { kind: string; message: string } }).error;
    expect(message.kind).toBe('usage');
    const named = /\(clusters: ([^;]+);/.exec(message.message)?.[1]?.split(', ') ?? [];
    expect(named).toContain(second);
    for (const name of named) expect(listed).toContain(name);
    expect(result.stderr.trim()).toBe(`labs verify: ${message.message}`);
    const byContext = await labs(['verify', '1', '--context', 'kind-no-such-cluster']);
    expect(byContext.code).toBe(2);
    expect(byContext.stderr).toContain(`no cluster "no-such-cluster" of the platform (clusters: ${named.join(', ')}; see \`labs cluster list\`)`);
  });

  it("delete removes the cluster and its context from the user's kubeconfig, keeping the rest", async () => {
    const deleted = await expectCode(['cluster', 'delete', '--name', second], 0);
    expect(deleted).toContain(`Context kind-${second} removed from ${userKubeconfig}.`);
    const config = parse(readFileSync(userKubeconfig, 'utf8')) as { 'current-context': string; contexts: { name: string }[] };
    expect(config.contexts.map((c) => c.name)).toEqual(['work']);
    expect(config['current-context']).toBe('work');
    expect(existsSync(clusterKubeconfig(second))).toBe(false);
    expectNoSecondGitops(await defaultState());
  });
});
