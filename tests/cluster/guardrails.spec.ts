// The learner guardrails (kind/guardrails/learner-access.yaml) on the suite's shared cluster, with
// the learner's own kubeconfig (clusterLearnerKubeconfig: the identity a classroom sandbox holds):
// every escape in the catalog is refused for its own reason, the lessons' everyday work is not,
// and the platform's components still run. The same catalog runs inside a real sandbox in
// classroom-class.spec.ts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterLearnerKubeconfig, defaultClusterName } from '../../src/base/paths.ts';
import { applyGuardrails } from '../../src/environments/guardrails.ts';
import { escapeAttempts, inPodAttempts, ordinaryPod, type EscapeAttempt } from './helpers/escape-catalog.ts';
import { testKubeconfig, toolEnv } from './helpers/cluster.ts';

const exec = promisify(execFile);
const NS = 'guardrails-test';
const admin = testKubeconfig();
const learner = clusterLearnerKubeconfig(defaultClusterName());
let node = '';

/** A bash script as the learner (or `as` another kubeconfig); never throws. */
async function shell(script: string, kubeconfig = learner): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec('bash', ['-c', `set -euo pipefail\n${script}`], {
      env: { ...toolEnv(kubeconfig), NS, NODE: node, HOME: process.env.HOME }, timeout: 120_000, maxBuffer: 8 << 20,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

const refused = async (attempt: EscapeAttempt) => {
  const r = await shell(attempt.script);
  expect(r.code, `${attempt.name} succeeded:\n${r.out}`).not.toBe(0);
  expect(r.out, `${attempt.name} failed, but not for the guardrail's reason`).toMatch(attempt.refusedBy);
};

describe('learner guardrails on a real cluster', () => {
  beforeAll(async () => {
    // Idempotent: the suite's cluster may predate them (then `ensure` added them) or be external.
    await applyGuardrails(admin);
    node = (await shell("kubectl get nodes -o jsonpath='{.items[0].metadata.name}'", admin)).out.trim();
    await shell(`kubectl delete namespace ${NS} --ignore-not-found --wait=true`, admin);
  }, 300_000);
  afterAll(async () => {
    await shell(`kubectl delete namespace ${NS} --ignore-not-found --wait=false; kubectl delete clusterrolebinding guardrails-test-sa --ignore-not-found`, admin);
  });

  it('the learner kubeconfig is not an admin: a client certificate for learner in labs:learners', () => {
    const config = readFileSync(learner, 'utf8');
    expect(config).toContain('client-certificate-data');
    expect(config).not.toMatch(/kubernetes-admin/);
  });

  it("does a lesson's everyday work: namespaces, workloads, Services, exec, logs, port-forward, Helm, reads across the cluster", async () => {
    const r = await shell(`kubectl create namespace ${NS}
kubectl -n ${NS} create deployment web --image=nginx:1.24 --replicas=1
kubectl -n ${NS} expose deployment web --port 80
kubectl -n ${NS} rollout status deployment/web --timeout=180s
pod=$(kubectl -n ${NS} get pods -l app=web -o name | head -1)
kubectl -n ${NS} exec "$pod" -- nginx -v
kubectl -n ${NS} logs "$pod" >/dev/null
(timeout 15 kubectl -n ${NS} port-forward "$pod" 18089:80 >/dev/null 2>&1 &) ; sleep 4
curl -s --max-time 5 http://127.0.0.1:18089/ | grep -qi nginx
kubectl get pods -A -o name | grep -q kube-proxy
kubectl auth can-i create roles -n ${NS}
cd "$(mktemp -d)" && helm create chart >/dev/null && helm install ok ./chart -n ${NS} --set image.repository=nginx --set image.tag=1.24 >/dev/null
helm list -n ${NS} -q | grep -qx ok`);
    expect(r.code, r.out).toBe(0);
  });

  for (const attempt of escapeAttempts) {
    it(`refuses: ${attempt.name}`, () => refused(attempt));
  }

  it('refuses from inside an ordinary pod what needs the host (block device, cgroup mount)', async () => {
    const made = await shell(`${ordinaryPod}\nkubectl -n ${NS} wait pod/esc-ordinary --for=condition=Ready --timeout=180s`);
    expect(made.code, made.out).toBe(0);
    for (const attempt of inPodAttempts) await refused(attempt);
  });

  it("holds for a ServiceAccount the learner binds to their own role (the rules follow the identity, not the learner's name)", async () => {
    const bound = await shell(`kubectl -n ${NS} create serviceaccount helper
kubectl create clusterrolebinding guardrails-test-sa --clusterrole=labs:learner --serviceaccount=${NS}:helper`);
    expect(bound.code, bound.out).toBe(0);
    // The admin speaks as that ServiceAccount (the learner could run a pod with its token).
    const asSa = `--as=system:serviceaccount:${NS}:helper`;
    const write = await shell(`kubectl ${asSa} -n kube-system create configmap esc-sa`, admin);
    expect(write.code).not.toBe(0);
    expect(write.out).toMatch(/labs\.platform-namespaces/);
    const privileged = await shell(`kubectl ${asSa} -n ${NS} run esc-sa --image=busybox --privileged -- sleep 1`, admin);
    expect(privileged.code).not.toBe(0);
    expect(privileged.out).toMatch(/labs\.pod-security/);
  });

  it("argocd's namespace: the admin and Argo CD's own ServiceAccounts keep their Secrets and ConfigMaps there; no other makes workloads or tokens there", async () => {
    const made = !(await shell('kubectl get namespace argocd -o name', admin)).out.includes('namespace/argocd');
    if (made) expect((await shell('kubectl create namespace argocd', admin)).code).toBe(0);
    try {
      const asArgo = '--as=system:serviceaccount:argocd:argocd-server --dry-run=server -n argocd';
      const ownWork = await shell(`kubectl create secret generic probe --from-literal=a=b ${asArgo}
kubectl create configmap probe ${asArgo}
kubectl -n argocd run probe --image=busybox --dry-run=server`, admin);
      expect(ownWork.code, ownWork.out).toBe(0);
      for (const script of [`kubectl run probe --image=busybox ${asArgo}`, 'kubectl -n argocd create token argocd-application-controller --as=system:serviceaccount:argocd:argocd-server']) {
        const r = await shell(script, admin);
        expect(r.code, r.out).not.toBe(0);
        expect(r.out).toMatch(/labs\.argocd-namespace|forbidden/);
      }
      const learnerPod = await shell('kubectl -n argocd run probe --image=busybox --dry-run=server');
      expect(learnerPod.code, learnerPod.out).not.toBe(0);
      expect(learnerPod.out).toMatch(/labs\.argocd-namespace/);
      expect(learnerPod.out).toMatch(/belongs to the platform: CREATE of pods there is refused/);
    } finally {
      if (made) await shell('kubectl delete namespace argocd --wait=true --timeout=120s', admin);
    }
  });

  it("leaves the platform's own components running (kube-system and storage)", async () => {
    const r = await shell(`kubectl get pods -n kube-system --no-headers; kubectl get pods -n local-path-storage --no-headers`, admin);
    expect(r.code, r.out).toBe(0);
    const notRunning = r.out.split('\n').filter((l) => l.trim() && !/\sRunning\s/.test(l));
    expect(notRunning).toEqual([]);
  });

  it('never locks the platform out: the admin writes cluster-scoped objects and in kube-system (a policy whose condition errs would refuse them all)', async () => {
    const r = await shell(`kubectl create clusterrole guardrails-test-probe --verb=get --resource=pods
kubectl delete clusterrole guardrails-test-probe
kubectl -n kube-system create configmap guardrails-test-probe --dry-run=server -o name
kubectl create namespace guardrails-test-probe --dry-run=server -o name
kubectl label node "$NODE" kubernetes-labs/guardrails-probe=1 --dry-run=server`, admin);
    expect(r.code, r.out).toBe(0);
  });

  it('the bootstrap token is gone (no node identity to be had from a Secret)', async () => {
    const r = await shell(`kubectl -n kube-system get secrets --field-selector type=bootstrap.kubernetes.io/token -o name`, admin);
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toBe('');
  });
});
