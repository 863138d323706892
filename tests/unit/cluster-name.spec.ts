// Cluster names never become paths outside the clusters folder. Every verb that takes a name gets
// the same one-line refusal (exit 2) before anything is removed, created or asked of Docker: the
// CLI runs with LABS_HOME in a temp tree full of sentinel files, and with a `docker` stub first on
// PATH that only records being called (these tests never reach a real Docker engine).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clusterDir, clusterKubeconfig, clusterName, clustersDir, defaultClusterName, ownClusterFolder,
} from '../../src/base/paths.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'labs');

const badNames = ['..', '../..', '/etc', 'a/b', 'bad name!', '-x', '', 'a'.repeat(200), 'Labs'];
const rule = /lowercase letters, digits and dashes/;

let sandbox: string;
let data: string;
let sentinels: string[];

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'labs-cluster-name-'));
  const home = join(sandbox, 'home');
  data = join(home, 'data');
  mkdirSync(join(data, 'clusters', 'a'), { recursive: true });
  mkdirSync(join(sandbox, 'stub-bin'));
  sentinels = [join(sandbox, 'sentinel'), join(home, 'sentinel'), join(data, 'sentinel'), join(data, 'clusters', 'sentinel'), join(data, 'clusters', 'a', 'sentinel')];
  for (const file of sentinels) writeFileSync(file, 'must survive\n');
  const docker = join(sandbox, 'stub-bin', 'docker');
  writeFileSync(docker, `#!/bin/sh\necho "$*" >> '${join(sandbox, 'docker.log')}'\nexit 1\n`);
  chmodSync(docker, 0o755);
});

afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

function labs(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    env: {
      ...process.env, HOME: join(sandbox, 'home'), LABS_HOME: data, LABS_CLUSTER: undefined, KUBECONFIG: undefined, NO_COLOR: '1',
      PATH: `${join(sandbox, 'stub-bin')}${delimiter}${process.env.PATH}`, ...env,
    },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectRefused(result: ReturnType<typeof labs>, what: string): string {
  expect(result.code, `${what}: ${result.stdout}${result.stderr}`).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, what).toHaveLength(1);
  expect(result.stderr, what).not.toMatch(/\bat .*\.ts:\d+/);
  for (const file of sentinels) expect(existsSync(file), `${what}: ${file} survives`).toBe(true);
  expect(existsSync(join(sandbox, 'docker.log')), `${what}: Docker was not asked`).toBe(false);
  return lines[0]!;
}

const verbs: string[][] = [
  ['cluster', 'delete'], ['cluster', 'reset'], ['cluster', 'create'], ['cluster', 'status'], ['cluster', 'image'], ['addon', 'argocd'],
];

describe('cluster names', { timeout: 120_000 }, () => {
  for (const verb of verbs) {
    it(`labs ${verb.join(' ')} --name refuses every bad name in one line and removes nothing`, () => {
      for (const bad of badNames) {
        const line = expectRefused(labs([...verb, `--name=${bad}`]), `${verb.join(' ')} --name=${JSON.stringify(bad)}`);
        expect(line).toMatch(new RegExp(`^labs ${verb[0]}: `));
        expect(line).toContain(JSON.stringify(bad));
        if (bad !== '') expect(line).toMatch(rule);
      }
    });
  }

  it('cluster status --name "bad name!" exits 2 with one line naming the value and the rule', () => {
    const line = expectRefused(labs(['cluster', 'status', '--name', 'bad name!']), 'status');
    expect(line).toBe(`labs cluster: invalid cluster name "bad name!": use lowercase letters, digits and dashes, starting with a letter or digit, at most 41 characters`);
  });

  it('validates LABS_CLUSTER the same way, for the cluster verbs and for verify', () => {
    for (const bad of ['../..', 'Labs']) {
      for (const args of [['cluster', 'delete'], ['cluster', 'reset'], ['cluster', 'status'], ['addon', 'argocd'], ['verify', '1']]) {
        const line = expectRefused(labs(args, { LABS_CLUSTER: bad }), `LABS_CLUSTER=${bad} labs ${args.join(' ')}`);
        expect(line).toContain(`invalid cluster name ${JSON.stringify(bad)} (from LABS_CLUSTER)`);
      }
    }
  });

  it('a bad name never becomes a path, and only a cluster folder may be removed', () => {
    process.env.LABS_HOME = data;
    try {
      for (const bad of badNames) {
        expect(() => clusterName(bad), bad).toThrow(rule);
        expect(() => clusterKubeconfig(bad), bad).toThrow(rule);
        expect(() => clusterDir(bad), bad).toThrow(rule);
      }
      expect(clusterKubeconfig('labs-2')).toBe(join(data, 'clusters', 'labs-2', 'kubeconfig'));
      expect(ownClusterFolder(clusterDir('a'))).toBe(join(data, 'clusters', 'a'));
      for (const path of [clustersDir(), data, join(clustersDir(), '..'), join(clustersDir(), 'a', 'b'), '/etc', join(clustersDir(), '../clusters-x')]) {
        expect(() => ownClusterFolder(path), path).toThrow(/refusing to remove/);
      }
    } finally {
      delete process.env.LABS_HOME;
    }
  });

  it('LABS_CLUSTER: empty means unset; a bad one is refused', () => {
    const saved = process.env.LABS_CLUSTER;
    try {
      process.env.LABS_CLUSTER = '';
      expect(defaultClusterName()).toBe('labs');
      process.env.LABS_CLUSTER = 'ana';
      expect(defaultClusterName()).toBe('ana');
      process.env.LABS_CLUSTER = '../..';
      expect(() => defaultClusterName()).toThrow('invalid cluster name "../.." (from LABS_CLUSTER)');
    } finally {
      if (saved === undefined) delete process.env.LABS_CLUSTER;
      else process.env.LABS_CLUSTER = saved;
    }
  });
});
