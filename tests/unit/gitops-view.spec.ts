// The lesson page's Argo CD view, server side (src/server/gitops.ts): how an Application (the
// API's JSON) becomes the view's JSON, which state each cluster situation answers, and the
// endpoint's HTTP rules. The main fixture is a real Application: lab 08's custom-nginx after the push
// to 2 replicas, as Argo CD v3.6.1 wrote it (`kubectl get application -o json`, saved to test-results/
// by tests/cluster/gitops.spec.ts, copied to tests/unit/testdata/argocd-application-custom-nginx.json);
// the edge cases are built by hand from it. The endpoint against a real cluster is that cluster test.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, NoKubeconfigError } from '../../grader/errors.ts';
import type { EnvironmentsAdapter } from '../../src/server/adapters/environments.ts';
import {
  applicationView, createGitopsHandler, createGitopsReader, readGitops, withoutCredentials, type GitopsReader,
} from '../../src/server/gitops.ts';
import type { GitopsView } from '../../src/contract/gitops.ts';

const captured = JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', 'argocd-application-custom-nginx.json'), 'utf8'));
const clone = () => structuredClone(captured);

describe('applicationView: a real Application from Argo CD', () => {
  const view = applicationView(captured);

  it('says what Argo CD says: Synced, Healthy, at a git commit, automated', () => {
    expect(view.name).toBe('custom-nginx');
    expect(view.project).toBe('default');
    expect(view.sync.status).toBe('Synced');
    expect(view.health.status).toBe('Healthy');
    expect(view.sync.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(view.sync.revision).toBe(captured.status.sync.revision);
    expect(view.automated).toBe(true);
    expect(view.source).toEqual({ repoURL: captured.spec.source.repoURL, path: 'argo-test-chart', targetRevision: 'main' });
    expect(view.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'gitops' });
    expect(view.operation).toMatchObject({ phase: 'Succeeded', revision: view.sync.revision });
  });

  it('lists the sync history newest first, each with its revision and deployedAt', () => {
    const history = captured.status.history as { id: number; revision: string; deployedAt: string }[];
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(view.history.map((h) => h.id)).toEqual(history.map((h) => h.id).reverse());
    expect(view.history[0]).toMatchObject({ revision: view.sync.revision, deployedAt: history.at(-1)!.deployedAt });
    expect(view.history.at(-1)!.revision).not.toBe(view.sync.revision);
    for (const entry of view.history) expect(Date.parse(entry.deployedAt!)).not.toBeNaN();
  });

  it('gives the resource tree: kind, namespace/name, sync status and each resource\'s health', () => {
    expect(view.resourceHealth).toBe(true);
    const byKind = Object.fromEntries(view.resources.map((r) => [r.kind, r]));
    expect(Object.keys(byKind).sort()).toEqual(['Deployment', 'Service']);
    expect(byKind.Deployment).toMatchObject({ group: 'apps', namespace: 'gitops', status: 'Synced', health: { status: 'Healthy' } });
    expect(byKind.Service).toMatchObject({ namespace: 'gitops', status: 'Synced', health: { status: 'Healthy' } });
    expect(view.resources.length).toBe(captured.status.resources.length);
  });

  it('is small: no field is undefined or null, and nothing Argo CD keeps for itself comes along', () => {
    const text = JSON.stringify(view);
    expect(text).not.toMatch(/null|managedFields|resourceVersion|comparedTo/);
    expect(text.length).toBeLessThan(JSON.stringify(captured).length);
  });
});

describe('applicationView: other shapes', () => {
  it('never passes on a password in a repository URL', () => {
    const app = clone();
    app.spec.source.repoURL = 'http://learner:s3cret@172.18.0.1:30080/learner/gitops.git';
    expect(applicationView(app).source?.repoURL).toBe('http://172.18.0.1:30080/learner/gitops.git');
    expect(withoutCredentials('http://user:pw@not a host/x')).toBe('http://not a host/x');
    expect(withoutCredentials('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
  });

  it('says when Argo CD keeps resource health outside the Application (Argo CD 3\'s default)', () => {
    const app = clone();
    app.status.resourceHealthSource = 'appTree';
    for (const r of app.status.resources) delete r.health;
    const view = applicationView(app);
    expect(view.resourceHealth).toBe(false);
    expect(view.resources.every((r) => r.health === undefined)).toBe(true);
  });

  it('an Application Argo CD has not looked at yet: Unknown, no revision, empty history and tree', () => {
    const view = applicationView({ metadata: { name: 'fresh' }, spec: { project: 'default', source: { repoURL: 'http://git/x.git', path: 'p' }, destination: {} } });
    expect(view).toMatchObject({ name: 'fresh', automated: false, sync: { status: 'Unknown' }, health: { status: 'Unknown' }, history: [], resources: [] });
    expect(view.sync.revision).toBeUndefined();
  });

  it('multi-source Applications show their first source and revision; automated.enabled: false is manual', () => {
    const view = applicationView({
      metadata: { name: 'multi' },
      spec: { sources: [{ repoURL: 'https://charts.example/', chart: 'web', targetRevision: '1.2.3' }, { repoURL: 'http://git/v.git', ref: 'values' }], syncPolicy: { automated: { enabled: false } } },
      status: { sync: { status: 'Synced', revisions: ['1.2.3', 'abc'] }, history: [{ id: 0, revisions: ['1.2.0', 'abd'], deployedAt: '2026-01-01T00:00:00Z' }] },
    });
    expect(view.source).toEqual({ repoURL: 'https://charts.example/', chart: 'web', targetRevision: '1.2.3' });
    expect(view.sync.revision).toBe('1.2.3');
    expect(view.history[0]!.revision).toBe('1.2.0');
    expect(view.automated).toBe(false);
  });

  it('keeps the last 10 history entries', () => {
    const history = Array.from({ length: 14 }, (_, id) => ({ id, revision: String(id).padStart(40, '0'), deployedAt: '2026-01-01T00:00:00Z' }));
    expect(applicationView({ metadata: { name: 'long' }, status: { history } }).history.map((h) => h.id)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
  });
});

/** A reader answering from fixed documents (a path → its JSON; absent → 404). */
function readerOf(documents: Record<string, unknown>): GitopsReader {
  return {
    async list(path: string) {
      const doc = documents[path] as { items: unknown[] } | undefined;
      return doc ? { items: doc.items, resourceVersion: '1' } : undefined;
    },
    async getJson(path: string) {
      return documents[path];
    },
  } as GitopsReader;
}
const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

describe('readGitops: which state', () => {
  it('not-installed when the cluster has no Application CRD', async () => {
    expect(await readGitops(readerOf({}))).toMatchObject({ state: 'not-installed' });
  });
  it('not-installed when the CRD is left but the argocd namespace is gone', async () => {
    expect(await readGitops(readerOf({ [APPS]: { items: [] } }))).toMatchObject({ state: 'not-installed', detail: expect.stringMatching(/namespace "argocd"/) });
  });
  it('no-applications when Argo CD is there and nothing was created', async () => {
    expect(await readGitops(readerOf({ [APPS]: { items: [] }, '/api/v1/namespaces/argocd': { metadata: { name: 'argocd' } } }))).toMatchObject({ state: 'no-applications', applications: [] });
  });
  it('ok, sorted by name', async () => {
    const b = clone();
    const a = { ...clone(), metadata: { ...captured.metadata, name: 'aaa' } };
    const view = await readGitops(readerOf({ [APPS]: { items: [b, a] } }));
    expect(view.state).toBe('ok');
    expect(view.state === 'ok' && view.applications.map((x) => x.name)).toEqual(['aaa', 'custom-nginx']);
  });
});

describe('createGitopsReader: the cluster\'s situation', () => {
  let home: string;
  const saved = { LABS_HOME: process.env.LABS_HOME, KUBECONFIG: process.env.KUBECONFIG };
  beforeAll(() => {
    // No learner cluster in this LABS_HOME; a kubeconfig named explicitly below.
    home = mkdtempSync(join(tmpdir(), 'labs-gitops-'));
    process.env.LABS_HOME = home;
    delete process.env.KUBECONFIG;
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    rmSync(home, { recursive: true, force: true });
  });
  const environments = (state: 'creating' | 'running' | 'not-created'): EnvironmentsAdapter => ({
    async status() {
      return { name: 'labs', state, detail: 'building the offline toolchain', progress: state === 'creating' ? { phase: 'toolchain', step: 2, steps: 7, startedAt: '2026-01-01T00:00:00Z', phaseStartedAt: '2026-01-01T00:00:00Z' } : undefined };
    },
  });

  it('cluster-not-ready while the learner cluster is built (no other kubeconfig is read)', async () => {
    let connected = 0;
    const read = createGitopsReader({ status: environments('creating').status, cluster: () => ({}), connect: async () => (connected++, readerOf({})) });
    expect(await read()).toMatchObject({ state: 'cluster-not-ready', progress: { step: 2, steps: 7 } });
    expect(connected).toBe(0);
  });

  it('no-cluster without any kubeconfig', async () => {
    const read = createGitopsReader({ status: environments('not-created').status, cluster: () => ({ kubeconfig: undefined }), connect: async () => readerOf({}) });
    const saved = process.env.HOME;
    process.env.HOME = home; // no ~/.kube/config either
    try {
      expect(await read()).toMatchObject({ state: 'no-cluster' });
    } finally {
      process.env.HOME = saved;
    }
  });

  it('unreachable when the cluster does not answer, with the grader client\'s one line', async () => {
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    const failing: GitopsReader = { list: async () => { throw new ClusterError('cannot reach cluster https://127.0.0.1:1 (context kind-labs): connect ECONNREFUSED'); }, getJson: async () => undefined } as GitopsReader;
    const read = createGitopsReader({ status: environments('running').status, cluster: () => ({ kubeconfig }), connect: async () => failing });
    expect(await read()).toEqual({ state: 'unreachable', detail: expect.stringMatching(/ECONNREFUSED/) });
    expect(NoKubeconfigError.prototype).toBeInstanceOf(ClusterError);
  });

  it('one reader per kubeconfig as it is: reused between polls, remade when the file changes', async () => {
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    let made = 0;
    const read = createGitopsReader({ cluster: () => ({ kubeconfig }), connect: async () => (made++, readerOf({ [APPS]: { items: [clone()] } })) });
    await read();
    await read();
    expect(made).toBe(1);
    utimesSync(kubeconfig, new Date(), new Date(Date.now() + 5_000));
    await read();
    expect(made).toBe(2);
  });
});

describe('GET /api/gitops/applications', () => {
  let server: Server;
  let base: string;
  let reads = 0;
  beforeAll(async () => {
    const handler = createGitopsHandler({
      read: async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 50));
        return { state: 'ok', applications: [applicationView(captured)], observedAt: new Date().toISOString() } satisfies GitopsView;
      },
    });
    server = createServer(async (req, res) => {
      if (!(await handler(req, res))) res.writeHead(404).end('not mine');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers the view as JSON, never cached by the browser; tabs polling together share one read', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, () => fetch(`${base}/api/gitops/applications`)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers[0]!.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answers[0]!.headers.get('cache-control')).toBe('no-store');
    const body = (await answers[0]!.json()) as GitopsView;
    expect(body.state === 'ok' && body.applications[0]!.name).toBe('custom-nginx');
    expect(reads).toBe(1);
  });

  it('is read-only: POST is 405', async () => {
    const response = await fetch(`${base}/api/gitops/applications`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a fetch a browser marks cross-site', async () => {
    expect((await fetch(`${base}/api/gitops/applications`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await fetch(`${base}/api/gitops/applications`, { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('classroom mode: nobody signed in gets 401; a learner sees their own cluster, never the host\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-gitops-ana-'));
    const anaKubeconfig = join(dir, 'kubeconfig');
    writeFileSync(anaKubeconfig, 'apiVersion: v1\nkind: Config\n');
    const asked: (string | undefined)[] = [];
    const handler = createGitopsHandler({
      caller: (req) => {
        const who = req.headers['x-who'];
        if (who === 'ana') return { learner: 'learner:1', kubeconfig: anaKubeconfig, cluster: async () => ({ name: 'ana', state: 'running' }) };
        if (who === 'bo') return { learner: 'learner:2', cluster: async () => ({ name: 'bo', state: 'not-created' }) };
        return undefined;
      },
      connect: async (o) => (asked.push(o.kubeconfig), readerOf({ [APPS]: { items: [clone()] } })),
    });
    const classroom = createServer(async (req, res) => void (await handler(req, res)));
    await new Promise<void>((resolve) => classroom.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(classroom.address() as AddressInfo).port}/api/gitops/applications`;
    const as = async (who?: string) => (await fetch(url, { headers: who ? { 'x-who': who } : {} })).json();
    try {
      expect((await fetch(url)).status).toBe(401);
      expect(await as('ana')).toMatchObject({ state: 'ok', applications: [{ name: 'custom-nginx' }] });
      // bo has no cluster yet: no fall-back to this machine's kubeconfig.
      expect(await as('bo')).toMatchObject({ state: 'no-cluster' });
      expect(asked).toEqual([anaKubeconfig]);
    } finally {
      await new Promise((resolve) => classroom.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves every other path to the rest of the server', async () => {
    expect((await fetch(`${base}/api/gitops`)).status).toBe(404);
    expect(await (await fetch(`${base}/api/gitops/applications/x`)).text()).toBe('not mine');
  });
});
