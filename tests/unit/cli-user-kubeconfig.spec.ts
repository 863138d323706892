// `labs cluster create` merges its context into the user's kubeconfig as kind does, keeping the
// user's current context; `labs cluster delete` removes it. HOME and LABS_HOME point at a temp
// tree; no cluster and no Docker (the CLI case runs with a `docker` stub that fails).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  mergeEntries, mergeIntoUserKubeconfig, pathForMerge, removeEntries, removeFromUserKubeconfig, userKubeconfigPaths, type Kubeconfig,
} from '../../src/cli/user-kubeconfig.ts';

const root = new URL('../../', import.meta.url).pathname;

const kind = (name: string, server = 'https://127.0.0.1:6443'): Kubeconfig => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: `kind-${name}`, cluster: { server, 'certificate-authority-data': 'Q0E='.repeat(200) } }],
  contexts: [{ name: `kind-${name}`, context: { cluster: `kind-${name}`, user: `kind-${name}` } }],
  'current-context': `kind-${name}`,
  users: [{ name: `kind-${name}`, user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
});

const userConfig = (): Kubeconfig => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'prod', cluster: { server: 'https://prod.example:443' } }],
  contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }],
  'current-context': 'prod',
  users: [{ name: 'me', user: { token: 'secret' } }],
  preferences: {},
});

const names = (config: Kubeconfig) => ({
  clusters: config.clusters?.map((c) => c.name),
  users: config.users?.map((u) => u.name),
  contexts: config.contexts?.map((c) => c.name),
  current: config['current-context'],
});

describe('merging a cluster into a kubeconfig (pure)', () => {
  it('into an empty kubeconfig: the entries, and its current context (there was none)', () => {
    const merged = mergeEntries({}, kind('bars-g'));
    expect(names(merged.config)).toEqual({ clusters: ['kind-bars-g'], users: ['kind-bars-g'], contexts: ['kind-bars-g'], current: 'kind-bars-g' });
    expect(merged.config.apiVersion).toBe('v1');
    expect(merged.config.kind).toBe('Config');
  });

  it("keeps the user's current context and every other entry; never overwrites it silently", () => {
    const merged = mergeEntries(userConfig(), kind('bars-g'));
    expect(names(merged.config)).toEqual({ clusters: ['prod', 'kind-bars-g'], users: ['me', 'kind-bars-g'], contexts: ['prod', 'kind-bars-g'], current: 'prod' });
    expect(merged.current).toBe('prod');
    expect(merged.config.preferences).toEqual({});
  });

  it('replaces the entries of the same names (a recreated cluster has a new port and certificates)', () => {
    const first = mergeEntries(userConfig(), kind('bars-g', 'https://127.0.0.1:1111')).config;
    const second = mergeEntries(first, kind('bars-g', 'https://127.0.0.1:2222')).config;
    expect(names(second).clusters).toEqual(['prod', 'kind-bars-g']);
    expect(second.clusters?.find((c) => c.name === 'kind-bars-g')?.cluster).toMatchObject({ server: 'https://127.0.0.1:2222' });
  });

  it('refuses a cluster kubeconfig that does not name its context, cluster and user', () => {
    expect(() => mergeEntries({}, { ...kind('x'), users: [] })).toThrow('does not name its context, cluster and user');
  });

  it("removes exactly kind-<name>'s entries; an emptied current context when it was that one", () => {
    const both = mergeEntries(mergeEntries({}, kind('labs')).config, kind('bars-g')).config; // current: kind-labs
    const removed = removeEntries(both, 'kind-labs');
    expect(removed).toMatchObject({ changed: true, wasCurrent: true });
    expect(names(removed.config)).toEqual({ clusters: ['kind-bars-g'], users: ['kind-bars-g'], contexts: ['kind-bars-g'], current: '' });
    expect(removeEntries(userConfig(), 'kind-labs')).toMatchObject({ changed: false, wasCurrent: false });
  });
});

describe("the user's kubeconfig file", () => {
  let sandbox: string;
  let env: NodeJS.ProcessEnv;
  const home = () => join(sandbox, 'home');
  const data = () => join(sandbox, 'data');
  const userFile = () => join(home(), '.kube', 'config');
  const read = (file: string) => parse(readFileSync(file, 'utf8')) as Kubeconfig;

  beforeEach(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'labs-user-kubeconfig-'));
    for (const [name, port] of [['labs', 6443], ['bars-g', 6444]] as const) {
      mkdirSync(join(data(), 'clusters', name), { recursive: true });
      writeFileSync(join(data(), 'clusters', name, 'kubeconfig'), JSON.stringify(kind(name, `https://127.0.0.1:${port}`)));
    }
    env = { HOME: home(), LABS_HOME: data() };
    process.env.LABS_HOME = data(); // paths.ts reads it for the platform's own files
  });

  const savedHome = process.env.LABS_HOME;
  afterEach(() => {
    if (savedHome === undefined) delete process.env.LABS_HOME;
    else process.env.LABS_HOME = savedHome;
  });

  it('which file: KUBECONFIG like kind (first existing, else the last), else ~/.kube/config; never the platform\'s own', () => {
    expect(userKubeconfigPaths(env)).toEqual([userFile()]);
    const a = join(sandbox, 'a');
    const b = join(sandbox, 'b');
    const platform = join(data(), 'clusters', 'labs', 'kubeconfig');
    expect(pathForMerge(userKubeconfigPaths({ ...env, KUBECONFIG: [a, b].join(delimiter) }))).toBe(b);
    writeFileSync(a, '');
    expect(pathForMerge(userKubeconfigPaths({ ...env, KUBECONFIG: [a, b].join(delimiter) }))).toBe(a);
    // The platform's terminal sets KUBECONFIG to the learner cluster's own file: that one is never merged into.
    expect(userKubeconfigPaths({ ...env, KUBECONFIG: platform })).toEqual([userFile()]);
    expect(userKubeconfigPaths({ ...env, KUBECONFIG: [platform, b].join(delimiter) })).toEqual([b]);
  });

  it('creates ~/.kube/config (0600) with the context as current when there was none; delete removes it', () => {
    const merged = mergeIntoUserKubeconfig('bars-g', env);
    expect(merged).toMatchObject({ file: userFile(), context: 'kind-bars-g', current: 'kind-bars-g', currentWasSet: true });
    expect(statSync(userFile()).mode & 0o777).toBe(0o600);
    expect(names(read(userFile()))).toMatchObject({ contexts: ['kind-bars-g'], current: 'kind-bars-g' });
    expect(read(userFile()).clusters?.[0]?.cluster).toMatchObject({ server: 'https://127.0.0.1:6444', 'certificate-authority-data': 'Q0E='.repeat(200) });
    expect(existsSync(`${userFile()}.lock`)).toBe(false);

    expect(removeFromUserKubeconfig('bars-g', env)).toEqual([{ file: userFile(), wasCurrent: true }]);
    expect(names(read(userFile()))).toEqual({ clusters: [], users: [], contexts: [], current: '' });
    expect(removeFromUserKubeconfig('bars-g', env)).toEqual([]); // nothing left to remove
  });

  it("keeps an existing kubeconfig's current context, entries and mode; follows a symlink", () => {
    mkdirSync(join(home(), '.kube'), { recursive: true });
    const real = join(sandbox, 'dotfiles-kubeconfig');
    writeFileSync(real, JSON.stringify(userConfig()), { mode: 0o640 });
    chmodSync(real, 0o640);
    symlinkSync(real, userFile());
    const merged = mergeIntoUserKubeconfig('bars-g', env);
    expect(merged).toMatchObject({ current: 'prod', currentWasSet: false });
    expect(names(read(real))).toEqual({ clusters: ['prod', 'kind-bars-g'], users: ['me', 'kind-bars-g'], contexts: ['prod', 'kind-bars-g'], current: 'prod' });
    expect(statSync(real).mode & 0o777).toBe(0o640);
    removeFromUserKubeconfig('bars-g', env);
    expect(names(read(real))).toEqual({ clusters: ['prod'], users: ['me'], contexts: ['prod'], current: 'prod' });
  });

  it('leaves a malformed kubeconfig as it is, and says so', () => {
    mkdirSync(join(home(), '.kube'), { recursive: true });
    writeFileSync(userFile(), 'clusters: [unclosed\n');
    expect(() => mergeIntoUserKubeconfig('bars-g', env)).toThrow(`${userFile()} is not valid YAML`);
    expect(readFileSync(userFile(), 'utf8')).toBe('clusters: [unclosed\n');
    expect(existsSync(`${userFile()}.lock`)).toBe(false);
  });

  it('waits for, then names, a lock another kubectl or kind holds', () => {
    mkdirSync(join(home(), '.kube'), { recursive: true });
    writeFileSync(`${userFile()}.lock`, '');
    expect(() => mergeIntoUserKubeconfig('bars-g', env)).toThrow(`${userFile()}.lock exists`);
    expect(existsSync(userFile())).toBe(false);
  });

  it('labs cluster delete removes the context from the user\'s kubeconfig (Docker never reached: a failing stub)', { timeout: 60_000 }, () => {
    mergeIntoUserKubeconfig('labs', env);
    mergeIntoUserKubeconfig('bars-g', env);
    mkdirSync(join(sandbox, 'stub-bin'));
    writeFileSync(join(sandbox, 'stub-bin', 'docker'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(sandbox, 'stub-bin', 'docker'), 0o755);
    const result = spawnSync(join(root, 'bin', 'labs'), ['cluster', 'delete', '--name', 'bars-g'], {
      encoding: 'utf8',
      env: { ...process.env, ...env, KUBECONFIG: undefined, LABS_CLUSTER: undefined, NO_COLOR: '1', PATH: `${join(sandbox, 'stub-bin')}${delimiter}${process.env.PATH}` },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Context kind-bars-g removed from ${userFile()}.`);
    expect(names(read(userFile()))).toEqual({ clusters: ['kind-labs'], users: ['kind-labs'], contexts: ['kind-labs'], current: 'kind-labs' });
  });
});
