// A class, end to end, on real clusters (issue #12): the real server in classroom mode with local
// environments (a kind cluster and a sandbox per learner), an instructor and two learners in three
// chromium browsers at once. Ana fixes lab 1's starter file in her terminal and the instructor's
// grid turns green with nobody pressing Check; Ben applies the wrong probe port and the
// dashboard's failure reasons name it; Ben's lab 2 pod, typed without -n, shows as a near miss
// while lab 5, which nobody started, adds nothing; the instructor watches Ben's terminal read-only; `labs
// verify` in a sandbox grades on the server as that learner only; lessons 02, 04 and 07 run in Ana's
// sandbox and lab 5 passes there; Ana installs Argo CD with her own `labs addon argocd` and lab 8
// passes through the class git server; from Ana's sandbox every escape in the catalog (a
// privileged pod, the host's disk, kube-system, the kubelet, RBAC, Argo CD) is refused; a third learner is told the machine is full; the server is
// killed -9 while learners type and a check runs, and after a restart every attempt, shell,
// process and the grid are still there; Ben's stopped cluster shows on the dashboard and
// "recreate" brings it back; ending the class reclaims both environments. Two learner clusters
// (warm pool of 2, at most 2 environments) and one recreated.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPool, sandboxName } from '../../src/environments/classroom/docker-objects.ts';
import { LocalLearnerEnvironments } from '../../src/environments/classroom/local.ts';
import { kindClusters } from '../../src/environments/kind-provider.ts';
import { readOnlyMirrorContainer } from '../../src/environments/mirror.ts';
import { escapeAttempts, inPodAttempts, ordinaryPod, unrefused } from './helpers/escape-catalog.ts';
import { stopGitServer } from '../../src/gitserver/service.ts';
import { illustrativeBlocks, lessonEntries, loadLesson, repoRoot, runnableBlocks } from '../course/lessons.ts';
import { fixLab1 } from '../course/answers.ts';
import { ShellSession } from '../course/run-blocks.ts';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from '../browser/harness.ts';
import { terminalReady, terminalText, type, waitForTerminal, type Terminal } from './helpers/learner-terminal.ts';

const exec = promisify(execFile);
const ADMIN = { username: 'teacher', password: 'correct-horse-battery' };
const POOL = `e2e-${randomBytes(3).toString('hex')}`;
const SHOTS = join(ARTIFACTS, 'classroom-class');
const MINUTE = 60_000;

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

let server: RunningServer;
let serverArgs: string[];
// The class's own git server (its data folder is this test's): not the port of this machine's own.
const gitPort = await new Promise<number>((resolve) => {
  const probe = createNetServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  });
});
const serverEnv = { LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}`, LABS_CLASSROOM_POOL: POOL, LABS_GIT_PORT: String(gitPort) };
const browsers: Browser[] = [];
let teacher: BrowserContext;
let dashboard: Page;
let cohort: { id: number; code: string };
const learners: Record<'ana' | 'ben', { page: Page; id: number; env: string }> = {} as never;

async function browser(): Promise<BrowserContext> {
  const b = await launchBrowser();
  browsers.push(b);
  return b.context;
}

/** The learner's sandbox container and cluster, from the pool's Docker labels. */
async function environmentOf(learnerId: number): Promise<string> {
  const assignment = (await findPool(POOL)).assignments.find((a) => a.learner === `learner:${learnerId}`);
  if (!assignment) throw new Error(`learner ${learnerId} has no environment in pool ${POOL}`);
  return assignment.env;
}

async function inSandbox(env: string, script: string, timeoutMs = 5 * MINUTE): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec('docker', ['exec', sandboxName(env), 'bash', '-lc', script], { timeout: timeoutMs, maxBuffer: 8 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

async function joinClass(name: string): Promise<Page> {
  const page = await (await browser()).newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(new URL(`/join?code=${cohort.code}`, server.url).href);
  await page.fill('[data-cr-join-form] input[name="name"]', name);
  await page.click('[data-cr-join-form] button[type="submit"]');
  await page.waitForURL(/\/lessons\//, { timeout: 30_000 });
  return page;
}

const learnerId = async (page: Page): Promise<number> => {
  const rows = await dashboard.locator('[data-cr-grid-body] tr[data-learner]').all();
  const name = (await page.locator('[data-cr-strip-name]').textContent())!;
  for (const row of rows) if ((await row.locator('[data-cr-open]').textContent()) === name) return Number(await row.getAttribute('data-learner'));
  throw new Error(`${name} is not on the dashboard`);
};

const cell = (id: number, lab: number, state = '') => dashboard.locator(`[data-cr-grid-body] tr[data-learner="${id}"] .cr-cell[data-lab="${lab}"]${state && `[data-state="${state}"]`}`);

/** Every attempt the server recorded, with its per-task rows, read from its database file. */
function recordedAttempts(): string[] {
  const db = new DatabaseSync(join(server.home, 'data', 'progress.sqlite'), { readOnly: true });
  try {
    const rows = db.prepare("SELECT a.id, a.learner, a.lab, a.passed, a.started_at, group_concat(t.task || '=' || t.passed, ',') AS tasks FROM attempts a LEFT JOIN attempt_tasks t ON t.attempt_id = a.id GROUP BY a.id ORDER BY a.id").all();
    return rows.map((row) => JSON.stringify(row));
  } finally {
    db.close();
  }
}

/** An upgrade request to the terminal WebSocket with a browser's cookies; resolves with the HTTP status. */
function upgradeStatus(cookie: string, query: string): Promise<number> {
  const url = new URL(`/ws/terminal?${query}`, server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      Origin: server.origin, Host: url.host, Cookie: cookie,
    } });
    req.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 101)));
    req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The server listens on Docker's bridge address: sandboxes reach it there as labs-server, and
  // the browsers too; nothing listens beyond this machine.
  const bridge = (await exec('docker', ['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'])).stdout.trim();
  // --freeze 0: the escape catalog reaches into sandboxes with docker exec, which a frozen one refuses.
  serverArgs = ['--classroom', '--environments', 'local', '--warm', '2', '--max-environments', '2', '--host', bridge, '--freeze', '0'];
  server = await startServer(serverEnv, undefined, serverArgs);
  teacher = await browser();
}, 10 * MINUTE);

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) stopGitServer(join(server.home, 'data', 'git'));
  await server?.stop();
  // Nothing of the class stays on Docker: its learners' environments and its warm pool go.
  const environments = await LocalLearnerEnvironments.open({ pool: POOL, warm: 0, freezeMs: 0 });
  for (const a of (await findPool(POOL)).assignments) await environments.release(a.learner);
  await environments.close({ removeWarm: true });
  expect(await findPool(POOL)).toEqual({ networks: [], sandboxes: [], homes: [], assignments: [] });
}, 10 * MINUTE);

describe('a class on real clusters: an instructor and two learners at once', () => {
  it('the instructor signs in and creates a class with labs 1, 2 and 5', async () => {
    const page = await teacher.newPage();
    await page.goto(new URL('/en/classroom/', server.url).href);
    await page.fill('input[name="username"]', ADMIN.username);
    await page.fill('input[name="password"]', ADMIN.password);
    await page.click('[data-cr-login-form] button[type="submit"]');
    await page.locator('[data-cr-classes]').waitFor({ state: 'visible', timeout: 30_000 });
    for (const box of await page.locator('[data-cr-create] input[name="labs"]').all()) {
      if (!['1', '2', '5'].includes((await box.getAttribute('value'))!)) await box.uncheck();
    }
    await page.fill('[data-cr-create] input[name="name"]', 'Probes, Tuesday');
    await page.click('[data-cr-create] button[type="submit"]');
    const fresh = page.locator('[data-cr-cohorts] [data-fresh]');
    await fresh.waitFor({ timeout: 30_000 });
    const code = (await fresh.locator('[data-join-code]').getAttribute('data-join-code'))!;
    const href = (await fresh.locator('a', { hasText: 'Dashboard' }).getAttribute('href'))!;
    cohort = { id: Number(/cohorts\/(\d+)\//.exec(href)![1]), code };
    dashboard = await teacher.newPage();
    await dashboard.setViewportSize({ width: 1440, height: 900 });
    await dashboard.goto(new URL(href, server.url).href);
    await dashboard.locator('[data-cr-live][data-state="live"]').waitFor({ timeout: 30_000 });
    await dashboard.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  });

  it('two learners join and each gets a shell in their own sandbox, on their own cluster', async () => {
    const [ana, ben] = [await joinClass('Ana'), await joinClass('Ben')];
    for (const [key, page] of [['ana', ana], ['ben', ben]] as const) {
      await page.goto(new URL('/en/lessons/02-probes/', server.url).href);
      // From the warm pool when it is ready; on a machine building it still, when it is.
      await terminalReady(page, 25 * MINUTE).catch((error: Error) => {
        throw new Error(`${error.message}\n--- server (last lines) ---\n${server.output().split('\n').slice(-30).join('\n')}`);
      });
      const id = await learnerId(page);
      learners[key] = { page, id, env: await environmentOf(id) };
    }
    expect(learners.ana.env).not.toBe(learners.ben.env);
    await type(learners.ana.page, 'echo "I am $(id -un) on $(kubectl config current-context) with $(ls ~/labs | wc -l) labs"');
    await waitForTerminal(learners.ana.page, /I am learner on \S+ with [1-9] labs/);
    const nodes = await inSandbox(learners.ben.env, 'kubectl get nodes -o name');
    expect(nodes.out.trim()).toBe(`node/${learners.ben.env}-control-plane`);
  }, 40 * MINUTE);

  it("Ana fixes lab 1 in her terminal and the instructor's grid turns green without anyone pressing Check", async () => {
    await type(learners.ana.page, ...fixLab1(8080));
    await waitForTerminal(learners.ana.page, /pod\/liveness-http created/);
    await cell(learners.ana.id, 1, 'passed').waitFor({ timeout: 5 * MINUTE });
    expect(await dashboard.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await dashboard.screenshot({ path: join(SHOTS, 'dashboard-ana-passed-1440.png') });
  }, 10 * MINUTE);

  it("Ben applies the wrong probe port and the dashboard's failure reasons name it", async () => {
    await type(learners.ben.page, ...fixLab1(8081));
    await waitForTerminal(learners.ben.page, /pod\/liveness-http created/);
    const reason = dashboard.locator('[data-cr-failures] li', { hasText: '8081' });
    await reason.waitFor({ timeout: 5 * MINUTE });
    expect(await reason.textContent()).toContain('Lab 1');
    await reason.locator('summary').click();
    expect(await reason.locator('details').textContent()).toContain('Ben');
    expect(await cell(learners.ben.id, 1).getAttribute('data-state')).not.toBe('passed');
    await dashboard.screenshot({ path: join(SHOTS, 'dashboard-failures-1440.png') });
  }, 10 * MINUTE);

  it("Ben applies lab 2's pod as the source course types it: the dashboard names where it went, and lab 5, untouched, adds nothing", async () => {
    const typed = Date.now();
    await type(learners.ben.page, 'kubectl run readiness-http --image=registry.k8s.io/e2e-test-images/agnhost:2.40 -- liveness');
    const group = dashboard.locator('[data-cr-failures] li.cr-failure-near', { hasText: 'Pod "readiness-http" is in namespace "default"' });
    await group.waitFor({ timeout: MINUTE });
    console.log(`near miss on the dashboard ${((Date.now() - typed) / 1000).toFixed(1)} s after Enter`);
    expect(await group.textContent()).toContain('Lab 2');
    expect(await group.textContent()).toContain('kubectl -n readiness apply');
    await group.locator('summary').click();
    expect(await group.locator('details').textContent()).toBe(`${await group.locator('summary').textContent()}Ben`);
    // Lab 5: nobody started it — nothing of it is failing, it is a quiet count.
    expect(await dashboard.locator('[data-cr-failures] li', { hasText: 'Lab 5' }).count()).toBe(0);
    expect(await dashboard.locator('[data-cr-not-started] li[data-lab="5"]').textContent()).toContain('2 learners');
    expect(await cell(learners.ben.id, 2).getAttribute('data-state')).not.toBe('passed');
    for (const [language, width] of [['en', 1440], ['en', 390], ['ko', 1440], ['ko', 390]] as const) {
      const page = language === 'en' ? dashboard : await teacher.newPage();
      if (language === 'ko') {
        await page.goto(dashboard.url().replace('/en/', '/ko/'));
        await page.locator('[data-cr-failures] li.cr-failure-near').waitFor({ timeout: 30_000 });
      }
      await page.setViewportSize({ width, height: 900 });
      await page.locator('[data-cr-failures]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `dashboard-near-miss-${language}-${width}.png`), fullPage: width === 390 });
      if (language === 'ko') await page.close();
    }
    await dashboard.setViewportSize({ width: 1440, height: 900 });
    await inSandbox(learners.ben.env, 'kubectl delete pod readiness-http --grace-period=0 >/dev/null');
  }, 5 * MINUTE);

  it('`labs verify` in a sandbox grades on the server, as that learner only', async () => {
    await type(learners.ana.page, 'labs verify 1; echo "verify-exit=$?"');
    const ana = await waitForTerminal(learners.ana.page, /verify-exit=\d/);
    expect(ana).toMatch(/lab \S+: (\d+)\/\1 passed/);
    expect(ana).toContain('verify-exit=0');
    await type(learners.ben.page, 'labs verify 1; echo "verify-exit=$?"');
    const ben = await waitForTerminal(learners.ben.page, /verify-exit=\d/);
    expect(ben).toContain('8081');
    expect(ben).toContain('verify-exit=1');
    // The sandbox's token is Ana's learner session: it grades Ana and opens nothing else.
    const asAna = (path: string, method = 'GET') =>
      inSandbox(learners.ana.env, `curl -s -o /dev/null -w '%{http_code}' -X ${method} -H "Authorization: Bearer $(cat ~/.config/labs/token)" "$(cat ~/.config/labs/server)${path}"`);
    for (const path of ['/api/classroom/cohorts', `/api/classroom/cohorts/${cohort.id}`, `/api/classroom/cohorts/${cohort.id}/export.csv`, `/api/classroom/cohorts/${cohort.id}/events`]) {
      expect((await asAna(path)).out, path).toMatch(/^40[13]$/);
    }
    expect((await asAna(`/api/classroom/learners/${learners.ben.id}/reset`, 'POST')).out).toMatch(/^40[13]$/);
    const forged = await inSandbox(learners.ana.env, `curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer ${'A'.repeat(43)}' "$(cat ~/.config/labs/server)/api/labs/1/verify"`);
    expect(forged.out).toBe('401');
    // Nothing of the grader or the results lives in the sandbox.
    expect((await inSandbox(learners.ana.env, 'ls / /usr/local/bin; find / -xdev \\( -name "*.sqlite" -o -name "check.ts" \\) 2>/dev/null')).out).not.toMatch(/sqlite|check\.ts|node_modules/);
  }, 10 * MINUTE);

  it("a learner's browser gets nobody else's terminal, and no watcher's seat", async () => {
    const cookie = (await learners.ana.page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(await upgradeStatus(cookie, `watch=learner:${learners.ben.id}`)).toBe(403);
    expect(await upgradeStatus('', '')).toBe(401);
  });

  it("the instructor watches Ben's terminal read-only: his last command, and typing there reaches nothing", async () => {
    await type(learners.ben.page, 'echo ben-last-$((40+2))');
    await waitForTerminal(learners.ben.page, /^ben-last-42$/m);
    const watch = await teacher.newPage();
    await watch.setViewportSize({ width: 1440, height: 900 });
    await watch.goto(new URL(`/en/classroom/watch/${learners.ben.id}/?cohort=${cohort.id}`, server.url).href);
    await watch.waitForFunction(() => (window as unknown as { labsTerminal?: Terminal }).labsTerminal?.ready === true, null, { timeout: 60_000 });
    await waitForTerminal(watch, /^ben-last-42$/m, 30_000);
    await learners.ben.page.locator('[data-cr-strip-watching]').waitFor({ state: 'visible', timeout: 30_000 });
    await watch.click('[data-terminal-host]').catch(() => undefined);
    await watch.keyboard.type('echo from-the-instructor\n');
    await learners.ben.page.waitForTimeout(2000);
    expect(await terminalText(learners.ben.page)).not.toContain('from-the-instructor');
    await watch.screenshot({ path: join(SHOTS, 'watch-ben-1440.png') });
    await watch.close();
  }, 5 * MINUTE);

  it("the results export has both learners' rows", async () => {
    const response = await teacher.request.get(new URL(`/api/classroom/cohorts/${cohort.id}/export.csv`, server.url).href);
    expect(response.status()).toBe(200);
    // UTF-8 with a byte-order mark: Excel on Windows reads it as UTF-8 only then.
    const bytes = await response.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('"Class","Learner","Lab","Lab title","Task","Points","Passed","Passed at","Lab id","Task id"');
    expect(csv).toMatch(/^"Probes, Tuesday","Ana","1","[^"]+","[^"]+","\d+","true","\d{4}-[^"]+","01-liveness","[a-z-]+"$/m);
    expect(csv).toMatch(/^"Probes, Tuesday","Ben","1","[^"]+","[^"]+","0","false","","01-liveness","probe-configured"$/m);
  });

  it("lessons 02, 04 and 07 (Argo CD through the server) run block by block in Ana's sandbox, not on this host", async () => {
    for (const slug of ['02-probes', '04-kustomize', '07-argocd']) {
      const lesson = lessonEntries('en').map((entry) => loadLesson(entry)).find((l) => l.slug === slug)!;
      const blocks = runnableBlocks(lesson);
      expect(blocks.length + illustrativeBlocks(lesson).length).toBeGreaterThan(0);
      const session = new ShellSession({ env: {}, startDir: '/home/learner', blockTimeoutMs: 6 * MINUTE, container: sandboxName(learners.ana.env) });
      for (const [i, block] of blocks.entries()) {
        const result = await session.run(block, i + 1);
        expect(result.exitCode, `content/en/${slug}.md:${block.line} (block ${i + 1}/${blocks.length}) in the sandbox:\n${block.code}\n---\n${result.output.slice(-3000)}`).toBe(0);
      }
    }
  }, 30 * MINUTE);

  it("lab 5 fails fresh and passes after its solution, through Ben's own `labs verify`", async () => {
    const before = await inSandbox(learners.ben.env, 'labs verify 5');
    expect(before.code, before.out).toBe(1);
    // The reference solution, run by the learner in their sandbox (the lab folder copied in).
    await exec('bash', ['-c', `tar -C '${join(repoRoot, 'labs')}' -c 05-kustomize-overlays | docker exec -i ${sandboxName(learners.ben.env)} tar -C /tmp -x`]);
    const solved = await inSandbox(learners.ben.env, 'bash /tmp/05-kustomize-overlays/solve.sh');
    expect(solved.code, solved.out).toBe(0);
    // As a learner would: check again until the two pods have started (solve.sh does not wait).
    const after = await inSandbox(learners.ben.env, 'for i in $(seq 60); do labs verify 5 >/tmp/verify.out && break; sleep 3; done; cat /tmp/verify.out; labs verify 5 >/dev/null');
    expect(after.code, after.out).toBe(0);
    expect(after.out).toMatch(/lab \S+: (\d+)\/\1 passed/);
  }, 10 * MINUTE);

  it("lab 8 (GitOps) passes for Ana: her own `labs addon argocd`, then solve.sh through the class git server; Ben cannot read her repository", async () => {
    const before = await inSandbox(learners.ana.env, 'labs verify 8');
    expect(before.code, before.out).toBe(1);
    // The server installs Argo CD into her cluster and hands her the git access (her password goes to ~/.git-credentials).
    const installed = await inSandbox(learners.ana.env, [
      'labs addon argocd && labs addon argocd --status && stat -c %a ~/.git-credentials',
      // git finds her password itself: the URL without it works.
      'git ls-remote "$(labs addon argocd --clone-url | sed "s#//[^@]*@#//#")" >/dev/null && echo listed-without-password',
    ].join(' && '), 15 * MINUTE);
    expect(installed.code, installed.out).toBe(0);
    expect(installed.out).toMatch(/Argo CD is ready at https:\/\/[\d.]+:31001/);
    expect(installed.out).toMatch(/^600$/m);
    expect(installed.out).toMatch(/^listed-without-password$/m);
    await exec('bash', ['-c', `tar -C '${join(repoRoot, 'labs')}' -c 08-gitops-argocd | docker exec -i ${sandboxName(learners.ana.env)} tar -C /tmp -x`]);
    const solved = await inSandbox(learners.ana.env, 'LABS_WORKDIR=$HOME/lab8 bash /tmp/08-gitops-argocd/solve.sh', 12 * MINUTE);
    expect(solved.code, solved.out).toBe(0);
    const after = await inSandbox(learners.ana.env, 'labs verify 8');
    expect(after.code, after.out).toBe(0);
    // Ben's own git password does not open Ana's repository, which is not named in his sandbox anywhere.
    const anaUrl = (await inSandbox(learners.ana.env, 'git -C $HOME/lab8/gitops remote get-url origin')).out.trim();
    const theft = await inSandbox(learners.ben.env, `url=$(labs addon argocd --clone-url); git ls-remote "\${url%/learner-*}/${anaUrl.split('/').slice(-2).join('/')}"`);
    expect(theft.code, theft.out).not.toBe(0);
    expect(theft.out).toMatch(/not found/);
  }, 30 * MINUTE);

  it("a hostile learner stays inside: every escape in the catalog fails from Ana's sandbox, through Argo CD too, and Ben and the host are untouched", async () => {
    const ana = learners.ana.env;
    const made = await inSandbox(ana, 'kubectl create namespace escape && kubectl get nodes -o jsonpath="{.items[0].metadata.name}"');
    expect(made.code, made.out).toBe(0);
    const vars = `export NS=escape NODE=${made.out.trim().split('\n').pop()}; set -euo pipefail\n`;
    const failures = await unrefused(escapeAttempts, (script) => inSandbox(ana, script, 3 * MINUTE), vars);
    const ordinary = await inSandbox(ana, `${vars}${ordinaryPod}\nkubectl -n escape wait pod/esc-ordinary --for=condition=Ready --timeout=180s`);
    expect(ordinary.code, ordinary.out).toBe(0);
    failures.push(...(await unrefused(inPodAttempts, (script) => inSandbox(ana, script), vars)));
    expect(failures, failures.join('\n\n')).toEqual([]);

    // Argo CD (installed for lab 8) deploys with her rights: a privileged pod, and a pod in kube-system, from her own repository.
    const pushed = await inSandbox(ana, [
      'cd $HOME/lab8/gitops && mkdir -p esc-privileged esc-kube-system',
      `echo '${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'esc-argo' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], securityContext: { privileged: true } }] } })}' > esc-privileged/pod.json`,
      `echo '${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'esc-argo-ks' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } })}' > esc-kube-system/pod.json`,
      'git add -A && git commit -qm escape && git push -q origin main',
      'repo=$(kubectl -n argocd get application custom-nginx -o jsonpath="{.spec.source.repoURL}")',
      'for app in esc-privileged:escape esc-kube-system:kube-system; do',
      '  printf \'{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"%s","namespace":"argocd"},"spec":{"project":"default","source":{"repoURL":"%s","targetRevision":"main","path":"%s"},"destination":{"server":"https://kubernetes.default.svc","namespace":"%s"},"syncPolicy":{"automated":{},"retry":{"limit":0}}}}\' "${app%%:*}" "$repo" "${app%%:*}" "${app#*:}" | kubectl apply -f -',
      'done',
    ].join('\n'));
    expect(pushed.code, pushed.out).toBe(0);
    for (const [app, policy] of [['esc-privileged', 'labs.pod-security'], ['esc-kube-system', 'labs.platform-namespaces']] as const) {
      const refusedByArgo = await inSandbox(ana, `for i in $(seq 60); do kubectl -n argocd get application ${app} -o json > /tmp/${app}.json; grep -q '${policy}' /tmp/${app}.json && exit 0; sleep 3; done; cat /tmp/${app}.json; exit 1`, 5 * MINUTE);
      expect(refusedByArgo.code, `Argo CD's sync of ${app} was not refused by ${policy}:\n${refusedByArgo.out.slice(-3000)}`).toBe(0);
    }

    // Nothing of the attempts runs: no pod outside the platform's namespaces has a way onto the node.
    const pods = JSON.parse((await inSandbox(ana, 'kubectl get pods -A -o json')).out) as { items: { metadata: { namespace: string; name: string }; spec: Record<string, any> }[] };
    const escaped = pods.items.filter((p) => !['kube-system', 'local-path-storage'].includes(p.metadata.namespace)).filter((p) => p.spec.hostNetwork || p.spec.hostPID
      || (p.spec.volumes ?? []).some((v: Record<string, unknown>) => v.hostPath) || (p.spec.containers ?? []).some((c: any) => c.securityContext?.privileged));
    expect(escaped.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([]);
    expect(pods.items.some((p) => p.metadata.namespace === 'kube-system' && p.metadata.name.startsWith('esc-'))).toBe(false);
    // Ben's shell and cluster work as before; the mirror on both networks forwards nothing between them.
    const ben = await inSandbox(learners.ben.env, 'kubectl get nodes -o name && id -un');
    expect(ben.code, ben.out).toBe(0);
    expect(ben.out).toMatch(/^learner$/m);
    const { stdout: mirrorPid } = await exec('docker', ['inspect', '-f', '{{.State.Pid}}', readOnlyMirrorContainer]);
    const { stdout: forwarding } = await exec('nsenter', ['-t', mirrorPid.trim(), '-n', 'cat', '/proc/sys/net/ipv4/ip_forward']);
    expect(forwarding.trim()).toBe('0');
    await inSandbox(ana, 'kubectl -n argocd delete application esc-privileged esc-kube-system --wait=false; kubectl delete namespace escape --wait=false');
  }, 30 * MINUTE);

  it('a third learner on a full machine is told so, on the dashboard too', async () => {
    const cy = await joinClass('Cy');
    const row = dashboard.locator('[data-cr-grid-body] tr', { hasText: 'Cy' });
    await row.locator('.cr-row-env[data-state="error"]').waitFor({ timeout: 2 * MINUTE });
    expect(await row.locator('.cr-env-message').textContent()).toMatch(/full/i);
    await cy.close();
  }, 5 * MINUTE);

  it('kill -9 of the server while learners type and a check runs: nothing recorded is lost, shells and processes live on', async () => {
    const ben = learners.ben.page;
    await type(ben, 'sleep 4242 &', 'echo marker-before-kill');
    await waitForTerminal(ben, /^marker-before-kill$/m);
    // Ana presses Check; its answer is recorded before the kill.
    const card = learners.ana.page.locator('.lab-card[data-lab="1"]');
    await card.locator('[data-lab-check]').click();
    await card.locator('[data-lab-result]').filter({ hasText: /\S/ }).waitFor({ timeout: 2 * MINUTE });
    const recorded = recordedAttempts();
    expect(recorded.length).toBeGreaterThan(0);
    const grid = { ana: await cell(learners.ana.id, 1).getAttribute('data-state'), ben: await cell(learners.ben.id, 1).getAttribute('data-state') };
    // Mid-keystrokes and mid-check: Ben types, Ana presses Check again, and the server dies.
    await ben.click('[data-terminal-host]');
    await ben.keyboard.type('echo typed-while-dying', { delay: 5 });
    await card.locator('[data-lab-check]').click();
    server.process.kill('SIGKILL');
    await new Promise((done) => server.process.once('exit', done));

    server = await startServer(serverEnv, { home: server.home, port: server.port }, serverArgs);
    const after = recordedAttempts();
    for (const row of recorded) expect(after).toContain(row);
    await dashboard.reload();
    await dashboard.locator('[data-cr-live][data-state="live"]').waitFor({ timeout: 30_000 });
    expect(await cell(learners.ana.id, 1).getAttribute('data-state')).toBe(grid.ana);
    expect(await cell(learners.ben.id, 1).getAttribute('data-state')).toBe(grid.ben);
    // Ben's page reconnects by itself to the same shell: his job, his history, his half-typed line.
    await ben.waitForFunction(() => (window as unknown as { labsTerminal?: Terminal }).labsTerminal?.ready === true, null, { timeout: 2 * MINUTE, polling: 500 });
    await ben.keyboard.press('Control+U');
    await type(ben, 'echo "jobs=$(jobs | grep -c "sleep 4242") running=$(pgrep -fc "sleep 4242") history=$(history | grep -c marker-before-kill)"');
    await waitForTerminal(ben, /jobs=1 running=1 history=[1-9]/);
  }, 15 * MINUTE);

  it("time on a lab starts at the learner's first action in it: after the instructor resets Ben's lab 1, his next command in its namespace", async () => {
    const row = dashboard.locator(`[data-cr-grid-body] tr[data-learner="${learners.ben.id}"]`);
    expect(['working', 'stuck']).toContain(await cell(learners.ben.id, 1).getAttribute('data-state'));
    await row.locator('[data-cr-open]').click();
    await dashboard.selectOption('[data-cr-reset-lab]', '1');
    await dashboard.click('[data-cr-reset]');
    await dashboard.locator('dialog.cr-dialog[open] button[value="yes"]').click();
    await cell(learners.ben.id, 1, 'none').waitFor({ timeout: 5 * MINUTE });
    await dashboard.click('[data-cr-drawer-close]');
    // Background grading of the emptied lab does not start it again.
    await dashboard.waitForTimeout(20_000);
    expect(await cell(learners.ben.id, 1).getAttribute('data-state')).toBe('none');
    const typed = Date.now();
    await type(learners.ben.page, 'kubectl -n liveness get pods');
    await cell(learners.ben.id, 1, 'working').waitFor({ timeout: 30_000 });
    console.log(`lab 1 started on the dashboard ${((Date.now() - typed) / 1000).toFixed(1)} s after Enter`);
    expect(await cell(learners.ben.id, 1).locator('.cr-cell-meta').textContent()).toBe('<1 min · 0×');
    const db = new DatabaseSync(join(server.home, 'data', 'progress.sqlite'), { readOnly: true });
    const start = db.prepare('SELECT started_at, source FROM lab_starts WHERE learner = ? AND lab = ?').get(`learner:${learners.ben.id}`, '01-liveness') as { started_at: string; source: string };
    db.close();
    expect(start.source).toBe('command');
    expect(Date.parse(start.started_at)).toBeGreaterThanOrEqual(typed);
    expect(Date.parse(start.started_at)).toBeLessThanOrEqual(Date.now());
    expect(await terminalText(learners.ben.page)).not.toContain('labs-command');
  }, 10 * MINUTE);

  it("Ben's stopped cluster shows on the dashboard, and recreate brings him a new one", async () => {
    const old = learners.ben.env;
    await exec('docker', ['stop', '-t', '1', `${old}-control-plane`]);
    const row = dashboard.locator(`[data-cr-grid-body] tr[data-learner="${learners.ben.id}"]`);
    await row.locator('.cr-row-env[data-state="error"]').waitFor({ timeout: 2 * MINUTE });
    expect(await row.locator('.cr-env-message').textContent()).toContain('stopped');
    await dashboard.screenshot({ path: join(SHOTS, 'dashboard-cluster-down-1440.png') });
    await row.locator('[data-cr-open]').click();
    const drawer = dashboard.locator('[data-cr-drawer]');
    await drawer.locator('[data-cr-recreate]').click();
    await dashboard.locator('dialog.cr-dialog[open] button[value="yes"]').click();
    await row.locator('.cr-row-env[data-state="ready"]').waitFor({ timeout: 15 * MINUTE });
    learners.ben.env = await environmentOf(learners.ben.id);
    expect(learners.ben.env).not.toBe(old);
    expect(await kindClusters()).not.toContain(old);
    expect((await inSandbox(learners.ben.env, 'kubectl get nodes -o name')).out.trim()).toBe(`node/${learners.ben.env}-control-plane`);
    // His home came along: the starter file he edited still has his (wrong) port.
    expect((await inSandbox(learners.ben.env, 'grep -c "port: 8081" ~/labs/01-liveness/liveness-test.yaml')).out.trim()).toBe('1');
  }, 20 * MINUTE);

  it("ending the class reclaims every learner's environment", async () => {
    const envs = [learners.ana.env, learners.ben.env];
    await dashboard.click('[data-cr-end]');
    await dashboard.locator('dialog.cr-dialog[open] button[value="yes"]').click();
    await learners.ana.page.locator('[data-cr-strip-ended]').waitFor({ state: 'visible', timeout: 30_000 });
    const deadline = Date.now() + 5 * MINUTE;
    while ((await findPool(POOL)).assignments.length > 0 && Date.now() < deadline) await learners.ana.page.waitForTimeout(2000);
    expect((await findPool(POOL)).assignments).toEqual([]);
    const clusters = await kindClusters();
    for (const env of envs) expect(clusters).not.toContain(env);
  }, 10 * MINUTE);
});
