// What keeps `labs` quick to start, checked for being right rather than for being quick (bench/verify.ts
// measures): the kubeconfig subset reader agrees with the yaml library or steps aside; validated lab
// definitions are reused only while lab.yaml is unchanged; Node's compile cache is filled and not
// handed to the processes commands start.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseKubeconfigText, parseSimpleYaml } from '../../grader/credentials.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin', 'labs');

const kindKubeconfig = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJ+/=
    server: https://127.0.0.1:40687
  name: kind-labs
contexts:
- context:
    cluster: kind-labs
    user: kind-labs
  name: kind-labs
current-context: kind-labs
kind: Config
users:
- name: kind-labs
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJU
    client-key-data: LS0tLS1CRUdJTiBSU0Eg
`;

const kubectlKubeconfig = `apiVersion: v1
clusters:
- cluster:
    insecure-skip-tls-verify: true
    server: https://prod.example:6443
    tls-server-name: api.prod.example
  name: prod
contexts:
- context:
    cluster: prod
    namespace: team-a
    user: oidc
  name: prod
current-context: ""
kind: Config
preferences: {}
users:
- name: oidc
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      args:
      - oidc-login
      - get-token
      - '--oidc-issuer-url=https://issuer.example'
      command: kubectl
      env: null
      installHint: 'it''s "quoted"'
      interactiveMode: IfAvailable
      provideClusterInfo: false
- name: empty
  user: {}
- name: token
  user:
    token: "abc\\ndef"
    extensions: []
`;

describe('the kubeconfig subset reader', () => {
  it('reads what kind and kubectl write exactly as the yaml library does', () => {
    for (const text of [kindKubeconfig, kubectlKubeconfig, kindKubeconfig.replaceAll('\n', '\r\n'), '']) {
      expect(parseSimpleYaml(text)).not.toBeUndefined();
      expect(parseSimpleYaml(text)).toEqual(parse(text) ?? null);
    }
  });

  it('steps aside (undefined) for anything outside the subset, and parseKubeconfigText then uses the yaml library', () => {
    const outside = [
      `${kindKubeconfig}# a comment\n`,
      'a: &x 1\nb: *x\n',
      'a: {b: 1}\n',
      'a: [1, 2]\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      '---\na: 1\n',
      'a: !!str 1\n',
      'server: 127.0.0.1\n',
      'flag: yes\n',
      'n: 012\n',
      'n: 1.5\n',
      'a: b\n  c\n',
      'a: 1\na: 2\n',
      'a:\n\tb: 1\n',
      'a: "\\x41"\n',
      'a: b: c\n',
      '"quoted key": 1\n',
      '- - nested\n',
    ];
    for (const text of outside) {
      expect(parseSimpleYaml(text), JSON.stringify(text)).toBeUndefined();
      let expected: unknown;
      try {
        expected = parse(text);
      } catch (error) {
        expect(() => parseKubeconfigText(text)).toThrow((error as Error).message.split('\n')[0]);
        continue;
      }
      expect(parseKubeconfigText(text), JSON.stringify(text)).toEqual(expected);
    }
  });

  it('on whatever the yaml library writes, either agrees with it or steps aside', () => {
    const strings = ['', 'a', 'kind-labs', 'yes', 'no', 'on', 'null', '~', 'true', '1', '01', '1.5', '-x', '- x', 'a: b', 'a:b', '#x', 'a #b',
      ' lead', 'trail ', "it's", 'a"b', 'ü', '[a]', '{a}', 'https://h:1/p?q=1#f', 'LS0t+/=', '0x1F', '.inf', '@x', '`x`', 'a\nb', '*x', '&x', '!x', '%x', '?x', ':x', ','];
    let seed = 14;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const kind = random(depth > 2 ? 4 : 7);
      if (kind === 0) return strings[random(strings.length)];
      if (kind === 1) return random(3) === 0 ? null : random(2) === 0;
      if (kind === 2) return random(100000) - 5;
      if (kind === 3) return strings[random(strings.length)];
      if (kind === 4) return Array.from({ length: random(3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: random(4) }, (_, i) => [`${['name', 'user', 'server', 'args', 'x-y', 'env'][random(6)]}${i}`, value(depth + 1)]));
    };
    let agreed = 0;
    for (let i = 0; i < 400; i++) {
      const text = stringify({ apiVersion: 'v1', kind: 'Config', data: value(0) }, { lineWidth: 0 });
      const simple = parseSimpleYaml(text);
      if (simple === undefined) continue;
      expect(simple, text).toEqual(parse(text));
      agreed++;
    }
    expect(agreed).toBeGreaterThan(100); // the subset is not a trivial one
  });
});

describe('validated lab definitions, reused while lab.yaml is unchanged', { timeout: 60_000 }, () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'labs-startup-'));
  const catalog = join(sandbox, 'catalog');
  const cache = join(sandbox, 'cache');
  const labYaml = join(catalog, '01-one', 'lab.yaml');
  const lab = (title: string, points = 1) => `title: ${title}\nlesson: 01-one\nnamespace: one\ntasks:\n- {id: t, title: T, hint: H, points: ${points}}\n`;
  const labs = (args: string[], env: Record<string, string | undefined> = {}) => {
    const result = spawnSync(bin, args, {
      encoding: 'utf8',
      env: { ...process.env, LABS_CATALOG_DIR: catalog, LABS_CACHE: cache, NODE_COMPILE_CACHE: undefined, NO_COLOR: '1', ...env },
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
  };
  const titles = () => (JSON.parse(labs(['list', '--json']).stdout) as { title: string }[]).map((l) => l.title);
  const cacheFile = () => join(cache, readdirSync(cache).find((f) => /^lab-catalog-[0-9a-f]{8}\.json$/.test(f))!);
  const cached = () => JSON.parse(readFileSync(cacheFile(), 'utf8')) as { entries: Record<string, { definition: { title: string } }> };

  it('keeps a valid definition, sees every edit, never keeps an invalid one', () => {
    mkdirSync(join(catalog, '01-one'), { recursive: true });
    writeFileSync(labYaml, lab('First'));
    expect(titles()).toEqual(['First']);
    expect(cached().entries[labYaml]?.definition.title).toBe('First');
    expect(titles()).toEqual(['First']); // from the cache
    writeFileSync(labYaml, lab('Second')); // same size: the mtime/ctime tell
    expect(titles()).toEqual(['Second']);
    writeFileSync(labYaml, lab('Broken', 0));
    const broken = labs(['list']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/01-one[\\/]lab\.yaml: tasks\[0\]\.points: /);
    expect(cached().entries[labYaml]?.definition.title).toBe('Second'); // the broken one was not kept…
    expect(labs(['list']).code).toBe(2); // …so it is refused every time
    writeFileSync(labYaml, lab('Third'));
    expect(titles()).toEqual(['Third']);
    // A cache that is not JSON is only a missed speed-up.
    writeFileSync(cacheFile(), '{not json');
    expect(titles()).toEqual(['Third']);
  });

  it("fills Node's compile cache under the platform's cache dir, and does not hand it to what commands start", () => {
    mkdirSync(join(catalog, '01-one'), { recursive: true });
    writeFileSync(labYaml, lab('Env'));
    const script = join(catalog, '01-one', 'solve.sh');
    writeFileSync(script, '#!/usr/bin/env bash\necho "NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE-unset}"\n');
    chmodSync(script, 0o755);
    const kubeconfig = join(sandbox, 'kubeconfig');
    writeFileSync(kubeconfig, kindKubeconfig);
    expect(labs(['list']).code).toBe(0);
    expect(existsSync(join(cache, 'node-compile-cache')) && readdirSync(join(cache, 'node-compile-cache')).length).toBeGreaterThan(0);
    const solve = labs(['solve', '1', '--kubeconfig', kubeconfig]);
    expect(solve.code, solve.stderr).toBe(0);
    expect(solve.stdout).toContain('NODE_COMPILE_CACHE=unset');
    // A user's own setting is theirs: kept, and passed on.
    const own = join(sandbox, 'own-cache');
    expect(labs(['solve', '1', '--kubeconfig', kubeconfig], { NODE_COMPILE_CACHE: own }).stdout).toContain(`NODE_COMPILE_CACHE=${own}`);
  });
});
