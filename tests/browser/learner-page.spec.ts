// The learner's page (issue #11), in chromium against the real server: lab cards with tasks,
// hints, starter files and the solution behind a confirmation; Run on a clean command line and
// never into a running program; and, with the learner cluster still being built, a banner with
// the step and an estimate, a line in the terminal, Run and Check that say "not ready yet".
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildEstimator } from '../../src/environments/estimate.ts';
import type { ProgressEvent } from '../../src/environments/progress.ts';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

type TerminalHandle = { text(): string; ready: boolean };

let browser: Awaited<ReturnType<typeof launchBrowser>>;

const terminalText = (page: Page) => page.evaluate(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.text());

async function openLesson(server: RunningServer, path: string, width = 1440): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.goto(new URL(path, server.url).href);
  await page.waitForFunction(() => (window as unknown as { labsTerminal?: TerminalHandle }).labsTerminal?.ready === true, null, { timeout: 30_000 });
  return page;
}

async function waitForTerminal(page: Page, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`terminal never showed ${pattern}; it shows:\n${text.split('\n').slice(-20).join('\n')}`);
}

async function typeInTerminal(page: Page, text: string, enter = true): Promise<void> {
  await page.click('[data-terminal-host]');
  await page.keyboard.type(text, { delay: 3 });
  if (enter) await page.keyboard.press('Enter');
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('lab cards and Run, with no cluster', () => {
  let server: RunningServer;
  let page: Page;
  beforeAll(async () => {
    server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
    page = await openLesson(server, '/en/lessons/02-probes/');
  });
  afterAll(async () => {
    await page?.close();
    await server?.stop();
  });

  it('shows each lab task with its points, not yet checked, and its hint only on request', async () => {
    const card = page.locator('[data-lab="1"]');
    await expect.poll(() => card.locator('[data-task]').count()).toBe(2);
    expect(await card.locator('[data-task]').first().getAttribute('data-state')).toBe('unknown');
    expect(await card.locator('.task-points').first().textContent()).toBe('2 pt');
    expect(await card.getAttribute('data-status')).toBe('not-started');
    const hint = card.locator('.task-hint').first();
    expect(await hint.locator('p').isVisible()).toBe(false);
    await hint.locator('summary').click();
    expect(await hint.locator('p').textContent()).toContain('liveness-test.yaml');
  });

  it('offers the starter files the hints name, as downloads', async () => {
    const link = page.locator('[data-lab="1"] .lab-files a', { hasText: 'liveness-test.yaml' });
    const response = await fetch(new URL((await link.getAttribute('href'))!, server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="liveness-test.yaml"');
    expect(await response.text()).toContain('kind: Pod');
  });

  it('shows the reference solution only after the learner confirms', async () => {
    const card = page.locator('[data-lab="1"]');
    await card.locator('[data-lab-action="solution"]').click();
    const confirm = card.locator('[data-lab-confirm]');
    expect(await confirm.isVisible()).toBe(true);
    await confirm.locator('[data-lab-confirm-no]').click();
    expect(await card.locator('[data-lab-solution]').isVisible()).toBe(false);
    await card.locator('[data-lab-action="solution"]').click();
    await confirm.locator('[data-lab-confirm-yes]').click();
    const steps = card.locator('.lab-solution-steps');
    await steps.waitFor();
    expect(await steps.textContent()).toContain('kubectl apply -f liveness-test.yaml');
    expect(await steps.textContent()).not.toContain('mktemp'); // the harness's scratch set-up is not a step
    await page.screenshot({ path: join(ARTIFACTS, 'learner-lab-card-1440.png') });
  });

  it('says in the page language that there is no cluster to check, with the detail one click away', async () => {
    const card = page.locator('[data-lab="1"]');
    await card.locator('[data-lab-check]').click();
    const error = card.locator('.lab-error');
    await error.waitFor();
    expect(await error.textContent()).not.toContain('--kubeconfig');
    expect(await card.locator('.lab-error-details summary').textContent()).toBe('Details');
  });

  it('Run clears a half-typed command line before typing the block', async () => {
    const lesson = await openLesson(server, '/en/lessons/01-pod-lifecycle/');
    await typeInTerminal(lesson, 'echo half-typed ', false);
    const block = lesson.locator('.code-block[data-mode="run"]').nth(1);
    expect(await block.locator('pre code').textContent()).toContain('cat > hello.yaml');
    await block.locator('[data-action="run"]').click();
    await typeInTerminal(lesson, 'test -f ~/course/01-pod-lifecycle/hello.yaml && echo "HELLO-$((40+2))"');
    const text = await waitForTerminal(lesson, /^HELLO-42$/m);
    expect(text).not.toMatch(/^half-typed mkdir/m);
    await lesson.close();
  });

  it('Run says what is running instead of typing into it', async () => {
    await typeInTerminal(page, 'sleep 30');
    await page.waitForTimeout(300);
    const lesson = page;
    // What a Run button does (code-actions.ts), with a command whose output would show if typed.
    await lesson.evaluate(() => window.dispatchEvent(new CustomEvent('labs:run', { detail: { command: 'echo "SHOULD-NOT-$((6*7))"' } })));
    await waitForTerminal(lesson, /not run: "sleep" is running/);
    await page.keyboard.press('Control+C');
    await typeInTerminal(page, 'echo "AFTER-$((6*7))"');
    const text = await waitForTerminal(page, /^AFTER-42$/m);
    expect(text).not.toMatch(/^SHOULD-NOT-42$/m);
  });
});

describe('while the learner cluster is being built', () => {
  let server: RunningServer;

  beforeAll(async () => {
    // The state a real build leaves in the cluster's status file, with progress computed by the
    // provider's own estimator from the build's real progress lines; the pid is this test's
    // (alive), so the server sees a build in flight.
    const data = mkdtempSync(join(tmpdir(), 'labs-building-'));
    mkdirSync(join(data, 'clusters', 'labs'), { recursive: true });
    const startedAt = Date.now() - 8 * 60_000;
    const estimator = new BuildEstimator(startedAt);
    const event = (phase: ProgressEvent['phase'], message: string): ProgressEvent => ({ phase, message, cluster: 'labs', elapsedMs: Date.now() - startedAt });
    estimator.observe(event('docker', 'checking the Docker engine'), startedAt);
    estimator.observe(event('toolchain', 'toolchain: building 9 of 14 components: etcd coredns kubernetes containerd runc crictl cni-plugins helm kustomize'), startedAt + 10_000);
    const progress = estimator.observe(event('toolchain', '[3/9] building kubernetes v1.34.4 … (log: x)'), startedAt + 5 * 60_000);
    writeFileSync(join(data, 'clusters', 'labs', 'status.json'), JSON.stringify({
      state: 'building', message: '[3/9]   … kubernetes still building (3m00s)', pid: process.pid, offline: true, progress, updatedAt: new Date().toISOString(),
    }));
    server = await startServer({ LABS_HOME: data, KUBECONFIG: '/nonexistent/kubeconfig' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const [language, width] of [['en', 1440], ['en', 390], ['ko', 1440], ['ko', 390]] as const) {
    it(`shows a banner with the step and an estimate (${language}, ${width} px)`, async () => {
      const page = await openLesson(server, `/${language}/lessons/02-probes/`, width);
      const banner = page.locator('[data-cluster-banner]');
      await banner.waitFor({ state: 'visible' });
      const text = (await banner.textContent())!;
      if (language === 'en') {
        expect(text).toContain('Step 2 of 7: building Kubernetes and its tools from source');
        expect(text).toContain('kubernetes (3 of 9)');
        expect(text).toMatch(/8 min so far, about \d+ min left/);
      } else {
        expect(text).toContain('7단계 중 2단계');
        expect(text).toMatch(/약 \d+분 남음/);
      }
      await page.screenshot({ path: join(ARTIFACTS, `learner-banner-${language}-${width}.png`) });
      await page.close();
    });
  }

  it('tells the terminal, holds Run for cluster commands, and Check says not ready yet', async () => {
    const page = await openLesson(server, '/en/lessons/02-probes/');
    await waitForTerminal(page, /Your cluster is still being built \(step 2\/7, about \d+ min left\)/);
    const kubectlBlock = page.locator('.code-block[data-mode="run"]', { hasText: 'kubectl create namespace lesson-probes' }).first();
    await kubectlBlock.locator('[data-action="run"]').click();
    const text = await waitForTerminal(page, /Not run: this command needs your cluster/);
    expect(text).not.toMatch(/memcache|localhost:8080/);
    await page.locator('[data-lab="1"] [data-lab-check]').click();
    const error = page.locator('[data-lab="1"] .lab-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^Your cluster is not ready yet \(step 2\/7, about \d+ min left\)\.$/);
    await page.close();
  });
});
