// The lesson page's Argo CD view (src/components/GitopsView.astro) in chromium against the real
// server, without a cluster: only the lesson whose lab needs Argo CD shows it; with no kubeconfig
// the real endpoint says so and the page says what to run; the page draws what the endpoint
// answers as text only (an Application's messages come from the cluster); Korean wording.
// The view against a real Argo CD is tests/cluster/gitops.spec.ts.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitopsView } from '../../src/contract/gitops.ts';
import { launchBrowser, startServer, type RunningServer } from './harness.ts';

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let server: RunningServer;

beforeAll(async () => {
  // No kubeconfig anywhere: KUBECONFIG empty, the throwaway HOME has no ~/.kube/config.
  server = await startServer({ KUBECONFIG: '' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function lesson(path: string, view?: GitopsView): Promise<Page> {
  const page = await browser.context.newPage();
  if (view) await page.route('**/api/gitops/applications', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(view) }));
  await page.goto(new URL(path, server.url).href);
  return page;
}

const hostile = '<img src=x onerror="window.__pwned=1">';

describe('the Argo CD view', () => {
  it('is on the lesson of the lab that needs Argo CD, and not on others', async () => {
    const other = await lesson('/en/lessons/02-probes');
    expect(await other.locator('[data-gitops-view]').count()).toBe(0);
    await other.close();
    const argocd = await lesson('/en/lessons/07-argocd');
    expect(await argocd.locator('.labs ~ [data-gitops-view]').count()).toBe(1);
    await argocd.close();
  });

  it('with no cluster: the endpoint says no-cluster and the page says what to run', async () => {
    const response = await fetch(`${server.origin}/api/gitops/applications`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ state: 'no-cluster' });
    const page = await lesson('/en/lessons/07-argocd');
    await page.waitForSelector('[data-gitops-view][data-state="no-cluster"]');
    expect(await page.locator('[data-gitops-body]').innerText()).toMatch(/There is no cluster yet: run labs cluster create in the terminal/);
    expect(await page.locator('[data-gitops-updated]').innerText()).toMatch(/^updated \d/);
    await page.close();
  });

  it('draws what the cluster says as text, never as HTML', async () => {
    const revision = 'c0ffee0000000000000000000000000000000001';
    const page = await lesson('/en/lessons/07-argocd', {
      state: 'ok',
      observedAt: new Date().toISOString(),
      applications: [{
        name: 'custom-nginx',
        automated: true,
        sync: { status: 'OutOfSync', revision },
        health: { status: 'Degraded', message: hostile },
        operation: { phase: 'Failed', message: hostile, revision },
        conditions: [{ type: 'SyncError', message: hostile }],
        history: [{ id: 0, revision, deployedAt: new Date().toISOString(), automated: true }],
        resources: [{ kind: 'Deployment', group: 'apps', namespace: 'gitops', name: 'web', status: 'OutOfSync', health: { status: 'Degraded', message: hostile } }],
        resourceHealth: true,
      }],
    });
    await page.waitForSelector('.gitops-app[data-app="custom-nginx"]');
    const view = page.locator('[data-gitops-view]');
    expect(await view.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect((await view.innerText()).split(hostile).length - 1).toBe(4);
    expect(await view.locator('[data-gitops-revision]').textContent()).toBe('c0ffee0');
    expect(await view.locator('.gitops-app-head .gitops-badge').evaluateAll((nodes) => nodes.map((n) => n.textContent))).toEqual(['Sync: OutOfSync', 'Health: Degraded']);
    await page.close();
  });

  it('in Korean: Argo CD not installed, with the command to run', async () => {
    const page = await lesson('/ko/lessons/07-argocd', { state: 'not-installed', detail: 'no Argo CD CRDs' });
    await page.waitForSelector('[data-gitops-view][data-state="not-installed"]');
    const body = page.locator('[data-gitops-body]');
    expect(await body.innerText()).toMatch(/클러스터에 아직 Argo CD가 설치되지 않았습니다/);
    expect(await body.locator('code').first().textContent()).toBe('labs addon argocd');
    expect(await page.locator('[data-gitops-view] .lab-title').textContent()).toBe('Argo CD 실시간 보기');
    await page.close();
  });
});
