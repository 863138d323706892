// Labs 01–07 on a real kind cluster, each through the same five steps:
//   fresh cluster → verify fails, and every failing check carries its hint;
//   graded too early → the solution's objects, graded the moment they exist (before the behaviour
//                   the lab is about has happened), do not pass; graded with the lab's wait, they do;
//   solve.sh      → verify passes (waiting for time-dependent checks);
//   a plausible wrong answer → verify fails on the check that catches it;
//   labs reset    → verify fails again.
// Lab 08 (Argo CD) is proved in gitops.spec.ts; its "graded too early" case is at the end of this
// file. Labs share the cluster: each has its own namespace(s) and is reset before and after.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, KubeReader, listLabs, runChecks, loadChecks, verifyLab, type LabResult } from '../../grader/index.ts';
import { findLab, labFiles } from '../../grader/catalog.ts';
import { resetLab, solveLab } from '../../labs/lifecycle.ts';
import { installArgocd, type ArgocdInstallation } from '../../src/environments/addons/argocd.ts';
import { clusterLearnerKubeconfig, defaultClusterName } from '../../src/base/paths.ts';
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

/**
 * What a learner's commands run with: the learner's own kubeconfig (kind/guardrails/), so a lab
 * whose solution needs more than a learner may do fails here. Lab 08's solve.sh starts with
 * `labs addon argocd`, which in a classroom the server runs as the admin (classroom-class.spec.ts
 * runs it in a sandbox); graders and resets are the platform's and use the admin's.
 */
const learnerKubeconfig = (lab: string) => (lab.startsWith('08') || process.env.LABS_KUBECONFIG ? kubeconfig : clusterLearnerKubeconfig(defaultClusterName()));

const solveScript = (lab: string) => join(import.meta.dirname, '..', '..', 'labs', lab, 'solve.sh');

/** Lab 05's two overlays over the base, the dev one with `devPrefix`, applied. */
const applyOverlays = (devPrefix: string) => `kubectl create namespace overlays
printf 'resources:\\n- ../../base\\nnamePrefix: ${devPrefix}\\n' > overlays/dev/kustomization.yaml
printf 'resources:\\n- ../../base\\nnamePrefix: prd-\\n' > overlays/prd/kustomization.yaml
kubectl apply -k overlays/dev
kubectl apply -k overlays/prd`;

const failed = (result: LabResult) => result.checks.filter((c) => !c.passed).map((c) => c.id);

type Case = {
  lab: string;
  /** How long verify may wait after solve.sh for restarts, readiness, rollouts. */
  waitAfterSolve: number;
  wrong: { what: string; script: string; failing: string[]; wait?: number; cleanup?: string };
  /**
   * Graded too early: `script` (default: solve.sh) leaves the solution's objects as the solution
   * makes them, graded at once (waitSeconds 0) they must not pass — `failing` names the checks
   * that wait for the behaviour; `then` is the step that makes it happen when the script stops
   * short of it. Graded after that with the lab's wait, the lab passes.
   */
  tooEarly: { what: string; script?: string; failing: string[]; then?: string };
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
    // The pod exists with the right probe; agnhost fails /healthz only after 10 s, and kubelet kills
    // after three failed probes (~20 s): restartCount 0 and no Killing event yet.
    tooEarly: { what: 'the pod graded as solve.sh leaves it, before its liveness probe has failed', failing: ['restarted-by-liveness'] },
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
    // The class's case: a pod before its first probe is Running, not Ready, a not-ready endpoint of
    // its Service and never restarted — all three states held at once, and lab 2 was recorded
    // passed 10 s before the first "Readiness probe failed". Graded as the pod turns Running: its
    // first probe is 3 s away, the first failure ~12 s (agnhost answers 200 for 10 s).
    tooEarly: {
      what: 'solve.sh\'s pod and Service graded as the pod turns Running, before the readiness probe has failed',
      script: `LABS_WORKDIR=$PWD bash ${solveScript('02-readiness')}
kubectl -n readiness wait --for=jsonpath='{.status.phase}'=Running pod/readiness-http --timeout=180s`,
      failing: ['running-not-ready', 'out-of-endpoints', 'never-restarted'],
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
    // slow-app-no-startup is killed ~15 s after it starts; slow-app needs 30 s to start, and its
    // startup probe has not yet outlasted the liveness probe's tolerance.
    tooEarly: {
      what: 'both pods graded as solve.sh leaves them, before the warm-up',
      failing: ['killed-without-startup', 'ready-without-restart'],
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
    // The kustomization applied exactly as solve.sh writes it, graded as `kubectl apply -k .` returns:
    // the pod has not started (no ready container, no ready endpoint) — a sandbox and a container
    // start take seconds, the grading a fraction of one.
    tooEarly: {
      what: "solve.sh's kustomization, graded as `kubectl apply -k .` returns",
      script: `kubectl create namespace test
cat > kustomization.yaml <<'YAML'
namespace: test
namePrefix: lab-
nameSuffix: -v1
labels:
  - pairs: {env: test}
    includeSelectors: true
images:
  - {name: nginx, newTag: "1.23.1"}
resources: [pod-1.yaml, service.yaml]
YAML
kubectl apply -k .`,
      failing: ['images', 'labels'],
    },
  },
  {
    lab: '05',
    waitAfterSolve: 90,
    wrong: {
      what: 'the dev overlay with the wrong prefix (develop-) and the base applied unprefixed',
      script: `${applyOverlays('develop-')}
kubectl apply -k base`,
      failing: ['dev-overlay', 'nothing-unprefixed'],
    },
    // Both overlays applied as solve.sh writes them, graded as `kubectl apply -k` returns: the pods
    // exist but are Pending (their containers have not started).
    tooEarly: {
      what: 'both overlays applied, graded as `kubectl apply -k` returns',
      script: applyOverlays('dev-'),
      failing: ['dev-overlay', 'prd-overlay'],
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
    // solve.sh's `helm upgrade --install` without its `rollout status`: Helm records the release
    // deployed as soon as the objects exist (no --wait); the Deployment has not rolled out.
    tooEarly: {
      what: 'the release installed as solve.sh installs it, graded as helm returns (no --wait)',
      script: `helm create mychart
helm upgrade --install myapp ./mychart --namespace helm-create --create-namespace --set image.tag=1.24`,
      failing: ['deployment-available'],
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
    // solve.sh stops waiting at the end; its "too early" is the moment before the last step: the
    // bad upgrade made and failed (Helm recorded it), the rollback not yet made. Then `helm
    // rollback` without --wait: the rollback's revision and its rollout are graded by the wait.
    tooEarly: {
      what: 'the bad upgrade failed and nothing rolled back yet',
      script: `helm create nginx
helm install mynginx ./nginx --namespace helm-upgrade --create-namespace --set image.tag=1.23.1
printf 'image:\\n  tag: "1.24"\\n' > values.yaml
helm upgrade mynginx ./nginx --namespace helm-upgrade -f values.yaml --wait --timeout 120s
if helm upgrade mynginx ./nginx --namespace helm-upgrade --set image.tag=1.999-no-such-tag --wait --timeout 30s; then
  echo "the bad upgrade did not fail" >&2; exit 1
fi`,
      failing: ['upgraded', 'running-image', 'rolled-back'],
      then: 'helm rollback mynginx --namespace helm-upgrade',
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

      it(`is not passed when graded too early: ${testCase.tooEarly.what}`, async () => {
        await resetLab(testCase.lab, { kubeconfig });
        const dir = await workspace(testCase.lab);
        const { script, failing, then } = testCase.tooEarly;
        const learner = learnerKubeconfig(testCase.lab);
        if (script) await sh(script, learner, dir);
        else expect(await solveLab(testCase.lab, { kubeconfig: learner, workdir: dir })).toBe(0);
        const early = await verifyLab(testCase.lab, { kubeconfig, waitSeconds: 0 });
        expect(early.passed, JSON.stringify(early, null, 2)).toBe(false);
        for (const id of failing) expect(failed(early), JSON.stringify(early, null, 2)).toContain(id);
        for (const check of early.checks.filter((c) => !c.passed)) expect(check.observed, check.id).toBeTruthy();
        if (then) await sh(then, learner, dir);
        const later = await verifyLab(testCase.lab, { kubeconfig, waitSeconds: testCase.waitAfterSolve });
        expect(failed(later), JSON.stringify(later, null, 2)).toEqual([]);
        expect(later.passed).toBe(true);
      });

      it('passes after solve.sh', async () => {
        const output: string[] = [];
        const code = await solveLab(testCase.lab, { kubeconfig: learnerKubeconfig(testCase.lab), onOutput: (line) => output.push(line) });
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
        await sh(testCase.wrong.script, learnerKubeconfig(testCase.lab), dir);
        let result: LabResult;
        try {
          result = await verifyLab(testCase.lab, { kubeconfig, waitSeconds: testCase.wrong.wait ?? 0 });
        } finally {
          if (testCase.wrong.cleanup) await sh(testCase.wrong.cleanup, learnerKubeconfig(testCase.lab), dir);
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

// Lab 08's "graded too early": its solve.sh waits for Argo CD itself, so the early moment is made by
// hand — the Application created and synced once, then the change committed and pushed, and Argo CD
// has *seen* the push (status.sync.revision is the new commit, OutOfSync) but not synced it
// (automated sync switched off for that moment, as for a learner who created the Application
// without it). The synced revision then "differs from the first sync" in status.sync.revision
// alone, which is what lab 08 used to read; Argo CD's history says no second sync happened.
// Switching automated sync back on makes the sync happen, and the lab passes.
describe('lab 08: graded too early (Argo CD)', () => {
  const app = 'custom-nginx';
  let install: ArgocdInstallation;

  beforeAll(async () => {
    // On a machine without the cache this includes the cold Go build of Argo CD (~20 min on 2 cores).
    install = await installArgocd({ cluster: defaultClusterName(), kubeconfig });
    await resetLab('08', { kubeconfig });
  }, 50 * 60_000);

  afterAll(async () => {
    if (install) await resetLab('08', { kubeconfig });
  });

  it('is not passed when Argo CD has seen the push but not synced it; passes once it syncs', async () => {
    const dir = await workspace('08');
    const push = new URL(install.git.url);
    push.username = install.git.learner;
    push.password = install.git.password;
    const read = (path: string) => `kubectl -n argocd get application ${app} -o jsonpath='{${path}}'`;
    /** Waits (a deadline for the wait, not an assertion on time) until `condition` holds in bash. */
    const until = (what: string, condition: string) => `for i in $(seq 1 100); do ${condition} && break; [ "$i" = 100 ] && { echo "timed out waiting for ${what}" >&2; exit 1; }; sleep 3; done`;
    await sh(`sed "s|REPO_URL|${install.git.url}|" application.yaml | kubectl apply -f -
${until('the first sync', `[ -n "$(${read('.status.history[0].revision')})" ] && [ "$(${read('.status.health.status')})" = Healthy ]`)}
kubectl -n argocd patch application ${app} --type merge -p '{"spec":{"syncPolicy":{"automated":null}}}'
git clone --quiet '${push}' repo
sed -i 's/^replicaCount: .*/replicaCount: 2/' repo/argo-test-chart/values.yaml
git -C repo -c user.name=Early -c user.email=early@labs.invalid commit --quiet -am 'Two replicas'
git -C repo push --quiet origin main
pushed=$(git -C repo rev-parse HEAD)
kubectl -n argocd annotate application ${app} argocd.argoproj.io/refresh=normal --overwrite
${until('Argo CD to see the push', `[ "$(${read('.status.sync.revision')})" = "$pushed" ]`)}`, kubeconfig, dir);

    const early = await verifyLab('08', { kubeconfig, waitSeconds: 0 });
    expect(early.passed).toBe(false);
    expect(failed(early), JSON.stringify(early, null, 2)).toEqual(expect.arrayContaining(['two-replicas', 'change-through-git']));
    expect(early.checks.find((c) => c.id === 'change-through-git')?.observed).toMatch(/Argo CD has not synced it/);

    await sh(`kubectl -n argocd patch application ${app} --type merge -p '{"spec":{"syncPolicy":{"automated":{}}}}'`, kubeconfig, dir);
    const later = await verifyLab('08', { kubeconfig, waitSeconds: 300 });
    expect(failed(later), JSON.stringify(later, null, 2)).toEqual([]);
  }, 900_000);
});
