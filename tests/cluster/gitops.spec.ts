// GitOps on a real kind cluster with the real Argo CD (built offline) and the in-class git
// server (the real git http-backend):
//  - lab 08 fails before its solve.sh, passes after it (solve.sh changes git only);
//  - lab 08 fails when the change is made with kubectl instead of git (Argo CD reports
//    OutOfSync, the synced revision never moves);
//  - the lesson page's Argo CD view (GET /api/gitops/applications of a real running server, and the
//    page in chromium) shows lab 08's Application Synced/Healthy with its resources, then the
//    revision of a git push that changes the replicas (screenshots in test-results/);
//  - an Application on a plain-manifests directory (guestbook) of the class example repo syncs;
//  - a git server left running from a deleted checkout is replaced.
//
// Cluster: LABS_KUBECONFIG, else the learner cluster's kubeconfig (LABS_CLUSTER, default labs).
// Argo CD is installed (or found cached) by the addon library first; that can take a while on
// a cold cache (the Go build), hence the long hook timeout in vitest.config.ts.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLab, type LabResult } from '../../grader/index.ts';
import { clusterKubeconfig, dataDir, defaultClusterName, toolchainBinDir } from '../../src/base/paths.ts';
import { installArgocd, type ArgocdInstallation } from '../../src/environments/addons/argocd.ts';
import { kubectlPath } from '../../src/environments/toolchain.ts';
import { ensureGitServer, readGitServerState } from '../../src/gitserver/service.ts';
import { openGitStore } from '../../src/gitserver/store.ts';
import type { ApplicationView, GitopsView } from '../../src/contract/gitops.ts';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from '../browser/harness.ts';

const exec = promisify(execFile);
const cluster = defaultClusterName();
const kubeconfig = process.env.LABS_KUBECONFIG ?? clusterKubeconfig(cluster);
const repoRoot = join(import.meta.dirname, '..', '..');
const app = 'custom-nginx';

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: [toolchainBinDir(), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
  KUBECONFIG: kubeconfig,
  LABS_CLUSTER: cluster,
  GIT_TERMINAL_PROMPT: '0',
  NO_COLOR: '1',
};

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec(kubectlPath(), args, { env, timeout: 180_000, maxBuffer: 16 << 20 });
  return stdout;
}

async function applyJson(object: unknown): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(kubectlPath(), ['apply', '-f', '-'], { env, timeout: 60_000 }, (e) => (e ? reject(e) : resolve()));
    child.stdin!.end(JSON.stringify(object));
  });
}

type AppStatus = { sync?: string; health?: string; revision?: string };
async function appStatus(name: string): Promise<AppStatus | undefined> {
  try {
    const o = JSON.parse(await kubectl('-n', 'argocd', 'get', 'application', name, '-o', 'json')) as {
      status?: { sync?: { status?: string; revision?: string }; health?: { status?: string } };
    };
    return { sync: o.status?.sync?.status, health: o.status?.health?.status, revision: o.status?.sync?.revision };
  } catch {
    return undefined;
  }
}

/** Polls until `test` holds; the message names the last state seen. */
async function waitFor<T>(what: string, read: () => Promise<T>, test: (v: T) => boolean, timeoutMs = 300_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!test(last)) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 3_000));
    last = await read();
  }
  return last;
}

/** Removes the lab's Application, its namespace and the learner's repo (recreated from the starter). */
async function resetLab(): Promise<void> {
  await kubectl('-n', 'argocd', 'delete', 'application', app, '--ignore-not-found', '--wait=true');
  await kubectl('delete', 'namespace', 'gitops', '--ignore-not-found', '--wait=true', '--timeout=180s');
  rmSync(openGitStore().repoPath(install.git.learner, 'gitops'), { recursive: true, force: true });
}

function applicationManifest(name: string, repoURL: string, path: string, namespace: string) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: 'main', path },
      destination: { server: 'https://kubernetes.default.svc', namespace },
      syncPolicy: { automated: {}, syncOptions: ['CreateNamespace=true'] },
    },
  };
}

const failedChecks = (r: LabResult) => r.checks.filter((c) => !c.passed).map((c) => c.id);

/** The lesson page's view of the cluster, as the platform server answers it. */
async function gitopsView(server: RunningServer): Promise<GitopsView> {
  const response = await fetch(`${server.origin}/api/gitops/applications`, { headers: { 'sec-fetch-site': 'same-origin' } });
  expect(response.status).toBe(200);
  return (await response.json()) as GitopsView;
}
const viewedApp = async (server: RunningServer, name: string): Promise<ApplicationView | undefined> => {
  const view = await gitopsView(server);
  return view.state === 'ok' ? view.applications.find((a) => a.name === name) : undefined;
};

let install: ArgocdInstallation;

describe('GitOps: Argo CD + in-class git server on a real cluster', () => {
  beforeAll(async () => {
    if (!existsSync(kubeconfig)) {
      throw new Error(`no cluster: ${kubeconfig} does not exist (create one with \`labs cluster create\`, or set LABS_KUBECONFIG)`);
    }
    // On a machine without the cache this includes the cold Go build of Argo CD (~20 min on 2 cores).
    install = await installArgocd({ cluster, kubeconfig });
    console.log(`Argo CD ${install.version}: ${install.imageDelivery}, install ${Math.round(install.timings.installMs / 1000)}s, total ${Math.round(install.timings.totalMs / 1000)}s`);
    await resetLab();
  }, 50 * 60_000);

  afterAll(async () => {
    if (!install) return;
    await kubectl('-n', 'argocd', 'delete', 'application', 'guestbook', '--ignore-not-found');
    await kubectl('delete', 'namespace', 'guestbook', '--ignore-not-found', '--wait=false');
  });

  it('lab 08 fails before anything is done', async () => {
    const result = await verifyLab('08', { kubeconfig });
    expect(result.passed).toBe(false);
    expect(failedChecks(result)).toContain('application-synced');
  });

  it('lab 08 fails when the replicas are changed with kubectl instead of git', async () => {
    await applyJson(applicationManifest(app, install.git.url, 'argo-test-chart', 'gitops'));
    const first = await waitFor(`${app} Synced and Healthy`, () => appStatus(app), (s) => s?.sync === 'Synced' && s.health === 'Healthy');
    const deployment = (await kubectl('-n', 'gitops', 'get', 'deploy', '-l', `app.kubernetes.io/instance=${app}`, '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    expect(deployment).not.toBe('');

    await kubectl('-n', 'gitops', 'scale', `deployment/${deployment}`, '--replicas=2');
    // Argo CD watches the live objects: the drift from git shows as OutOfSync.
    await waitFor(`${app} OutOfSync after kubectl scale`, () => appStatus(app), (s) => s?.sync === 'OutOfSync', 120_000);

    const result = await verifyLab('08', { kubeconfig });
    expect(result.passed).toBe(false);
    expect(failedChecks(result)).toEqual(expect.arrayContaining(['application-synced', 'change-through-git']));
    expect((await appStatus(app))?.revision).toBe(first?.revision);
  });

  it('the lesson page shows the Application live: Synced/Healthy with its resources, then the revision a git push brings', async () => {
    await resetLab();
    // The platform as a learner runs it: its learner cluster is this one (LABS_HOME, LABS_CLUSTER), or
    // with LABS_KUBECONFIG the cluster that names (its own data dir then throwaway).
    const server = await startServer(process.env.LABS_KUBECONFIG ? { KUBECONFIG: kubeconfig } : { LABS_HOME: dataDir(), LABS_CLUSTER: cluster, KUBECONFIG: kubeconfig });
    const browser = await launchBrowser();
    const work = mkdtempSync(join(tmpdir(), 'labs-08-view-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    try {
      expect((await gitopsView(server)).state).toBe('no-applications');
      await applyJson(applicationManifest(app, install.git.url, 'argo-test-chart', 'gitops'));
      const first = (await waitFor('the view: custom-nginx Synced and Healthy, its Deployment Healthy', () => viewedApp(server, app),
        (a) => a?.sync.status === 'Synced' && a.health.status === 'Healthy' && a.resources.some((r) => r.kind === 'Deployment' && r.health?.status === 'Healthy')))!;
      expect(first.sync.revision).toMatch(/^[0-9a-f]{40}$/);
      expect(first.automated).toBe(true);
      expect(first.destination?.namespace).toBe('gitops');
      expect(first.resourceHealth).toBe(true);
      const tree = first.resources.map((r) => `${r.kind} ${r.namespace}/${r.name} ${r.status} ${r.health?.status ?? '-'}`);
      expect(tree).toEqual(expect.arrayContaining([
        expect.stringMatching(/^Deployment gitops\/\S+ Synced Healthy$/),
        expect.stringMatching(/^Service gitops\/\S+ Synced Healthy$/),
      ]));
      expect(first.history).toEqual([expect.objectContaining({ revision: first.sync.revision, deployedAt: expect.any(String) })]);

      // The page, polling the same endpoint, shows that revision.
      const page = await browser.context.newPage();
      await page.goto(`${server.url}en/lessons/07-argocd`);
      const revision = page.locator('.gitops-app[data-app="custom-nginx"] [data-gitops-revision]');
      await expect.poll(() => revision.getAttribute('data-gitops-revision'), { timeout: 30_000 }).toBe(first.sync.revision);
      expect(await revision.textContent()).toBe(first.sync.revision!.slice(0, 7));
      await page.locator('[data-gitops-view]').screenshot({ path: join(ARTIFACTS, 'gitops-view-before-push-en-1440.png') });

      // The learner's change: two replicas, committed and pushed; a refresh makes Argo CD look now.
      const push = new URL(install.git.url);
      push.username = install.git.learner;
      push.password = install.git.password;
      const git = (...args: string[]) => exec('git', args, { cwd: work, env, timeout: 60_000 }).then((r) => r.stdout.trim());
      await git('clone', '--quiet', push.toString(), 'gitops');
      const chart = join(work, 'gitops', 'argo-test-chart', 'values.yaml');
      writeFileSync(chart, readFileSync(chart, 'utf8').replace(/^replicaCount: .*$/m, 'replicaCount: 2'));
      await exec('git', ['-C', 'gitops', '-c', 'user.name=View test', '-c', 'user.email=view@labs.invalid', 'commit', '--quiet', '-am', 'Two replicas'], { cwd: work, env });
      await exec('git', ['-C', 'gitops', 'push', '--quiet', 'origin', 'main'], { cwd: work, env, timeout: 60_000 });
      const pushed = await git('-C', 'gitops', 'rev-parse', 'HEAD');
      expect(pushed).not.toBe(first.sync.revision);
      await kubectl('-n', 'argocd', 'annotate', 'application', app, 'argocd.argoproj.io/refresh=normal', '--overwrite');

      const second = (await waitFor('the view at the pushed revision, Synced and Healthy', () => viewedApp(server, app),
        (a) => a?.sync.revision === pushed && a.sync.status === 'Synced' && a.health.status === 'Healthy'))!;
      expect(second.history.map((h) => h.revision)).toEqual([pushed, first.sync.revision]);
      expect(second.operation).toMatchObject({ phase: 'Succeeded', revision: pushed });
      // The page follows on its own (no reload).
      await expect.poll(() => revision.getAttribute('data-gitops-revision'), { timeout: 30_000 }).toBe(pushed);
      expect(await revision.textContent()).toBe(pushed.slice(0, 7));
      expect(await page.locator('.gitops-app[data-app="custom-nginx"] .gitops-history-entry').count()).toBe(2);
      await page.close();

      // What a person sees, in both languages and at phone and desktop widths.
      for (const language of ['en', 'ko']) {
        for (const width of [1440, 390]) {
          const shot = await browser.context.newPage();
          await shot.setViewportSize({ width, height: 900 });
          await shot.goto(`${server.url}${language}/lessons/07-argocd`);
          const shown = shot.locator('.gitops-app[data-app="custom-nginx"] [data-gitops-revision]');
          await expect.poll(() => shown.getAttribute('data-gitops-revision'), { timeout: 30_000 }).toBe(pushed);
          const view = shot.locator('[data-gitops-view]');
          // The view's top under the header, as a learner scrolls to it (the terminal stays where the layout puts it) …
          await view.evaluate((node) => {
            const pane = node.closest<HTMLElement>('[data-lesson-pane]')!; // the lesson scrolls, not the page
            pane.scrollTo({ top: pane.scrollTop + node.getBoundingClientRect().top - pane.getBoundingClientRect().top - 16, behavior: 'instant' });
          });
          await shot.screenshot({ path: join(ARTIFACTS, `gitops-view-${language}-${width}.png`) });
          expect(await view.evaluate((node) => node.scrollWidth - node.clientWidth), 'nothing in the view is wider than it').toBe(0);
          // … and the whole view, the page's sticky header and terminal hidden, in a window tall enough for it.
          await shot.setViewportSize({ width, height: 2400 });
          await shot.addStyleTag({ content: '.terminal-pane, .site-header { visibility: hidden !important; }' });
          await view.screenshot({ path: join(ARTIFACTS, `gitops-view-${language}-${width}-whole.png`) });
          await shot.close();
        }
      }
      // The Application as Argo CD wrote it, for tests/unit/testdata (the unit test's fixture).
      writeFileSync(join(ARTIFACTS, 'argocd-application-custom-nginx.json'), await kubectl('-n', 'argocd', 'get', 'application', app, '-o', 'json'));
    } finally {
      await browser.close();
      await server.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 900_000);

  it('lab 08 passes after solve.sh, which pushes the change through git', async () => {
    await resetLab();
    const work = mkdtempSync(join(tmpdir(), 'labs-08-solve-'));
    try {
      const { stdout } = await exec('bash', [join(repoRoot, 'labs', '08-gitops-argocd', 'solve.sh')], {
        env: { ...env, LABS_WORKDIR: work }, timeout: 900_000, maxBuffer: 16 << 20,
      });
      expect(stdout).toMatch(/Sync Status:\s+Synced/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const result = await verifyLab('08', { kubeconfig, waitSeconds: 120 });
    expect(failedChecks(result)).toEqual([]);
    expect(result.passed).toBe(true);
    // The running pods carry what git says: nginx 1.24 (pods of the old ReplicaSet may still be terminating).
    const pods = JSON.parse(await kubectl('-n', 'gitops', 'get', 'pods', '-l', `app.kubernetes.io/instance=${app}`, '-o', 'json')) as {
      items: { metadata: { deletionTimestamp?: string }; spec: { containers: { image: string }[] } }[];
    };
    const live = pods.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0]!.image);
    expect(live).toEqual(['nginx:1.24', 'nginx:1.24']);
  }, 900_000);

  it('syncs a plain-manifests app (guestbook) from the class example repository', async () => {
    await applyJson(applicationManifest('guestbook', install.git.examplesUrl, 'guestbook', 'guestbook'));
    const status = await waitFor('guestbook Synced and Healthy', () => appStatus('guestbook'), (s) => s?.sync === 'Synced' && s.health === 'Healthy');
    expect(status?.revision).toMatch(/^[0-9a-f]{40}$/);
    expect((await kubectl('-n', 'guestbook', 'get', 'deploy', 'guestbook-ui', '-o', 'jsonpath={.status.readyReplicas}')).trim()).toBe('1');
    expect((await kubectl('-n', 'guestbook', 'get', 'svc', 'guestbook-ui', '-o', 'jsonpath={.spec.ports[0].port}')).trim()).toBe('80');
  });

  it('replaces a running git server whose checkout was deleted (it could no longer create repositories)', async () => {
    const before = readGitServerState()!;
    // As if the server had been started from a CI clone that has since been removed.
    writeFileSync(join(before.root, 'server.json'), JSON.stringify({ ...before, script: '/nonexistent/checkout/src/gitserver/daemon.ts' }));
    const after = await ensureGitServer();
    expect(after.pid).not.toBe(before.pid);
    expect(after.script).toBe(join(repoRoot, 'src', 'gitserver', 'daemon.ts'));
    await expect(fetch(`${after.baseUrl}/healthz`).then((r) => r.status)).resolves.toBe(200);
  });
});
