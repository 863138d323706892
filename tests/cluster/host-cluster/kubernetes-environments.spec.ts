// The `kubernetes` classroom provider on a real host cluster (./host.ts: kind, 1 control plane +
// 2 workers): two learners each get a whole cluster of their own as a pod, spread over the
// workers; labs 1 and 5 fail fresh and pass after solve.sh in one of them; lab 8 (GitOps) passes
// for one of them: Argo CD installed by the class server's library, the learner's steps (git
// clone and push to the in-class git server, argocd login and app create) typed in their toolbox;
// isolation from inside a toolbox; the shell is tmux and outlives its terminal; a restart
// re-adopts; a lost node pod shows as an error and recreate brings the learner back.
// Not in `npm run test:cluster` (it needs its own 3-node host cluster): `npm run test:host-cluster`.
import { spawn, type IPty } from '@lydell/node-pty';
import { CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLab } from '../../../grader/index.ts';
import { solveLab } from '../../../labs/lifecycle.ts';
import { KubernetesLearnerEnvironments, type KubernetesEnvironmentsOptions } from '../../../src/environments/classroom/kubernetes.ts';
import { execInPod, kubeLabel, learnerAnnotation, toolboxName } from '../../../src/environments/classroom/kube-objects.ts';
import { installArgocd } from '../../../src/environments/addons/argocd.ts';
import { argocdNodePort } from '../../../src/environments/addons/argocd-names.ts';
import { sleep } from '../../../src/base/exec.ts';
import { ensureMirrorRunning } from '../../../src/environments/mirror.ts';
import { kindNetworkGateway } from '../../../src/gitserver/address.ts';
import { defaultGitPort } from '../../../src/gitserver/service.ts';
import { defaultGitRoot, openGitStore, starters } from '../../../src/gitserver/store.ts';
import { ExecPty } from '../../../src/terminal/exec-pty.ts';
import { deleteHostCluster, ensureHostCluster, podMemoryMiB, type HostCluster } from './host.ts';
import { escapeAttempts, inPodAttempts, ordinaryPod, unrefused } from '../helpers/escape-catalog.ts';

const A = 'learner:2001';
const B = 'learner:2002';
const namespace = 'labs-hostk-test';
let host: HostCluster;
let options: KubernetesEnvironmentsOptions;
let envs: KubernetesLearnerEnvironments;
let core: CoreV1Api;
const log = (line: string) => { if (process.env.LABS_VERBOSE) console.error(`[host-cluster] ${line}`); };

const envOf = (learner: string): string => {
  const env = envs.environmentOf(learner);
  if (!env) throw new Error(`${learner} has no environment`);
  return env;
};

const kcOf = (file: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
};

/** A command in the learner's toolbox, as the learner (bash -lc: their profile and kubeconfig). */
async function inToolbox(learner: string, script: string, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
  const r = await execInPod(kcOf(host.kubeconfig), namespace, toolboxName(envOf(learner)), 'toolbox', ['bash', '-lc', script], timeoutMs);
  return { code: r.code, out: r.stdout + r.stderr };
}

async function ok(learner: string, script: string, timeoutMs?: number): Promise<string> {
  const r = await inToolbox(learner, script, timeoutMs);
  expect(r.code, `${script}\n${r.out}`).toBe(0);
  return r.out;
}

/** The learner's terminal: as the bridge opens it (ExecPty, the exec API in this process), or through kubectl in a pty. */
function terminal(learner: string, via: 'exec-api' | 'kubectl'): { pty: Pick<IPty, 'write' | 'kill'>; output: () => string } {
  const command = envs.shell(learner);
  if (!command?.exec) throw new Error(`no shell for ${learner}`);
  let output = '';
  if (via === 'exec-api') {
    const pty = new ExecPty(command.exec, 120, 30);
    pty.onData((d) => { output += d.toString(); });
    return { pty, output: () => output };
  }
  const pty = spawn(command.file, command.args, { name: 'xterm-256color', cols: 120, rows: 30, cwd: command.cwd, env: command.env });
  pty.onData((d) => { output += d; });
  return { pty, output: () => output };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('classroom: learner environments as pods on a host cluster', () => {
  beforeAll(async () => {
    host = await ensureHostCluster(log);
    core = kcOf(host.kubeconfig).makeApiClient(CoreV1Api);
    options = {
      hostKubeconfig: host.kubeconfig, namespace, pool: 'hostk-test', warm: 0,
      nodeImage: host.nodeImage, toolboxImage: host.toolboxImage, mirrorAddress: host.mirrorAddress,
      // The machine's git server (lessons 6–7) on the kind network's gateway, as the host's pods reach it.
      gitServer: { address: await kindNetworkGateway(), port: defaultGitPort() },
      credential: (learner) => `token-${learner.replace(':', '-')}`, readyTimeoutMs: 900_000, log,
    };
    envs = await KubernetesLearnerEnvironments.open(options);
    await Promise.all([envs.assign(A), envs.assign(B)]);
    // The first run on a machine builds and loads a 1 GB node image into two workers.
  }, 3_600_000);

  afterAll(async () => {
    if (envs) {
      await envs.release(A).catch(() => undefined);
      await envs.release(B).catch(() => undefined);
      await envs.close({ removeWarm: true });
    }
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
    if (!process.env.HOSTK_KEEP) await deleteHostCluster(host.name).catch(() => undefined);
  }, 600_000);

  it('gives two learners a cluster each, as pods spread over the workers', async () => {
    expect(envs.status(A).state).toBe('ready');
    expect(envs.status(B).state).toBe('ready');
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: `${kubeLabel.role}=node` })).items;
    const nodeOf = (env: string) => pods.find((p) => p.metadata?.name === env)?.spec?.nodeName;
    expect(nodeOf(envOf(A))).toMatch(/-worker2?$/);
    expect(nodeOf(envOf(B))).toMatch(/-worker2?$/);
    expect(nodeOf(envOf(A))).not.toBe(nodeOf(envOf(B)));
    // Each answers this server (NodePort, tls-server-name) with its own single node.
    for (const learner of [A, B]) {
      const nodes = (await kcOf(envs.kubeconfig(learner) as string).makeApiClient(CoreV1Api).listNode()).items;
      expect(nodes.map((n) => n.metadata?.name)).toEqual([envOf(learner)]);
    }
  });

  it("A's toolbox: not root, no host service-account token, only A's kubeconfig and token", async () => {
    expect(await ok(A, 'id -u')).toBe('1000\n');
    const token = await inToolbox(A, 'ls /var/run/secrets/kubernetes.io/serviceaccount /run/secrets/kubernetes.io/serviceaccount');
    expect(token.code, token.out).not.toBe(0);
    expect(await ok(A, 'kubectl get nodes -o name')).toBe(`node/${envOf(A)}\n`);
    expect(await ok(A, 'cat "$LABS_TOKEN_FILE"')).toBe('token-learner-2001\n');
    const search = await inToolbox(A, `grep -rlsI -e '${envOf(B)}' -e 'learner-2002' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; echo done`);
    expect(search.out.trim()).toBe('done');
    // The host's API server, anonymously: no credentials to offer.
    expect(await ok(A, `curl -sk --max-time 5 -o /dev/null -w '%{http_code}' https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/${namespace}/secrets`)).toMatch(/^40[13]$/);
  });

  it("A cannot reach B's API server; B's toolbox offers nothing", async () => {
    const svcB = `${envOf(B)}.${namespace}.svc`;
    const byName = await inToolbox(A, `curl -sk --max-time 5 https://${svcB}:6443/version`);
    expect(byName.code, byName.out).toBe(28); // dropped by B's node (timeout, not even "refused")
    const podB = (await core.readNamespacedPod({ name: envOf(B), namespace })).status?.podIP;
    expect((await inToolbox(A, `curl -sk --max-time 5 https://${podB}:6443/version`)).code).toBe(28);
    // Argo CD's NodePort on B's node is dropped as well (without the node's filter: refused, 7).
    expect((await inToolbox(A, `curl -sk --max-time 5 https://${podB}:${argocdNodePort}/`)).code).toBe(28);
    const toolboxB = (await core.readNamespacedPod({ name: toolboxName(envOf(B)), namespace })).status?.podIP;
    // Nothing listens in a toolbox (and its NetworkPolicy admits no one where the host's CNI enforces it).
    expect([7, 28]).toContain((await inToolbox(A, `curl -s --max-time 5 http://${toolboxB}:22/`)).code);
    // B's own toolbox does reach B's API server (the checks above are not just a broken curl).
    expect(await ok(B, `curl -sk --max-time 5 -o /dev/null -w '%{http_code}' https://${svcB}:6443/version`)).toMatch(/^(200|401|403)$/);
  });

  it("a hostile learner in A's toolbox: the toolbox holds no admin credentials, and every escape in the catalog is refused for the guardrail's reason", async () => {
    expect(await ok(A, "kubectl config view --raw -o jsonpath='{.users[0].name}'")).toBe('learner');
    const made = await ok(A, 'kubectl create namespace escape >/dev/null && kubectl get nodes -o jsonpath="{.items[0].metadata.name}"');
    const vars = `export NS=escape NODE=${made.trim()}; set -euo pipefail\n`;
    const failures = await unrefused(escapeAttempts, (script) => inToolbox(A, script, 180_000), vars);
    await ok(A, `${vars}${ordinaryPod}\nkubectl -n escape wait pod/esc-ordinary --for=condition=Ready --timeout=300s`, 360_000);
    failures.push(...(await unrefused(inPodAttempts, (script) => inToolbox(A, script), vars)));
    await inToolbox(A, 'kubectl delete namespace escape --wait=false');
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 1_800_000);

  it('the shell is tmux session "main" in the toolbox, reached through the exec API: it outlives its terminal', async () => {
    const one = terminal(A, 'exec-api');
    await waitFor('a prompt', () => one.output().includes('$'), 60_000);
    one.pty.write('sleep 600 & echo started-$((40+2))\r');
    await waitFor('the command to run', () => one.output().includes('started-42'));
    one.pty.kill();
    const two = terminal(A, 'kubectl');
    two.pty.write('jobs | grep -c sleep | sed s/^/found-/\r');
    await waitFor('the job in the second terminal', () => /found-1/.test(two.output()));
    two.pty.kill();
  });

  for (const lab of ['01', '05']) {
    it(`lab ${lab} fails in A's fresh cluster and passes after solve.sh`, async () => {
      const kubeconfig = envs.kubeconfig(A) as string;
      const fresh = await verifyLab(lab, { kubeconfig });
      expect(fresh.passed).toBe(false);
      const output: string[] = [];
      expect(await solveLab(lab, { kubeconfig, onOutput: (line) => output.push(line) }), output.join('\n')).toBe(0);
      // The first pull of a course image (nginx) from the mirror takes minutes on a loaded host.
      const solved = await verifyLab(lab, { kubeconfig, waitSeconds: 300 });
      expect(solved.passed, JSON.stringify(solved.checks.filter((c) => !c.passed), null, 2)).toBe(true);
    });
  }

  it("lab 08 (GitOps) passes for A: Argo CD from the class server, the learner's git and argocd steps in A's toolbox", async () => {
    const kubeconfig = envs.kubeconfig(A) as string;
    const policy = (await kcOf(host.kubeconfig).makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: toolboxName(envOf(A)), namespace })).spec;
    expect(policy?.egress?.at(-1)).toEqual({ to: [{ ipBlock: { cidr: `${options.gitServer?.address}/32` } }], ports: [{ protocol: 'TCP', port: defaultGitPort() }] });

    // The class server's side: Argo CD's images through the mirror, the install, the git server and A's repository.
    await ensureMirrorRunning(host.registryImage, log);
    let started = Date.now();
    const argocd = await installArgocd({ kubeconfig, cluster: envOf(A), learner: 'learner-2001', onProgress: (e) => log(e.message) });
    const installSeconds = (Date.now() - started) / 1000;
    expect(argocd.imageDelivery).toBe('mirror');
    // What `labs reset 8` does to the repository: a fresh starter chart, so this run's push is a change.
    await openGitStore(defaultGitRoot()).resetRepo('learner-2001', 'gitops', starters.learner);
    const fresh = await verifyLab('08', { kubeconfig });
    expect(fresh.passed).toBe(false);

    const nodeIP = (await core.readNamespacedPod({ name: envOf(A), namespace })).status?.podIP;
    // Argo CD's NodePort: A's own toolbox reaches it, B's does not (dropped by A's node).
    // (kube-proxy programs the NodePort a moment after the Service lists the ready server: a learner tries again.)
    expect(await ok(A, `for i in $(seq 10); do code=$(curl -sk --max-time 10 -o /dev/null -w '%{http_code}' https://${nodeIP}:${argocdNodePort}/ || true); [ "$code" = 200 ] && break; sleep 1; done; echo -n "$code"`)).toBe('200');
    expect((await inToolbox(B, `curl -sk --max-time 5 https://${nodeIP}:${argocdNodePort}/`)).code).toBe(28);

    // The learner's side, as solve.sh types it, in A's toolbox.
    const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
    const url = new URL(argocd.git.url);
    url.username = argocd.git.learner;
    url.password = argocd.git.password;
    started = Date.now();
    await ok(A, `set -euo pipefail
      clone_url=${quote(url.toString())}; repo_url=${quote(argocd.git.url)}
      rm -rf gitops && git clone --quiet "$clone_url" gitops && cd gitops
      git config user.name "Learner A" && git config user.email a@labs.invalid
      node=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
      password=$(kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath="{.data.password}" | base64 -d)
      argocd login "$node:${argocdNodePort}" --insecure --username admin --password "$password"
      argocd app create custom-nginx --project default \\
        --repo "$repo_url" --revision main --path argo-test-chart \\
        --dest-server https://kubernetes.default.svc --dest-namespace gitops \\
        --sync-policy automated --sync-option CreateNamespace=true
      argocd app wait custom-nginx --sync --health --timeout 300 >/dev/null`, 420_000);
    const firstSyncSeconds = (Date.now() - started) / 1000;
    await ok(A, `set -euo pipefail
      cd gitops
      sed -i -e 's/^replicaCount: .*/replicaCount: 2/' -e 's/^  tag: .*/  tag: "1.24"/' argo-test-chart/values.yaml
      git commit --quiet -am "Values Modified" && git push --quiet origin main
      argocd app get custom-nginx --refresh >/dev/null
      want=$(git rev-parse HEAD)
      for _ in $(seq 1 60); do
        [ "$(kubectl -n argocd get application custom-nginx -o jsonpath='{.status.sync.revision}')" = "$want" ] && break
        sleep 5
      done
      argocd app wait custom-nginx --sync --health --timeout 300 >/dev/null
      deployment=$(kubectl -n gitops get deploy -l app.kubernetes.io/instance=custom-nginx -o jsonpath='{.items[0].metadata.name}')
      kubectl -n gitops rollout status "deployment/$deployment" --timeout=180s`, 900_000);
    const solveSeconds = (Date.now() - started) / 1000;

    const solved = await verifyLab('08', { kubeconfig, waitSeconds: 300 });
    expect(solved.passed, JSON.stringify(solved.checks.filter((c) => !c.passed), null, 2)).toBe(true);
    const hostNode = (await core.readNamespacedPod({ name: envOf(A), namespace })).spec?.nodeName as string;
    const memory = await podMemoryMiB(hostNode, envOf(A));
    console.log(`[host-cluster] lab 08: Argo CD install ${installSeconds.toFixed(0)} s (images to the mirror ${(argocd.timings.deliverMs / 1000).toFixed(0)} s), `
      + `solve ${solveSeconds.toFixed(0)} s (first sync ${firstSyncSeconds.toFixed(0)} s), A's node pod ${memory.toFixed(0)} MiB working set with Argo CD and the app`);
  }, 1_800_000);

  it('a restart of the server re-adopts both environments from the host', async () => {
    const before = [envOf(A), envOf(B)];
    await envs.close();
    envs = await KubernetesLearnerEnvironments.open(options);
    expect([envOf(A), envOf(B)]).toEqual(before);
    expect(envs.status(A)).toMatchObject({ state: 'ready' });
    expect(envs.status(A).message).toContain('adopted');
    expect(await ok(A, 'kubectl get nodes -o name')).toBe(`node/${before[0]}\n`);
  });

  it("a lost node pod puts A in error; recreate gives A a new cluster", async () => {
    const old = envOf(A);
    const seen: string[] = [];
    const off = envs.onChange((learner, status) => { if (learner === A) seen.push(status.state); });
    await core.deleteNamespacedPod({ name: old, namespace, gracePeriodSeconds: 0 });
    await waitFor('A in error', () => envs.status(A).state === 'error', 60_000);
    expect(envs.status(A).message).toContain(old);
    expect(envs.kubeconfig(A)).toBeUndefined();
    await envs.recreate(A);
    off();
    expect(envs.status(A).state).toBe('ready');
    expect(envOf(A)).not.toBe(old);
    expect(seen).toEqual(expect.arrayContaining(['error', 'creating', 'ready']));
    expect(await ok(A, 'kubectl get nodes -o name')).toBe(`node/${envOf(A)}\n`);
    // B was not touched.
    expect(envs.status(B).state).toBe('ready');
  }, 1_200_000);

  it('a lost node pod, then A reopens the page: the broken environment goes (no Secret names A twice), A gets a new one', async () => {
    const old = envOf(A);
    await core.deleteNamespacedPod({ name: old, namespace, gracePeriodSeconds: 0 });
    await waitFor('A in error', () => envs.status(A).state === 'error', 60_000);
    await envs.assign(A); // what the page does when it opens
    expect(envs.status(A).state).toBe('ready');
    expect(envOf(A)).not.toBe(old);
    const secrets = (await core.listNamespacedSecret({ namespace })).items;
    expect(secrets.filter((s) => s.metadata?.annotations?.[learnerAnnotation] === A).map((s) => s.metadata?.name)).toEqual([envOf(A)]);
    expect(secrets.map((s) => s.metadata?.name)).not.toContain(old);
    expect(await ok(A, 'kubectl get nodes -o name')).toBe(`node/${envOf(A)}\n`);
  }, 1_200_000);
});
