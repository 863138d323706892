// Classroom mode's learner environments on this machine (src/environments/classroom/local.ts),
// for real: a warm pool of one, two learners (A from the pool, B from the environment the pool
// was refilling), each with a kind cluster on its own Docker network and a sandbox. From inside
// A's sandbox: no Docker socket or binary, not root, B's API server and sandbox unreachable (by
// name and by address), B's kubeconfig and token absent, A's own cluster answers and pulls from
// the read-only mirror, which refuses pushes. The shell survives its terminal being killed -9.
// A second instance re-adopts both environments from their Docker labels, then releases them
// and nothing of the pool is left. A's home is a bounded filesystem: filling it stops at its size. Two clusters in all (about two minutes once images are built).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { spawn, type IPty } from '@lydell/node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLearnerEnvironments } from '../../src/environments/classroom/local.ts';
import { serverFile, tokenFile } from '../../src/environments/classroom/docker-sandbox.ts';
import { assignmentName, containerCpu, findPool, homeVolumeName, sandboxName } from '../../src/environments/classroom/docker-objects.ts';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { verifyLab } from '../../grader/verify.ts';
import { solveLab } from '../../labs/lifecycle.ts';
import { kindClusters } from '../../src/environments/kind-provider.ts';
import { homeImage } from '../../src/environments/classroom/home-volume.ts';
import { sleep } from '../../src/base/exec.ts';

const exec = promisify(execFile);
// Small homes, so that filling one is quick (the default is 1 GiB).
process.env.LABS_HOME_MIB = '256';
const pool = `test-${Math.random().toString(36).slice(2, 8)}`;
const [A, B] = ['learner:1001', 'learner:1002'];
const log = (line: string) => { if (process.env.LABS_VERBOSE) console.error(`[${pool}] ${line}`); };
// No idle round: the freeze test freezes A itself, and the other tests reach into sandboxes with docker exec.
const options = { pool, idleMs: 0, freezeMs: 0, serverUrl: 'http://labs-server:4321', credential: (l: string) => `token-${l.replace(':', '-')}-0123456789abcdef`, log };

let first: LocalLearnerEnvironments;
let second: LocalLearnerEnvironments | undefined;
let envA = '';
let envB = '';

/** Runs a shell snippet in a learner's sandbox as the learner; returns exit code and output. */
async function inSandbox(env: string, script: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec('docker', ['exec', sandboxName(env), 'bash', '-lc', script], { timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

async function ok(env: string, script: string): Promise<string> {
  const r = await inSandbox(env, script);
  expect(r.code, `${script}\n${r.out}`).toBe(0);
  return r.out;
}

const ipOf = async (container: string) => (await exec('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', container])).stdout.trim().split(' ')[0];

/** The learner's terminal as the bridge spawns it: the ShellCommand through a pty. */
function terminal(environments: LocalLearnerEnvironments, learner: string): { pty: IPty; output: () => string } {
  const command = environments.shell(learner);
  if (!command) throw new Error(`no shell for ${learner}`);
  const pty = spawn(command.file, command.args, { name: 'xterm-256color', cols: 120, rows: 30, cwd: command.cwd, env: command.env });
  let output = '';
  pty.onData((d) => { output += d; });
  return { pty, output: () => output };
}

/**
 * How long the freeze test keeps A frozen: past the kubelet's 2-minute runtime and 3-minute PLEG
 * thresholds and the node controller's grace period, where a thaw could go wrong.
 */
const FREEZE_SECONDS = Number(process.env.LABS_FREEZE_TEST_SECONDS ?? 200);

type PodState = { restarts: number; ready: string; readySince: string; static: boolean };

/** Every pod's restarts and Ready condition, by namespace/name (the admin view of the grader's kubeconfig). */
async function podsOf(kubeconfig: string): Promise<Map<string, PodState>> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const pods = (await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces()).items;
  return new Map(pods.map((p) => {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    const restarts = (p.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0);
    const isStatic = Boolean(p.metadata?.annotations?.['kubernetes.io/config.mirror']);
    return [`${p.metadata?.namespace}/${p.metadata?.name}`, { restarts, ready: ready?.status ?? '', readySince: String(ready?.lastTransitionTime ?? ''), static: isStatic }];
  }));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('classroom: learner environments on one machine', () => {
  beforeAll(async () => {
    first = await LocalLearnerEnvironments.open({ ...options, warm: 1 });
    // The first run on a machine also builds the sandbox image (and Argo CD's CLI for it).
    await first.waitForWarm(1, 1_500_000);
  }, 1_800_000);

  afterAll(async () => {
    const last = second ?? first;
    for (const learner of [A, B]) await last.release(learner).catch(() => undefined);
    await first.close({ removeWarm: true });
    await second?.close({ removeWarm: true });
  }, 600_000);

  it('hands a warm environment out in under 2 s, then makes the next learner one', async () => {
    const started = Date.now();
    await first.assign(A);
    const ms = Date.now() - started;
    console.log(`[classroom] assign from the warm pool: ${ms} ms`);
    expect(ms).toBeLessThan(2000);
    expect(first.status(A).state).toBe('ready');
    envA = first.environmentOf(A) ?? '';
    expect(existsSync(first.kubeconfig(A) ?? '')).toBe(true);
    // B takes the environment the pool started refilling; the pool then stays empty.
    first.setWarm(0);
    await first.assign(B);
    envB = first.environmentOf(B) ?? '';
    expect(first.status(B)).toMatchObject({ state: 'ready' });
    expect(envB).not.toBe(envA);
  });

  it("A's sandbox: no Docker, not root, only A's kubeconfig and token; A's cluster answers", async () => {
    await ok(envA, 'test ! -S /var/run/docker.sock && ! command -v docker && test "$(id -u)" != 0');
    expect(await ok(envA, 'kubectl get nodes -o name')).toContain(`node/${envA}-control-plane`);
    expect(await ok(envA, 'kubectl config view --minify -o jsonpath={.clusters[0].cluster.server}')).toBe(`https://${envA}-control-plane:6443`);
    // Nothing anywhere in A's sandbox names B's cluster (B's kubeconfig is not there) or holds B's token.
    const search = await inSandbox(envA, `grep -rlsI -e '${envB}' -e 'learner-1002' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; echo done`);
    expect(search.out.trim()).toBe('done');
    expect(await ok(envA, `stat -c '%a %U' ${tokenFile} && cat ${tokenFile} && echo "$(cat ${serverFile}) $LABS_TOKEN_FILE"`)).toBe(
      `600 learner\ntoken-learner-1001-0123456789abcdef\nhttp://labs-server:4321 ${tokenFile}\n`);
  });

  it("A's sandbox and node as Docker runs them: no host path, no capability, limits", async () => {
    type Inspect = { Mounts: { Type: string; Destination: string }[]; HostConfig: { CapDrop: string[]; ReadonlyRootfs: boolean; Memory: number; NanoCpus: number; PidsLimit: number; Privileged: boolean; SecurityOpt: string[] }; Config: { User: string }; NetworkSettings: { Networks: Record<string, unknown> } };
    const [sandbox] = JSON.parse((await exec('docker', ['inspect', sandboxName(envA)])).stdout) as Inspect[];
    expect(sandbox.Mounts.map((m) => `${m.Type} ${m.Destination}`)).toEqual(['volume /home/learner']);
    expect(sandbox.HostConfig).toMatchObject({ CapDrop: ['ALL'], ReadonlyRootfs: true, Privileged: false, Memory: 512 * 2 ** 20, NanoCpus: 1e9, PidsLimit: 512, SecurityOpt: ['no-new-privileges'] });
    expect(sandbox.Config.User).toBe('1000:1000');
    expect(Object.keys(sandbox.NetworkSettings.Networks)).toEqual([`${envA}-net`]);
    const [node] = JSON.parse((await exec('docker', ['inspect', `${envA}-control-plane`])).stdout) as Inspect[];
    expect(Object.keys(node.NetworkSettings.Networks)).toEqual([`${envA}-net`]);
    expect(node.HostConfig.Memory).toBe(3072 * 2 ** 20);
    // Docker holds the record: the assignment names the learner and their home.
    const [assignment] = JSON.parse((await exec('docker', ['volume', 'inspect', assignmentName(pool, envA)])).stdout) as { Labels: Record<string, string> }[];
    expect(assignment.Labels).toMatchObject({ 'io.kubernetes-labs.pool': pool, 'io.kubernetes-labs.learner': A, 'io.kubernetes-labs.home': homeVolumeName(pool, envA) });
  });

  it("A's home is a filesystem of its own: filling it stops at its size, not at the host's disk", async () => {
    const sizeKiB = Number((await ok(envA, "df -k --output=size ~ | tail -1")).trim());
    expect(sizeKiB).toBeGreaterThan(200 * 1024);
    expect(sizeKiB).toBeLessThan(260 * 1024);
    const fill = await inSandbox(envA, 'dd if=/dev/zero of=~/fill bs=1M count=400 status=none');
    expect(fill.code).not.toBe(0);
    expect(fill.out).toMatch(/No space left on device/);
    await ok(envA, 'rm -f ~/fill && test ! -e ~/lost+found');
    // On the host: the image file holds at most the home's size.
    const { stdout } = await exec('du', ['-k', homeImage(homeVolumeName(pool, envA))]);
    expect(Number(stdout.split('\t')[0])).toBeLessThan(260 * 1024);
  });

  it("A cannot reach B's API server or B's sandbox, by name or by address", async () => {
    const byName = await inSandbox(envA, `curl -sk --max-time 5 https://${envB}-control-plane:6443/version`);
    expect(byName.code, byName.out).toBe(6); // could not resolve
    const nodeB = await ipOf(`${envB}-control-plane`);
    const byAddress = await inSandbox(envA, `curl -sk --max-time 5 https://${nodeB}:6443/version`);
    expect(byAddress.code, byAddress.out).toBe(28); // dropped: timeout, not even "refused"
    const sandboxB = await ipOf(sandboxName(envB));
    expect((await inSandbox(envA, `curl -s --max-time 5 http://${sandboxB}:22/`)).code).toBe(28);
    expect((await inSandbox(envA, `curl -s --max-time 5 http://${sandboxName(envB)}/`)).code).toBe(6);
    // B's own sandbox does reach B's API server (the check above is not just a broken curl).
    expect(await ok(envB, `curl -sk --max-time 5 -o /dev/null -w '%{http_code}' https://${envB}-control-plane:6443/version`)).toMatch(/^(200|401|403)$/);
  });

  it('reaches the class server as labs-server (the hook for the `labs` thin client)', async () => {
    const gateway = (await exec('docker', ['network', 'inspect', 'bridge', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}'])).stdout.trim();
    const server = createServer((req, res) => res.end(`hello ${req.headers.authorization ?? ''}`));
    await new Promise<void>((resolve) => server.listen(0, gateway, resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      expect(await ok(envA, `curl -s --max-time 5 -H "Authorization: Bearer $(cat "$LABS_TOKEN_FILE")" "$(cut -d: -f1,2 ${serverFile}):${port}/"`)).toBe('hello Bearer token-learner-1001-0123456789abcdef');
    } finally {
      server.close();
    }
  });

  it('pulls through the read-only mirror on its own network; pushes are refused', async () => {
    await ok(envA, 'kubectl run mirror-check --image=docker.io/library/busybox:latest --restart=Never --command -- true');
    await ok(envA, 'for i in $(seq 120); do p=$(kubectl get pod mirror-check -o jsonpath={.status.phase}); [ "$p" = Succeeded ] && exit 0; sleep 1; done; kubectl describe pod mirror-check; exit 1');
    const push = await ok(envA, "curl -s -o /dev/null -w '%{http_code}' -X POST http://kubernetes-labs-registry:5000/v2/docker.io/library/busybox/blobs/uploads/");
    expect(push).not.toMatch(/^2/);
  });

  it('the shell survives its terminal being killed -9, with what runs in it', async () => {
    const one = terminal(first, A);
    await sleep(1500);
    one.pty.write('sleep 1000 & echo started-$((6*7))\r');
    await waitFor('the first terminal to run the command', () => one.output().includes('started-42'));
    process.kill(one.pty.pid, 'SIGKILL');
    await sleep(500);
    const two = terminal(first, A);
    await sleep(1500);
    two.pty.write('jobs; echo found-$(pgrep -fc "sleep 1000")\r');
    await waitFor('the second terminal to list the job', () => /found-1/.test(two.output()));
    expect(two.output()).toMatch(/sleep 1000/);
    two.pty.kill();
  });

  it("freezes A's idle environment (no CPU; a lab-1 pod restarting, a lab-2 pod not ready) and thaws it Ready, with the shell and the labs as they were", async () => {
    const kubeconfig = first.kubeconfig(A)!;
    for (const lab of ['01-liveness', '02-readiness']) expect(await solveLab(lab, { kubeconfig, onOutput: log })).toBe(0);
    // Lab 1 passes once its pod restarted; lab 2's pod goes not ready after agnhost's first 10 s.
    expect((await verifyLab('01-liveness', { kubeconfig, waitSeconds: 120 })).passed).toBe(true);
    await until("lab 2's pod to be not ready", async () => (await podsOf(kubeconfig)).get('readiness/readiness-http')?.ready === 'False');
    const term = terminal(first, A);
    await sleep(1500);
    term.pty.write('sleep 2000 & echo before-freeze-$((6*7))\r');
    await waitFor('the shell to run the command', () => term.output().includes('before-freeze-42'));
    term.pty.kill();
    const before = await podsOf(kubeconfig);

    expect(await first.freeze(A, 'paused for the test')).toBe(true);
    expect(first.status(A)).toEqual({ state: 'frozen', message: 'paused for the test' });
    expect(first.kubeconfig(A)).toBeUndefined();
    const containers = [`${envA}-control-plane`, sandboxName(envA)];
    const { stdout: paused } = await exec('docker', ['inspect', '-f', '{{.State.Paused}}', ...containers]);
    expect(paused.trim().split('\n')).toEqual(['true', 'true']);
    await sleep(FREEZE_SECONDS * 1000);
    const cpu = await containerCpu(containers);
    console.log(`[classroom] frozen for ${FREEZE_SECONDS} s: CPU ${containers.map((c) => `${c} ${((cpu[c] ?? NaN) * 100).toFixed(2)} %`).join(', ')}`);
    for (const c of containers) expect(cpu[c]).toBeLessThan(0.005);

    const started = Date.now();
    await first.wake(A);
    console.log(`[classroom] thawed after ${FREEZE_SECONDS} s frozen: node Ready ${Date.now() - started} ms after the wake began`);
    expect(first.status(A).state).toBe('ready');
    // The learner's kubectl answers at once.
    expect(await ok(envA, 'kubectl get pods -A -o name')).toContain('pod/readiness-http');
    // Give the controllers a moment to act on the time they missed, then compare.
    await sleep(15_000);
    const after = await podsOf(kubeconfig);
    for (const [pod, was] of before) {
      const now = after.get(pod);
      expect(now, pod).toBeDefined();
      // Only lab 1's pod restarts (its liveness probe fails by design); nothing else restarted or was evicted.
      if (pod !== 'liveness/liveness-http') expect(now!.restarts, pod).toBe(was.restarts);
      // Nobody's Ready condition moved: the node never went Unknown, no pod was marked not ready.
      // The control plane's static pods are Ready, their status written anew by the new kubelet
      // (every condition and the start time re-stamped, as after any kubelet restart).
      if (was.static) expect(now!.ready, pod).toBe('True');
      else if (pod !== 'liveness/liveness-http') expect(now!.readySince, pod).toBe(was.readySince);
    }
    const events = await ok(envA, 'kubectl get events -A --field-selector involvedObject.kind=Node -o custom-columns=R:.reason --no-headers');
    expect(events).not.toMatch(/NodeNotReady|NodeStatusUnknown/);
    expect((await verifyLab('01-liveness', { kubeconfig })).passed).toBe(true);
    // The shell: its job still runs and its scrollback is there.
    const again = terminal(first, A);
    await sleep(1500);
    again.pty.write('jobs; echo after-thaw-$((6*7))\r');
    await waitFor('the shell after the thaw', () => again.output().includes('after-thaw-42'));
    expect(again.output()).toMatch(/sleep 2000/);
    expect(again.output()).toContain('before-freeze-42');
    again.pty.kill();
  }, 900_000);

  it('a new instance re-adopts both environments from their Docker labels, then releases them', async () => {
    await first.close();
    second = await LocalLearnerEnvironments.open({ ...options, warm: 0 });
    for (const [learner, env] of [[A, envA], [B, envB]]) {
      expect(second.status(learner).state).toBe('ready');
      expect(second.environmentOf(learner)).toBe(env);
      expect(second.kubeconfig(learner)).toBe(first.kubeconfig(learner));
    }
    expect(await ok(envB, 'kubectl get nodes -o name')).toContain(`node/${envB}-control-plane`);
    await second.release(A);
    await second.release(B);
    expect(second.status(A).state).toBe('gone');
    const left = await findPool(pool);
    expect(left).toEqual({ networks: [], sandboxes: [], homes: [], assignments: [] });
    // Their homes' filesystems went with them.
    for (const env of [envA, envB]) expect(existsSync(homeImage(homeVolumeName(pool, env)))).toBe(false);
    const clusters = await kindClusters();
    expect(clusters).not.toContain(envA);
    expect(clusters).not.toContain(envB);
  });
});
