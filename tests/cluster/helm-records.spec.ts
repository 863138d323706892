// The Helm labs' graders (06, 07) on release records written by Helm 4, the learner's `helm`,
// and by Helm 3 (`helm3` here), which learners may bring from their own machines: each lab's
// solve.sh runs with one or the other as `helm`, and verify passes; a wrong answer fails under
// both. Also the mix a learner switching tools leaves behind: a Helm 3 release upgraded and rolled
// back by Helm 4 (which keeps it client-side), and Helm 4's automatic rollback
// (--rollback-on-failure) in place of a hand-typed `helm rollback`.
// labs.spec.ts proves every lab's four steps with the toolchain's `helm` (Helm 4).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseHistory, verifyLab, type HelmRelease, type LabResult } from '../../grader/index.ts';
import { findLab, labFiles } from '../../grader/catalog.ts';
import { resetLab } from '../../labs/lifecycle.ts';
import { toolchainBinDir } from '../../src/base/paths.ts';
import { ensureComponents } from '../../src/environments/toolchain.ts';
import { testKubeconfig, toolEnv } from './helpers/cluster.ts';

let kubeconfig = '';
beforeAll(async () => {
  kubeconfig = testKubeconfig();
  // Helm 3 is built only for what asks for it (no lesson does): this suite (about a minute cold).
  await ensureComponents(['helm'], (line) => console.error(line));
}, 1_200_000);
afterAll(async () => {
  for (const lab of ['06', '07']) await resetLab(lab, { kubeconfig });
});

const failed = (result: LabResult) => result.checks.filter((c) => !c.passed).map((c) => c.id);

/** A learner's shell whose `helm` is the toolchain binary `binary` (helm: Helm 4, helm3: Helm 3). */
function shellWithHelm(binary: string): NodeJS.ProcessEnv {
  const shim = mkdtempSync(join(tmpdir(), `labs-${binary}-shim-`));
  symlinkSync(join(toolchainBinDir(), binary), join(shim, 'helm'));
  const env = toolEnv(kubeconfig);
  return { ...env, PATH: [shim, env.PATH].join(delimiter), HELM_CONFIG_HOME: join(shim, 'config'), HELM_CACHE_HOME: join(shim, 'cache') };
}

/** Runs a bash script (set -euo pipefail) in that shell, in a fresh workspace; fails with its output. */
function run(env: NodeJS.ProcessEnv, script: string, cwd = mkdtempSync(join(tmpdir(), 'labs-helm-work-'))): string {
  mkdirSync(cwd, { recursive: true });
  const r = spawnSync('bash', ['-c', `set -euo pipefail\n${script}`], { env, cwd, encoding: 'utf8', timeout: 480_000 });
  if (r.status !== 0) throw new Error(`script failed (${r.status}):\n${script}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  return r.stdout;
}

async function solveWith(env: NodeJS.ProcessEnv, lab: string): Promise<string> {
  return run({ ...env, LABS_WORKDIR: mkdtempSync(join(tmpdir(), `labs-${lab}-`)) }, `bash ${labFiles(await findLab(lab)).solve}`);
}

/** From a reset lab, `prepare` (if any) and then solve.sh in `env`; verify must pass. */
async function expectSolved(lab: string, env: NodeJS.ProcessEnv, prepare?: () => void): Promise<void> {
  await resetLab(lab, { kubeconfig });
  prepare?.();
  await solveWith(env, lab);
  const result = await verifyLab(lab, { kubeconfig, waitSeconds: 120 });
  expect(failed(result), JSON.stringify(result, null, 2)).toEqual([]);
}

/** The release's records as the API returns them, decoded like the grader does. */
function records(env: NodeJS.ProcessEnv, namespace: string, release: string): HelmRelease[] {
  const list = JSON.parse(run(env, `kubectl get secrets -n ${namespace} -l owner=helm,name=${release} -o json`)) as { items: never[] };
  return releaseHistory(list.items, release);
}

const helms = [
  { name: 'Helm 4', binary: 'helm', major: 'v4.', applyMethod: 'ssa' },
  { name: 'Helm 3', binary: 'helm3', major: 'v3.', applyMethod: undefined },
] as const;

for (const helm of helms) {
  describe(`the Helm graders on ${helm.name}'s release records`, () => {
    const env = () => shellWithHelm(helm.binary);

    it(`${helm.binary} is ${helm.name}`, () => {
      expect(run(env(), 'helm version --short')).toMatch(new RegExp(`^${helm.major.replace('.', '\\.')}`));
    });

    it('lab 06 passes after solve.sh', async () => {
      await expectSolved('06', env());
      const history = records(env(), 'helm-create', 'myapp');
      expect(history.map((r) => r.applyMethod)).toEqual(history.map(() => helm.applyMethod));
    });

    it('lab 06 fails on a wrong answer: the chart installed as release mychart', async () => {
      await resetLab('06', { kubeconfig });
      run(env(), 'helm create mychart\nhelm install mychart ./mychart --namespace helm-create --create-namespace --set image.tag=1.24');
      const result = await verifyLab('06', { kubeconfig });
      expect(failed(result)).toEqual(expect.arrayContaining(['chart-created', 'release-deployed', 'deployment-available']));
    });

    it('lab 07 passes after solve.sh (upgrade -f values.yaml, a failed upgrade, helm rollback)', async () => {
      await expectSolved('07', env());
      const history = records(env(), 'helm-upgrade', 'mynginx');
      expect(history.map((r) => [r.revision, r.status, r.description.replace(/:.*/s, '')])).toEqual([
        [1, 'superseded', 'Install complete'],
        [2, 'superseded', 'Upgrade complete'],
        [3, 'failed', 'Upgrade "mynginx" failed'],
        [4, 'deployed', 'Rollback to 2'],
      ]);
      expect(history.map((r) => r.applyMethod)).toEqual(history.map(() => helm.applyMethod));
    });

    it('lab 07 fails on a wrong answer: upgraded, but the bad upgrade never rolled back', async () => {
      await resetLab('07', { kubeconfig });
      run(env(), `helm create nginx
helm install mynginx ./nginx -n helm-upgrade --create-namespace --set image.tag=1.23.1
printf 'image:\\n  tag: "1.24"\\n' > values.yaml
helm upgrade mynginx ./nginx -n helm-upgrade -f values.yaml --wait --timeout 120s
helm upgrade mynginx ./nginx -n helm-upgrade --set image.tag=latest --wait --timeout 120s`);
      const result = await verifyLab('07', { kubeconfig, waitSeconds: 5 });
      expect(failed(result)).toEqual(expect.arrayContaining(['running-image', 'rolled-back']));
      expect(failed(result)).not.toContain('installed');
    });
  });
}

describe('the Helm graders on mixed and automatic histories', () => {
  it('lab 07: installed by Helm 3, then upgraded and rolled back by Helm 4 (stays client-side)', async () => {
    await expectSolved('07', shellWithHelm('helm'), () =>
      run(shellWithHelm('helm3'), 'helm create nginx\nhelm install mynginx ./nginx -n helm-upgrade --create-namespace --set image.tag=1.23.1'));
    // --server-side=auto follows the release's last method, which Helm 3 left as client-side.
    expect(records(shellWithHelm('helm'), 'helm-upgrade', 'mynginx').map((r) => r.applyMethod)).toEqual([undefined, 'csa', 'csa', 'csa']);
  });

  it('lab 07: the bad upgrade undone by Helm 4 itself (--rollback-on-failure) passes too', async () => {
    await resetLab('07', { kubeconfig });
    const history = run(shellWithHelm('helm'), `helm create nginx
helm install mynginx ./nginx -n helm-upgrade --create-namespace --set image.tag=1.23.1
printf 'image:\\n  tag: "1.24"\\n' > values.yaml
helm upgrade mynginx ./nginx -n helm-upgrade -f values.yaml --wait --timeout 120s
helm upgrade mynginx ./nginx -n helm-upgrade --set image.tag=1.999-no-such-tag --rollback-on-failure --timeout 30s || test $? -eq 1
helm history mynginx -n helm-upgrade`);
    expect(history).toMatch(/Rollback to 2/);
    const result = await verifyLab('07', { kubeconfig, waitSeconds: 120 });
    expect(failed(result), JSON.stringify(result, null, 2)).toEqual([]);
  });
});
