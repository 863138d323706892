// When the dashboard counts a lab as started (src/store/lab-start.ts), against the grader's real
// words on the real cluster: every lab, reset, graded as the dashboard's continuous grading would,
// is not started — so a class's untouched labs add nothing to "What is failing" — and lab 1 with
// the learner's pod in place (before any restart) is. Written beside the grader: when a check's
// wording for "nothing there" changes, this fails instead of the dashboard turning noisy.
import { afterAll, describe, expect, it } from 'vitest';
import { verifyLab } from '../../grader/index.ts';
import { listLabs } from '../../grader/catalog.ts';
import { resetLab } from '../../labs/lifecycle.ts';
import { startsLab, touchesLab } from '../../src/store/lab-start.ts';
import { sh, testKubeconfig } from './helpers/cluster.ts';

const kubeconfig = testKubeconfig();

afterAll(async () => {
  await resetLab('01', { kubeconfig });
});

describe('a lab is started once the grader sees the learner’s work', () => {
  it('no lab is started on a cluster where nobody touched it (continuous grading), every lab is by a Check', async () => {
    const labs = await listLabs();
    expect(labs.length).toBeGreaterThanOrEqual(8);
    const started: string[] = [];
    for (const lab of labs) {
      await resetLab(lab.id, { kubeconfig });
      const result = await verifyLab(lab.id, { kubeconfig });
      expect(result.passed, lab.id).toBe(false);
      if (startsLab(result, 'auto')) started.push(`${lab.id}: ${result.checks.filter((c) => !c.passed).map((c) => c.observed).join(' | ')}`);
      expect(startsLab(result, 'check'), lab.id).toBe(true);
    }
    expect(started).toEqual([]);
  }, 900_000);

  it("lab 1 with the learner's pod in place is started, though not passed", async () => {
    await resetLab('01', { kubeconfig });
    await sh(`kubectl create namespace liveness --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl -n liveness run someone-elses-name --image=registry.k8s.io/e2e-test-images/agnhost:2.40 -- liveness`, kubeconfig);
    const result = await verifyLab('01', { kubeconfig });
    expect(result.passed).toBe(false);
    expect(touchesLab(result), JSON.stringify(result.checks.map((c) => c.observed))).toBe(true);
  }, 300_000);
});
