// Which cluster a command acts on (grader/kube.ts chooseCluster), with two clusters "the platform
// made" — kind-style kubeconfigs under LABS_HOME/clusters/<name>/ whose servers are closed loopback
// ports — so every path is followed to the server it would reach, without a cluster: `--context
// kind-<name>` that the chosen kubeconfig lacks, `--cluster <name>`, the error for an unknown name,
// and the environment solve.sh and the tools it starts receive.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseCluster, ClusterChoiceError, platformClusters } from '../../grader/cluster-choice.ts';
import { connect } from '../../grader/kube.ts';
import { ClusterError } from '../../grader/errors.ts';
import { InvalidClusterNameError } from '../../src/base/paths.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'labs');

/** A kind-style kubeconfig: one context kind-<name>, its cluster and user, current-context set. */
const kindKubeconfig = (name: string, port: number, current = `kind-${name}`) => `apiVersion: v1
kind: Config
clusters:
- name: kind-${name}
  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}
contexts:
- name: kind-${name}
  context: {cluster: kind-${name}, user: kind-${name}}
current-context: ${current}
users:
- name: kind-${name}
  user: {token: t-${name}}
`;

const ports = { labs: 59991, 'bars-g': 59992, foreign: 59993 };

let sandbox: string;
let data: string;
let home: string;
const saved = { ...process.env };

const platformKubeconfig = (name: string) => join(data, 'clusters', name, 'kubeconfig');

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'labs-choice-'));
  home = join(sandbox, 'home');
  data = join(sandbox, 'data');
  for (const name of ['labs', 'bars-g'] as const) {
    mkdirSync(join(data, 'clusters', name), { recursive: true });
    writeFileSync(platformKubeconfig(name), kindKubeconfig(name, ports[name]));
  }
  mkdirSync(join(data, 'clusters', 'half-made'), { recursive: true }); // no kubeconfig: not a cluster yet
  writeFileSync(join(sandbox, 'foreign'), kindKubeconfig('foreign', ports.foreign).replaceAll('kind-foreign', 'prod'));
  Object.assign(process.env, { HOME: home, LABS_HOME: data });
  delete process.env.KUBECONFIG;
  delete process.env.LABS_CLUSTER;
});

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('chooseCluster: one resolution for every command', () => {
  it('knows the clusters the platform made (those with a kubeconfig)', () => {
    expect(platformClusters()).toEqual(['bars-g', 'labs']);
  });

  it('--context kind-<name> the chosen kubeconfig lacks is the platform cluster <name> (the reported case)', () => {
    const bars = { kubeconfig: platformKubeconfig('bars-g'), context: 'kind-bars-g', clusterName: 'bars-g' };
    // Default kubeconfig (the learner cluster "labs") lacks kind-bars-g.
    expect(chooseCluster({ context: 'kind-bars-g' })).toEqual(bars);
    // So does an explicit one, and KUBECONFIG.
    expect(chooseCluster({ kubeconfig: platformKubeconfig('labs'), context: 'kind-bars-g' })).toEqual(bars);
    process.env.KUBECONFIG = join(sandbox, 'foreign');
    expect(chooseCluster({ context: 'kind-bars-g' })).toEqual(bars);
  });

  it('--cluster <name> says it directly; it excludes --kubeconfig and any other context', () => {
    expect(chooseCluster({ clusterName: 'bars-g' })).toEqual({ kubeconfig: platformKubeconfig('bars-g'), context: 'kind-bars-g', clusterName: 'bars-g' });
    process.env.KUBECONFIG = platformKubeconfig('labs'); // --cluster wins over the environment
    expect(chooseCluster({ clusterName: 'bars-g', context: 'kind-bars-g' }).kubeconfig).toBe(platformKubeconfig('bars-g'));
    expect(() => chooseCluster({ clusterName: 'bars-g', kubeconfig: platformKubeconfig('labs') })).toThrow(ClusterChoiceError);
    expect(() => chooseCluster({ clusterName: 'bars-g', context: 'kind-labs' })).toThrow('--cluster bars-g means context kind-bars-g, not --context kind-labs');
    expect(() => chooseCluster({ clusterName: '../labs' })).toThrow(InvalidClusterNameError);
    expect(() => chooseCluster({ clusterName: '../labs' })).toThrow('invalid cluster name "../labs" (from --cluster)');
  });

  it('an unknown name lists the clusters `labs cluster list` knows', () => {
    expect(() => chooseCluster({ clusterName: 'nope' })).toThrow(ClusterChoiceError);
    expect(() => chooseCluster({ clusterName: 'nope' })).toThrow('no cluster "nope" (clusters: bars-g, labs; see `labs cluster list`)');
    expect(() => chooseCluster({ clusterName: 'half-made' })).toThrow('no cluster "half-made" (clusters: bars-g, labs;');
    let error: unknown;
    try {
      chooseCluster({ context: 'kind-nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as Error).message).toBe(
      `context "kind-nope" not found in ${platformKubeconfig('labs')} (contexts: kind-labs), and no cluster "nope" of the platform (clusters: bars-g, labs; see \`labs cluster list\`)`,
    );
    // A context that is not kind-<name> is only looked for in the kubeconfig.
    expect(() => chooseCluster({ context: 'prod' })).toThrow(`context "prod" not found in ${platformKubeconfig('labs')} (contexts: kind-labs)`);
  });

  it('a context the kubeconfig has is used there, and names the platform cluster when it is one', () => {
    // A user kubeconfig with kind-bars-g merged in (labs cluster create does that), current context prod.
    const user = join(sandbox, 'user-config');
    writeFileSync(user, readFileSync(join(sandbox, 'foreign'), 'utf8').replace(/^contexts:\n/m, 'contexts:\n- name: kind-bars-g\n  context: {cluster: prod, user: prod}\n'));
    expect(chooseCluster({ kubeconfig: user, context: 'kind-bars-g' })).toEqual({ kubeconfig: user, context: 'kind-bars-g', clusterName: 'bars-g' });
    expect(chooseCluster({ kubeconfig: user, context: 'prod' })).toEqual({ kubeconfig: user, context: 'prod', clusterName: undefined });
  });

  it('without flags: KUBECONFIG, else the learner cluster; the platform cluster by path or current context', () => {
    expect(chooseCluster()).toEqual({ kubeconfig: platformKubeconfig('labs'), clusterName: 'labs' });
    process.env.LABS_CLUSTER = 'bars-g';
    expect(chooseCluster()).toEqual({ kubeconfig: platformKubeconfig('bars-g'), clusterName: 'bars-g' });
    process.env.KUBECONFIG = join(sandbox, 'foreign');
    expect(chooseCluster()).toEqual({ kubeconfig: join(sandbox, 'foreign'), clusterName: undefined });
    const copy = join(sandbox, 'copy-of-bars-g');
    writeFileSync(copy, kindKubeconfig('bars-g', ports['bars-g']));
    process.env.KUBECONFIG = copy;
    expect(chooseCluster()).toEqual({ kubeconfig: copy, clusterName: 'bars-g' });
  });

  it('connect() reaches the chosen cluster\'s server', async () => {
    expect((await connect({ context: 'kind-bars-g' })).server).toBe(`https://127.0.0.1:${ports['bars-g']}`);
    expect((await connect({ clusterName: 'bars-g' })).server).toBe(`https://127.0.0.1:${ports['bars-g']}`);
    expect((await connect()).server).toBe(`https://127.0.0.1:${ports.labs}`);
  });
});

describe('every command acts on the chosen cluster', { timeout: 60_000 }, () => {
  const labs = (args: string[], env: Record<string, string | undefined> = {}) => {
    const result = spawnSync(bin, args, {
      encoding: 'utf8',
      env: { ...saved, HOME: home, LABS_HOME: data, KUBECONFIG: undefined, LABS_CLUSTER: undefined, NO_COLOR: '1', ...env },
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
  };
  const unreachable = (name: keyof typeof ports, context = `kind-${name}`) =>
    `cannot reach cluster https://127.0.0.1:${ports[name]} (context ${context})`;

  it('verify and reset: --context kind-<name> and --cluster <name> reach that cluster', () => {
    for (const args of [['--context', 'kind-bars-g'], ['--cluster', 'bars-g'], ['--kubeconfig', platformKubeconfig('labs'), '--context', 'kind-bars-g']]) {
      const verify = labs(['verify', '1', '--json', ...args]);
      expect(verify.code, args.join(' ')).toBe(2);
      expect(verify.stderr, args.join(' ')).toContain(unreachable('bars-g'));
      const reset = labs(['reset', '1', ...args]);
      expect(reset.code, args.join(' ')).toBe(2);
      expect(reset.stderr, args.join(' ')).toContain(`https://127.0.0.1:${ports['bars-g']}`);
    }
    expect(labs(['verify', '1']).stderr).toContain(unreachable('labs'));
  });

  it('the error for an unknown name: one line, kind "usage" for --cluster, listing the clusters', () => {
    const byFlag = labs(['verify', '1', '--json', '--cluster', 'nope']);
    expect(byFlag.code).toBe(2);
    expect(byFlag.stderr).toBe('labs verify: no cluster "nope" (clusters: bars-g, labs; see `labs cluster list`)');
    expect(JSON.parse(byFlag.stdout)).toEqual({ error: { kind: 'usage', message: 'no cluster "nope" (clusters: bars-g, labs; see `labs cluster list`)' } });
    const byContext = labs(['solve', '1', '--context', 'kind-nope']);
    expect(byContext.code).toBe(2);
    expect(byContext.stderr).toMatch(/^labs solve: context "kind-nope" not found in .*, and no cluster "nope" of the platform \(clusters: bars-g, labs; see `labs cluster list`\)$/);
    expect(labs(['addon', 'argocd', '--status', '--cluster', 'nope']).stderr).toBe('labs addon: no cluster "nope" (clusters: bars-g, labs; see `labs cluster list`)');
  });

  it('solve hands the choice to solve.sh: KUBECONFIG on the chosen context, LABS_CLUSTER its name (unset when none)', () => {
    const catalog = join(sandbox, 'catalog');
    mkdirSync(join(catalog, '01-env'), { recursive: true });
    writeFileSync(join(catalog, '01-env', 'lab.yaml'), 'title: Env\nlesson: 01-env\nnamespace: env\ntasks:\n- {id: t, title: T, hint: H, points: 1}\n');
    const script = join(catalog, '01-env', 'solve.sh');
    writeFileSync(script, '#!/usr/bin/env bash\necho "LABS_CLUSTER=${LABS_CLUSTER-unset}"\n# YAML or JSON (a kubeconfig written for another context is JSON)\ntr -d \'"\' < "$KUBECONFIG" | grep -Eo "(current-context|server): *[^ ,}]+" | sort -u\n');
    chmodSync(script, 0o755);
    const solve = (args: string[], env: Record<string, string> = {}) => {
      const result = labs(['solve', '1', ...args], { LABS_CATALOG_DIR: catalog, ...env });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      return result.stdout;
    };
    for (const args of [['--cluster', 'bars-g'], ['--context', 'kind-bars-g']]) {
      const out = solve(args, { LABS_CLUSTER: 'labs' });
      expect(out, args.join(' ')).toContain('LABS_CLUSTER=bars-g');
      expect(out, args.join(' ')).toMatch(/current-context: *kind-bars-g/);
      expect(out, args.join(' ')).toContain(`:${ports['bars-g']}`);
      expect(out, args.join(' ')).not.toContain(`:${ports.labs}`);
    }
    // A user kubeconfig holding both, its current context another one: the tools get a kubeconfig on the chosen one.
    const both = join(sandbox, 'both');
    writeFileSync(both, `${kindKubeconfig('labs', ports.labs)}`.replace(/^contexts:\n/m, `contexts:\n- name: kind-bars-g\n  context: {cluster: kind-labs, user: kind-labs}\n`));
    const out = solve(['--kubeconfig', both, '--context', 'kind-bars-g']);
    expect(out).toContain('LABS_CLUSTER=bars-g');
    expect(out).toMatch(/current-context: *kind-bars-g\n/);
    // Not a cluster of the platform: nothing downstream may fall back to "labs".
    expect(solve(['--kubeconfig', join(sandbox, 'foreign')], { LABS_CLUSTER: 'labs' })).toContain('LABS_CLUSTER=unset');
  });

  it('addon: goes to the chosen cluster, and refuses one the platform did not make', () => {
    const foreign = labs(['addon', 'argocd', '--status', '--json', '--kubeconfig', join(sandbox, 'foreign')]);
    expect(foreign.code).toBe(2);
    expect(JSON.parse(foreign.stdout).error.kind).toBe('usage');
    expect(foreign.stderr).toMatch(/is not a cluster the platform made; add-ons go into those only: pass --cluster <name> \(clusters: bars-g, labs;/);
    expect(labs(['addon', 'argocd', '--status', '--name', 'labs', '--cluster', 'bars-g']).stderr).toMatch(/--name labs and --cluster bars-g name different clusters/);
    // --status asks the cluster (kubectl), which is not there: "not ready", about the chosen one.
    for (const args of [['--cluster', 'bars-g'], ['--context', 'kind-bars-g'], ['--name', 'bars-g']]) {
      const status = labs(['addon', 'argocd', '--status', ...args]);
      expect(status.code, args.join(' ')).toBe(1);
      expect(status.stdout, args.join(' ')).toContain('Argo CD is not installed (or not ready) in cluster "bars-g"');
    }
    // Inside `labs solve` (KUBECONFIG set to the choice), a plain `labs addon` follows it.
    const nested = labs(['addon', 'argocd', '--status'], { KUBECONFIG: platformKubeconfig('bars-g'), LABS_CLUSTER: 'bars-g' });
    expect(nested.stdout).toContain('in cluster "bars-g"');
  });
});
