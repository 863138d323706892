// The JSON API's own rules, over real HTTP on loopback: concurrent Checks of one lab share one
// grading run and record one attempt (issue #10, item 4); the page-token renewal endpoint.
// The grader here is a stand-in for the grading library (not for a Kubernetes API): what is
// under test is the API layer's bookkeeping around it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import type { GraderAdapter } from '../../src/server/adapters/grader.ts';
import { createApi } from '../../src/server/api.ts';
import { createPageTokens } from '../../src/server/page-token.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

let server: Server;
let base: string;
let gradingRuns = 0;
const store = new ProgressStore(':memory:');
const tokens = createPageTokens();

const grader: GraderAdapter = {
  async verify(lab) {
    gradingRuns++;
    await new Promise((resolve) => setTimeout(resolve, 150));
    const result: LabResult = { lab: String(lab), passed: true, score: 1, maxScore: 1, checks: [], startedAt: new Date().toISOString(), durationMs: 150 };
    return result;
  },
  async labs() {
    return [];
  },
};

beforeAll(async () => {
  const api = createApi({ grader, environments: undefined, store, tokens });
  server = createServer((req, res) => void api(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  store.close();
});

const check = (lab: number) => fetch(`${base}/api/labs/${lab}/verify`, { method: 'POST', headers: { Origin: base, 'x-labs-token': tokens.issue() } });

describe('concurrent Checks', () => {
  it('five at once: one grading run, one recorded attempt, five answers', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => check(3)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(gradingRuns).toBe(1);
    expect(store.progress().find((p) => p.lab === '3')?.attempts).toBe(1);
  });

  it('a later Check is a new attempt', async () => {
    await check(3);
    expect(store.progress().find((p) => p.lab === '3')?.attempts).toBe(2);
  });
});

describe('page-token renewal', () => {
  it('gives a same-origin page a token the server accepts', async () => {
    const response = await fetch(`${base}/api/page-token`, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(tokens.verify(((await response.json()) as { token: string }).token)).toBe(true);
  });

  it('refuses a fetch the browser marks as cross-site or same-site', async () => {
    for (const site of ['cross-site', 'same-site']) {
      expect((await fetch(`${base}/api/page-token`, { headers: { 'sec-fetch-site': site } })).status).toBe(403);
    }
  });
});

describe('lab files, solution and reset, over the real lab catalog', () => {
  let real: Server;
  let url: string;
  beforeAll(async () => {
    const { createGraderAdapter } = await import('../../src/server/adapters/grader.ts');
    const api = createApi({ grader: createGraderAdapter(), environments: undefined, store, tokens });
    real = createServer((req, res) => void api(req, res));
    await new Promise<void>((resolve) => real.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(real.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => real.close(resolve));
  });

  it('serves a starter file the catalog lists, as a download', async () => {
    const response = await fetch(`${url}/api/labs/1/files/liveness-test.yaml`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="liveness-test.yaml"');
    expect(await response.text()).toContain('name: liveness-http');
    expect((await fetch(`${url}/api/labs/5/files/overlays/dev/kustomization.yaml`)).status).toBe(200);
  });

  it.each([
    '../lab.yaml', '..%2Flab.yaml', '%2e%2e/lab.yaml', '..%2f..%2f..%2fetc%2fpasswd', '%2Fetc%2Fpasswd', '/etc/passwd',
    'liveness-test.yaml%00', '%ZZ', 'LIVENESS-TEST.YAML', '.gitkeep', 'check.ts', '..%5Ccheck.ts',
  ])('refuses %s: only names from the listing are read', async (path) => {
    const response = await fetch(`${url}/api/labs/1/files/${path}`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/root:|kind: Pod|import /);
  });

  it('shows the solution steps without the scratch-directory set-up', async () => {
    const { steps } = (await (await fetch(`${url}/api/labs/1/solution`)).json()) as { steps: string };
    expect(steps.split('\n')[0]).toBe('kubectl create namespace liveness --dry-run=client -o yaml | kubectl apply -f -');
    expect(steps).not.toMatch(/mktemp|set -euo|lab_dir=/);
  });

  it('resets only for a POST from our own page', async () => {
    expect((await fetch(`${url}/api/labs/1/reset`)).status).toBe(405);
    expect((await fetch(`${url}/api/labs/1/reset`, { method: 'POST', headers: { Origin: url } })).status).toBe(403);
    expect((await fetch(`${url}/api/labs/1/reset`, { method: 'POST', headers: { Origin: 'http://evil.example', 'x-labs-token': tokens.issue() } })).status).toBe(403);
  });

  it('answers an unknown lab with 404 and its code', async () => {
    const response = await fetch(`${url}/api/labs/99/solution`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('lab-not-found');
  });
});

describe('a classroom learner without a working environment', () => {
  // Their environment failed or was reclaimed: the API must act on nothing, never on this machine's own (solo) cluster.
  let api: Server;
  let url: string;
  const graded: Array<string | undefined> = [];
  const reset: Array<string | undefined> = [];
  const installs: Array<{ kubeconfig?: string; gitUser: string }> = [];
  /** Whether each status request asked for git access (a fresh password). */
  const statusAsks: boolean[] = [];
  let kubeconfig: string | undefined;
  const access = { ready: true, serverUrl: 'https://172.30.0.2:31001', git: { url: 'http://172.18.0.1:8418/learner-7/gitops.git', username: 'learner-7', password: 'pw', examplesUrl: '', baseUrl: '' } };
  beforeAll(async () => {
    const handler = createApi({
      grader: {
        async verify(lab, k) { graded.push(k); return { lab: String(lab), passed: false, score: 0, maxScore: 1, checks: [], startedAt: '', durationMs: 1 }; },
        async labs() { return []; },
        async reset(_lab, k) { reset.push(k); },
      },
      environments: undefined,
      addons: {
        async argocdStatus(_target, options) { statusAsks.push(options?.git !== false); return { ...access, ready: false, serverUrl: undefined, ...(options?.git === false ? { git: undefined } : {}) }; },
        async installArgocd(target) { installs.push(target); await new Promise((r) => setTimeout(r, 100)); return access; },
      },
      store,
      tokens,
      caller: () => ({
        learner: 'learner:7', kubeconfig, clusterName: kubeconfig && 'lab-abc123', gitUser: 'learner-7',
        cluster: async () => ({ name: 'learner-7', state: kubeconfig ? 'running' : 'error', detail: 'the cluster stopped (lab-abc123-control-plane): recreate this learner\'s environment' }),
      }),
    });
    api = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => api.close(resolve));
  });
  const post = (path: string) => fetch(`${url}${path}`, { method: 'POST', headers: { Origin: url, 'x-labs-token': tokens.issue() } });

  it('Check, reset and Argo CD answer 409 naming why, and touch no cluster', async () => {
    kubeconfig = undefined;
    for (const path of ['/api/labs/1/verify', '/api/labs/1/reset', '/api/addons/argocd']) {
      const response = await post(path);
      expect(response.status, path).toBe(409);
      expect(await response.json(), path).toMatchObject({ code: 'no-cluster', error: expect.stringContaining('the cluster stopped') });
    }
    expect([graded, reset, installs]).toEqual([[], [], []]);
  });

  it('with an environment: Argo CD goes into their cluster under their git name, once for two clicks', async () => {
    kubeconfig = '/data/clusters/lab-abc123/kubeconfig';
    const status = await fetch(`${url}/api/addons/argocd`);
    expect(await status.json()).toMatchObject({ ready: false, git: { username: 'learner-7' } });
    const [a, b] = await Promise.all([post('/api/addons/argocd'), post('/api/addons/argocd')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(installs).toEqual([{ kubeconfig, cluster: 'lab-abc123', gitUser: 'learner-7' }]);
    expect((await fetch(`${url}/api/addons/argocd`, { method: 'POST', headers: { Origin: 'http://evil.example', 'x-labs-token': tokens.issue() } })).status).toBe(403);
    expect((await fetch(`${url}/api/addons/argocd`, { method: 'PUT', headers: { Origin: url, 'x-labs-token': tokens.issue() } })).status).toBe(405);
  });

  it('`?git=0` (labs addon argocd --status) asks for the state only: no git password is handed out', async () => {
    kubeconfig = '/data/clusters/lab-abc123/kubeconfig';
    statusAsks.length = 0;
    const stateOnly = await (await fetch(`${url}/api/addons/argocd?git=0`)).json() as Record<string, unknown>;
    expect(stateOnly.git).toBeUndefined();
    await fetch(`${url}/api/addons/argocd`);
    expect(statusAsks).toEqual([false, true]);
  });
});
