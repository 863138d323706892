// GitOps on a real kind cluster with the real Argo CD (built offline) and the in-class git
// server (the real git http-backend):
//  - lab 08 fails before its solve.sh, passes after it (solve.sh changes git only);
//  - lab 08 fails when the change is made with kubectl instead of git (Argo CD reports
//    OutOfSync, the synced revision never moves);
//  - an Application on a plain-manifests directory (guestbook) of the class example repo syncs;
//  - a git server left running from a deleted checkout is replaced.
//
// Cluster: LABS_KUBECONFIG, else the learner cluster's kubeconfig (LABS_CLUSTER, default labs).
// Argo CD is installed (or found cached) by the addon library first; that can take a while on
// a cold cache (the Go build), hence the long hook timeout in vitest.config.ts.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLab, type LabResult } from '../../grader/index.ts';
import { clusterKubeconfig, defaultClusterName, toolchainBinDir } from '../../src/environments/paths.ts';
import { installArgocd, kubectlPath, type ArgocdInstallation } from '../../src/environments/addons/argocd.ts';
import { ensureGitServer, readGitServerState } from '../../src/gitserver/service.ts';
import { openGitStore } from '../../src/gitserver/store.ts';

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
