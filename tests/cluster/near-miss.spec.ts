// Near misses on the real cluster (issue #21): what a lab looks for, made by a learner in another
// namespace, under a similar name, as another kind or with another container name, is named where
// it is — in the result every door shows (`labs verify --json` and the lab card here; the class
// spec has the dashboard's group) — and `labs reset` names the lab's objects left in another namespace,
// deleting them when asked. Objects are made with the learner's kubeconfig, as a learner would.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLab, type CheckResult, type LabResult } from '../../grader/index.ts';
import { resetLab } from '../../labs/lifecycle.ts';
import { clusterLearnerKubeconfig, defaultClusterName } from '../../src/base/paths.ts';
import { touchesLab } from '../../src/store/lab-start.ts';
import { ARTIFACTS, launchBrowser, startServer } from '../browser/harness.ts';
import { sh, testKubeconfig } from './helpers/cluster.ts';

const kubeconfig = testKubeconfig();
const learner = process.env.LABS_KUBECONFIG ? kubeconfig : clusterLearnerKubeconfig(defaultClusterName());
const bin = join(import.meta.dirname, '..', '..', 'bin', 'labs');
const SHOTS = join(ARTIFACTS, 'near-miss');
const labs = (...args: string[]) => spawnSync(bin, [...args, '--kubeconfig', kubeconfig], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });

/** Lab 02's pod as the source course types it: no namespace. Name and container as given. */
const readinessPod = (name = 'readiness-http', container = 'readiness', namespace?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}  labels:
    test: readiness
spec:
  containers:
  - name: ${container}
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args: [liveness]
    readinessProbe:
      httpGet: { path: /healthz, port: 8080, httpHeaders: [{ name: Custom-Header, value: Awesome }] }
      initialDelaySeconds: 3
      periodSeconds: 3
`;
const apply = (yaml: string) => sh(`kubectl apply -f - >/dev/null <<'EOF'\n${yaml}EOF`, learner);
const check = (result: LabResult, id: string): CheckResult => result.checks.find((c) => c.id === id)!;
/** A namespace a pod can be created in at once: its default ServiceAccount is made a moment after it. */
const namespace = (name: string) => sh(`kubectl create namespace ${name} >/dev/null && until kubectl -n ${name} get serviceaccount default >/dev/null 2>&1; do sleep 0.2; done`, learner);
const cleanDefault = () => sh('kubectl -n default delete pod readiness-http --ignore-not-found --wait=false >/dev/null', kubeconfig);

beforeAll(async () => {
  await cleanDefault();
  await resetLab('02', { kubeconfig });
}, 300_000);
afterAll(async () => {
  await cleanDefault();
  await resetLab('02', { kubeconfig });
}, 300_000);

describe('a near miss is named where it is', () => {
  it('a pod applied without -n: every task says it is in default, in `labs verify --json`, and the lab counts as started', async () => {
    await apply(readinessPod());
    const run = labs('verify', '2', '--json');
    expect(run.status, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout) as LabResult;
    const said = 'Pod "readiness-http" is in namespace "default"; this lab looks for it in namespace "readiness" (kubectl -n readiness apply -f …)';
    for (const id of ['probe-configured', 'running-not-ready', 'never-restarted']) {
      expect(check(result, id), id).toMatchObject({ passed: false, observed: said, nearMiss: { differs: 'namespace', kind: 'Pod', namespace: 'default', names: ['readiness-http'] } });
    }
    // The stray is described for the learner: its phase and events, where it really is.
    expect(check(result, 'probe-configured').diagnostics?.join('\n')).toMatch(/pod\/readiness-http: phase/);
    expect(touchesLab(result)).toBe(true);
    // The human output says the same words.
    const text = labs('verify', '2');
    expect(text.stdout).toContain(said);
  });

  it('the lab card says the same words, in English and in Korean, at 1440 and 390 px', async () => {
    const server = await startServer({ KUBECONFIG: kubeconfig });
    const browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
    try {
      for (const [language, width] of [['en', 1440], ['en', 390], ['ko', 1440], ['ko', 390]] as const) {
        const page = await browser.context.newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.goto(new URL(`/${language}/lessons/02-probes/`, server.url).href);
        const card = page.locator('[data-lab="2"]');
        await card.locator('[data-lab-check]').click();
        await card.locator('.lab-summary').waitFor({ timeout: 120_000 });
        const task = card.locator('[data-task="probe-configured"][data-state="failed"]');
        const details = (await task.locator('.check-details dd').allTextContents()).join('\n');
        if (language === 'en') {
          expect(details).toContain('Pod "readiness-http" is in namespace "default"; this lab looks for it in namespace "readiness" (kubectl -n readiness apply -f …)');
        } else {
          expect(details).toMatch(/[가-힣]/);
          expect(details).toContain('"default"');
          expect(details).toContain('kubectl -n readiness apply -f');
        }
        await task.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(SHOTS, `lab-card-near-miss-${language}-${width}.png`) });
        await page.close();
      }
    } finally {
      await browser.close();
      await server.stop();
    }
  }, 300_000);

  it('`labs reset 2` names the stray and leaves it; `--remove-strays` deletes it', async () => {
    const named = labs('reset', '2');
    expect(named.status, named.stderr).toBe(0);
    expect(named.stdout).toMatch(/left in place: Pod default\/readiness-http, this lab's in the wrong namespace — remove it with `kubectl -n default delete pod readiness-http`/);
    expect(await sh('kubectl -n default get pod readiness-http -o name', kubeconfig)).toContain('pod/readiness-http');
    const removed = labs('reset', '2', '--remove-strays');
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/deleted Pod default\/readiness-http \(this lab's, in the wrong namespace\)/);
    expect(await sh('kubectl -n default get pod readiness-http --ignore-not-found -o name', kubeconfig)).not.toContain('readiness-http');
    // Nothing of the lab is left anywhere: the reset lab reports only absence again.
    expect(touchesLab(await verifyLab('02', { kubeconfig }))).toBe(false);
  });

  it('a similar name in the lab’s namespace', async () => {
    await namespace('readiness');
    await apply(readinessPod('readiness-htpp', 'readiness', 'readiness'));
    const result = await verifyLab('02', { kubeconfig });
    expect(check(result, 'probe-configured')).toMatchObject({
      observed: 'Pod "readiness-htpp" is in namespace "readiness"; this task looks for Pod "readiness-http" (check metadata.name)',
      nearMiss: { differs: 'name', names: ['readiness-htpp'] },
    });
  });

  it('another container name in the right pod', async () => {
    await apply(readinessPod('readiness-http', 'web', 'readiness'));
    const result = await verifyLab('02', { kubeconfig });
    expect(check(result, 'probe-configured')).toMatchObject({
      observed: 'Pod "readiness-http" has no container "readiness"; its containers: web (this task looks for the container named "readiness")',
      nearMiss: { differs: 'container', container: 'web' },
    });
  });

  it('another kind of the same name is named, but never another object the lab itself looks for', async () => {
    await resetLab('02', { kubeconfig });
    await namespace('readiness');
    await sh('kubectl -n readiness create service clusterip readiness-http --tcp=8080:8080 >/dev/null', learner);
    // Lab 02 looks for a Service readiness-http too: it is no Pod gone astray.
    let result = await verifyLab('02', { kubeconfig });
    expect(check(result, 'probe-configured').nearMiss).toBeUndefined();
    expect(check(result, 'probe-configured').observed).toBe('not found; namespace "readiness" has no Pods');
    await sh('kubectl -n readiness create deployment readiness-http --image=registry.k8s.io/e2e-test-images/agnhost:2.40 -- /agnhost liveness >/dev/null', learner);
    result = await verifyLab('02', { kubeconfig });
    expect(check(result, 'probe-configured')).toMatchObject({
      observed: 'Deployment "readiness-http" is in namespace "readiness"; this task looks for a Pod of that name (kind: Pod)',
      nearMiss: { differs: 'kind', kind: 'Deployment' },
    });
  });

  it('a Helm release installed without -n is named, and `labs reset 6` says how to uninstall it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-near-miss-'));
    await resetLab('06', { kubeconfig });
    await sh(`helm create mychart >/dev/null && helm -n default install myapp ./mychart --set replicaCount=0 >/dev/null`, learner, dir);
    try {
      const result = await verifyLab('06', { kubeconfig });
      const release = result.checks.find((c) => c.nearMiss?.kind === 'HelmRelease');
      expect(release, JSON.stringify(result.checks.map((c) => c.observed))).toMatchObject({
        observed: 'release "myapp" is in namespace "default"; this lab looks for it in namespace "helm-create" (helm -n helm-create install …)',
        nearMiss: { differs: 'namespace', namespace: 'default' },
      });
      const reset = labs('reset', '6', '--remove-strays');
      expect(reset.status, reset.stderr).toBe(0);
      expect(reset.stdout).toContain('left in place: HelmRelease default/myapp, this lab\'s in the wrong namespace — remove it with `helm -n default uninstall myapp`');
    } finally {
      await sh('helm -n default uninstall myapp >/dev/null', learner);
    }
  });
});
