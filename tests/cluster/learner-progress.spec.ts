// Progress a learner can see, after a real pass on the real cluster (issue #11 item 3): Check in
// the browser marks lab 1's tasks ✗ when fresh and ✓ after its solution, the card says Done, and
// the course index and the lesson's lab pills show it.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from '../browser/harness.ts';
import { sh, testKubeconfig } from './helpers/cluster.ts';

const labs = join(import.meta.dirname, '..', '..', 'bin', 'labs');
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let kubeconfig: string;

async function check(lab: number): Promise<void> {
  const card = page.locator(`[data-lab="${lab}"]`);
  await card.locator('[data-lab-check]').click();
  await card.locator('.lab-summary').waitFor({ timeout: 120_000 });
}

beforeAll(async () => {
  kubeconfig = testKubeconfig();
  await sh(`"${labs}" reset 1 --kubeconfig "${kubeconfig}"`, kubeconfig);
  // The server grades the test cluster (KUBECONFIG), with its own empty progress store.
  server = await startServer({ KUBECONFIG: kubeconfig });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(new URL('/en/lessons/02-probes/', server.url).href);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sh(`"${labs}" reset 1 --kubeconfig "${kubeconfig}"`, kubeconfig).catch(() => undefined);
});

describe('progress after a real pass', () => {
  it('fresh: Check marks lab 1’s tasks ✗ and the lab is in progress', async () => {
    await check(1);
    const card = page.locator('[data-lab="1"]');
    expect(await card.locator('[data-task][data-state="failed"]').count()).toBe(2);
    expect(await card.getAttribute('data-status')).toBe('in-progress');
  });

  it('after the solution: ✓ on every task, Done on the card, the pill and the course index', async () => {
    await sh(`"${labs}" solve 1 --kubeconfig "${kubeconfig}" >/dev/null && "${labs}" verify 1 --wait 120 --kubeconfig "${kubeconfig}" >/dev/null`, kubeconfig);
    await check(1);
    const card = page.locator('[data-lab="1"]');
    expect(await card.locator('[data-task][data-state="passed"]').count()).toBe(2);
    expect(await card.getAttribute('data-status')).toBe('done');
    expect(await card.locator('[data-lab-status]').textContent()).toBe('Done');
    await page.screenshot({ path: join(ARTIFACTS, 'learner-progress-lab-done.png') });

    await page.reload();
    expect(await page.locator('.lesson-meta .pill[data-status="done"]').first().textContent()).toContain('Lab 1');
    await page.goto(new URL('/en/', server.url).href);
    const lesson = page.locator('.lesson-card[href="/en/lessons/02-probes/"]');
    expect(await lesson.getAttribute('data-status')).toBe('in-progress'); // labs 2 and 3 not yet
    expect(await lesson.locator('.pill[data-status="done"]').textContent()).toContain('Lab 1');
    await page.screenshot({ path: join(ARTIFACTS, 'learner-progress-index.png'), fullPage: true });
  });
});
