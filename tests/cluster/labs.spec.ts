// Labs 01–07 on a real kind cluster, each through the same four steps:
//   fresh cluster → verify fails, and every failing check carries its hint;
//   solve.sh      → verify passes (waiting for time-dependent checks);
//   a plausible wrong answer → verify fails on the check that catches it;
//   labs reset    → verify fails again.
// Lab 08 (Argo CD) is proved in gitops.spec.ts. Labs share the cluster: each has its own
// namespace(s) and is reset before and after.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect, KubeReader, listLabs, runChecks, loadChecks, verifyLab, type LabResult } from '../../grader/index.ts';
import { findLab, labFiles } from '../../labs/catalog.ts';
import { resetLab, solveLab } from '../../labs/lifecycle.ts';
import { sh, testKubeconfig, toolEnv } from './helpers/cluster.ts';

let kubeconfig = '';
beforeAll(() => {
  kubeconfig = testKubeconfig();
});

/** A scratch copy of the lab's files/, as a learner's workspace. */
async function workspace(lab: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `labs-wrong-${lab}-`));
  cpSync(labFiles(await findLab(lab)).workspace, dir, { recursive: true });
  return dir;
}

const failed = (result: LabResult) => result.checks.filter((c) => !c.passed).map((c) => c.id);

type Case = {
  lab: string;
  /** How long verify may wait after solve.sh for restarts, readiness, rollouts. */
  waitAfterSolve: number;
  wrong: { what: string; script: string; failing: string[]; wait?: number; cleanup?: string };
};

const cases: Case[] = [
  {
    lab: '01',
    waitAfterSolve: 90,
    wrong: {
      what: 'the probe on the wrong port (8081)',
      script: `kubectl create namespace liveness
sed -e 's|    # TODO: add a livenessProbe.*|    livenessProbe:\\n      httpGet:\\n        path: /healthz\\n        port: 8081\\n        httpHeaders:\\n        - {name: Custom-Header, value: Awesome}\\n      initialDelaySeconds: 3\\n      periodSeconds: 3|' liveness-test.yaml > wrong.yaml
kubectl apply -f wrong.yaml`,
      failing: ['probe-configured'],
    },
  },
  {
    lab: '02',
    waitAfterSolve: 90,
    wrong: {
      what: "a Service whose selector misses the pod's labels",
      script: `kubectl create namespace readiness
sed 's|    test: readiness|    test: ready|' readiness-service.yaml > wrong-service.yaml
kubectl apply -f wrong-service.yaml`,
      failing: ['out-of-endpoints'],
    },
  },
  {
    lab: '03',
    waitAfterSolve: 120,
    wrong: {
      what: 'a startup probe too short for the warm-up (2 × 5 s)',
      script: `kubectl create namespace startup
sed 's|^    # TODO: add a startupProbe.*|    startupProbe:\\n      exec:\\n        command: ["cat", "/tmp/started"]\\n      periodSeconds: 5\\n      failureThreshold: 2|' with-startup.yaml > wrong.yaml
kubectl apply -f wrong.yaml`,
      failing: ['startup-probe-configured'],
    },
  },
  {
    lab: '04',
    waitAfterSolve: 90,
    wrong: {
      what: 'the right kustomization applied without its namespace (lands in default)',
      script: `kubectl create namespace test
cat > kustomization.yaml <<'YAML'
namePrefix: lab-
nameSuffix: -v1
images:
  - {name: nginx, newTag: "1.23.1"}
resources: [pod-1.yaml, service.yaml]
YAML
kubectl apply -k .`,
      cleanup: 'kubectl delete -k . --ignore-not-found --wait=true',
      failing: ['resources', 'namespace', 'labels'],
    },
  },
  {
    lab: '05',
    waitAfterSolve: 90,
    wrong: {
      what: 'the dev overlay with the wrong prefix (develop-) and the base applied unprefixed',
      script: `kubectl create namespace overlays
printf 'resources:\\n- ../../base\\nnamePrefix: develop-\\n' > overlays/dev/kustomization.yaml
printf 'resources:\\n- ../../base\\nnamePrefix: prd-\\n' > overlays/prd/kustomization.yaml
kubectl apply -k overlays/dev
kubectl apply -k overlays/prd
kubectl apply -k base`,
      failing: ['dev-overlay', 'nothing-unprefixed'],
    },
  },
  {
    lab: '06',
    waitAfterSolve: 120,
    wrong: {
      what: 'the chart installed under the wrong release name (mychart)',
      script: `helm create mychart
helm install mychart ./mychart --namespace helm-create --create-namespace --set image.tag=1.24`,
      failing: ['chart-created', 'release-deployed', 'deployment-available'],
    },
  },
  {
    lab: '07',
    waitAfterSolve: 120,
    wrong: {
      what: 'the release installed but never upgraded (tag still 1.23.1)',
      script: `helm create nginx
helm install mynginx ./nginx --namespace helm-upgrade --create-namespace --set image.tag=1.23.1 --wait --timeout 120s`,
      failing: ['upgraded', 'running-image', 'rolled-back'],
      wait: 5,
    },
  },
];

describe('labs on a real cluster', () => {
  it('lists the labs this suite proves', async () => {
    const ids = (await listLabs()).map((lab) => lab.id.slice(0, 2));
    expect(ids.filter((id) => id !== '08')).toEqual(cases.map((c) => c.lab));
  });

  for (const testCase of cases) {
    describe(`lab ${testCase.lab}`, () => {
      it('fails on a fresh cluster, with the hint shown', async () => {
        await resetLab(testCase.lab, { kubeconfig });
        const result = await verifyLab(testCase.lab, { kubeconfig });
        expect(result.passed).toBe(false);
        expect(result.score).toBe(0);
        for (const check of result.checks) {
          expect(check.passed, check.id).toBe(false);
          expect(check.hint, check.id).toBeTruthy();
          expect(check.observed, check.id).toBeTruthy();
        }
      });

      it('passes after solve.sh', async () => {
        const output: string[] = [];
        const code = await solveLab(testCase.lab, { kubeconfig, onOutput: (line) => output.push(line) });
        expect(code, output.join('\n')).toBe(0);
        const result = await verifyLab(testCase.lab, { kubeconfig, waitSeconds: testCase.waitAfterSolve });
        expect(failed(result), JSON.stringify(result, null, 2)).toEqual([]);
        expect(result.passed).toBe(true);
        expect(result.score).toBe(result.maxScore);
      });

      it('passes again after solve.sh runs a second time (idempotent)', async () => {
        const code = await solveLab(testCase.lab, { kubeconfig });
        expect(code).toBe(0);
        const result = await verifyLab(testCase.lab, { kubeconfig, waitSeconds: testCase.waitAfterSolve });
        expect(failed(result), JSON.stringify(result, null, 2)).toEqual([]);
      });

      it(`fails on a wrong answer: ${testCase.wrong.what}`, async () => {
        await resetLab(testCase.lab, { kubeconfig });
        const dir = await workspace(testCase.lab);
        await sh(testCase.wrong.script, kubeconfig, dir);
        let result: LabResult;
        try {
          result = await verifyLab(testCase.lab, { kubeconfig, waitSeconds: testCase.wrong.wait ?? 0 });
        } finally {
          if (testCase.wrong.cleanup) await sh(testCase.wrong.cleanup, kubeconfig, dir);
        }
        expect(result.passed).toBe(false);
        for (const id of testCase.wrong.failing) expect(failed(result), JSON.stringify(result, null, 2)).toContain(id);
        for (const check of result.checks.filter((c) => !c.passed)) expect(check.hint).toBeTruthy();
      });

      it('fails again after labs reset', async () => {
        await solveLab(testCase.lab, { kubeconfig });
        const reset = spawnSync(join(import.meta.dirname, '..', '..', 'bin', 'labs'), ['reset', testCase.lab, '--kubeconfig', kubeconfig], {
          env: toolEnv(kubeconfig),
          encoding: 'utf8',
          timeout: 300_000,
        });
        expect(reset.status, reset.stderr).toBe(0);
        const result = await verifyLab(testCase.lab, { kubeconfig });
        expect(result.passed).toBe(false);
        expect(result.score).toBe(0);
      });
    });
  }
});

describe('the labs CLI and the grader against the cluster', () => {
  it('`labs verify 1 --json --wait` prints one LabResult and exits 0 once solved; 1 after a reset', async () => {
    await resetLab('01', { kubeconfig });
    expect(await solveLab('01', { kubeconfig })).toBe(0);
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'labs');
    const solved = spawnSync(bin, ['verify', '1', '--json', '--wait', '90', '--kubeconfig', kubeconfig], { encoding: 'utf8', timeout: 180_000 });
    expect(solved.status, solved.stderr).toBe(0);
    const result = JSON.parse(solved.stdout) as LabResult;
    expect(result).toMatchObject({ lab: '01-liveness', passed: true, score: 5, maxScore: 5 });
    await resetLab('01', { kubeconfig });
    const fresh = spawnSync(bin, ['verify', '01-liveness', '--kubeconfig', kubeconfig], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(fresh.status).toBe(1);
    expect(fresh.stdout).toMatch(/✗ Pod liveness-http has the liveness probe/);
    expect(fresh.stdout).toMatch(/hint +Create namespace liveness/);
  });

  it('gathers diagnostics for a failing check: pod status, events, logs', async () => {
    await resetLab('01', { kubeconfig });
    await sh(cases[0]!.wrong.script, kubeconfig, await workspace('01'));
    // Wrong port: the probe never succeeds, kubelet kills the container; the probe check fails.
    const result = await verifyLab('01', { kubeconfig, waitSeconds: 40 });
    const probe = result.checks.find((c) => c.id === 'probe-configured')!;
    expect(probe.passed).toBe(false);
    expect(probe.observed).toMatch(/port: 8081/);
    const diagnostics = (probe.diagnostics ?? []).join('\n');
    expect(diagnostics).toMatch(/pod\/liveness-http: phase/);
    expect(diagnostics).toMatch(/container liveness .* restarts=/);
    expect(diagnostics).toMatch(/event Warning Unhealthy .*Liveness probe failed/);
    await resetLab('01', { kubeconfig });
  });

  it('reads each kind once per verify, even across checks and diagnostics', async () => {
    await resetLab('04', { kubeconfig });
    expect(await solveLab('04', { kubeconfig })).toBe(0);
    const lab = await findLab('04');
    const paths: string[] = [];
    // A real reader that records its list requests (no mock: it talks to the cluster).
    class CountingReader extends KubeReader {
      override async list(path: string, selector?: string) {
        paths.push(`${path}?${selector ?? ''}`);
        return super.list(path, selector);
      }
    }
    const base = await connect({ kubeconfig });
    const result = await runChecks(lab, await loadChecks(lab), new CountingReader(base.credentials), { waitSeconds: 60 });
    expect(result.passed).toBe(true);
    expect(paths.length).toBe(new Set(paths).size);
    expect(paths.length).toBeLessThanOrEqual(6);
    await resetLab('04', { kubeconfig });
  });
});
