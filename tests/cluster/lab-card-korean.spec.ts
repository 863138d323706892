// The lab card in Korean (issue #23): Check on a Korean lesson page grades the real cluster and
// says what was expected and observed in Korean (the server's `localized` words, grader/words-ko.ts),
// while the English page stays English. Read-only: the cluster is graded as other specs left it,
// so only failed tasks (which show those lines) are looked at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startServer, type RunningServer } from '../browser/harness.ts';
import { testKubeconfig } from './helpers/cluster.ts';

const SHOTS = process.env.LABS_SHOTS_DIR ?? '/tmp/shots-23term';
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

/** Checks labs 1-3 on the probes lesson; returns the lines under the failed tasks. */
async function checkAll(page: Page): Promise<string[]> {
  const lines: string[] = [];
  for (const lab of [1, 2, 3]) {
    const card = page.locator(`[data-lab="${lab}"]`);
    await card.locator('[data-lab-check]').click();
    await card.locator('.lab-summary').waitFor({ timeout: 120_000 });
    for (const detail of await card.locator('[data-task][data-state="failed"] .check-details dd').allTextContents()) lines.push(detail);
  }
  return lines;
}

async function open(language: 'en' | 'ko', width: number): Promise<{ page: Page; asked: string[] }> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const asked: string[] = [];
  page.on('request', (request) => { if (request.url().includes('/verify')) asked.push(request.url()); });
  await page.goto(new URL(`/${language}/lessons/02-probes/`, server.url).href);
  return { page, asked };
}

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: testKubeconfig() });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the lab card in Korean', () => {
  for (const width of [1440, 390]) {
    it(`\`labs verify --lang ko\` in the lesson's terminal reads in Korean (${width} px)`, async () => {
      const { page } = await open('ko', width);
      try {
        const toggle = page.locator('[data-terminal-toggle]');
        if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
        await page.waitForFunction(() => (window as unknown as { labsTerminal?: { ready: boolean } }).labsTerminal?.ready === true, null, { timeout: 30_000 });
        await page.click('[data-terminal-host]');
        await page.keyboard.type('clear; labs verify 1 --lang ko', { delay: 5 });
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => /아직 · |통과 · /.test((window as unknown as { labsTerminal: { text(): string } }).labsTerminal.text()), null, { timeout: 60_000 });
        const text = await page.evaluate(() => (window as unknown as { labsTerminal: { text(): string } }).labsTerminal.text());
        expect(text).toContain('실습 01 · liveness 프로브가');
        expect(text).toContain('실제값');
        await page.screenshot({ path: join(SHOTS, `terminal-labs-verify-ko-${width}.png`) });
      } finally {
        await page.close();
      }
    });
  }

  for (const width of [1440, 390]) {
    it(`says expected and observed in Korean on the Korean page, in English on the English one (${width} px)`, async () => {
      const ko = await open('ko', width);
      try {
        const lines = await checkAll(ko.page);
        expect(lines.length, 'a failed task to read').toBeGreaterThan(0);
        for (const line of lines) expect(line, line).toMatch(/[가-힣]/);
        expect(ko.asked.every((url) => url.endsWith('?lang=ko'))).toBe(true);
        const failed = ko.page.locator('[data-task][data-state="failed"]').first();
        await failed.scrollIntoViewIfNeeded();
        await ko.page.screenshot({ path: join(SHOTS, `lab-card-ko-${width}.png`) });
      } finally {
        await ko.page.close();
      }
      const en = await open('en', width);
      try {
        const lines = await checkAll(en.page);
        for (const line of lines) expect(line, line).not.toMatch(/[가-힣]/);
        expect(en.asked.some((url) => url.includes('lang='))).toBe(false);
        await en.page.locator('[data-task][data-state="failed"]').first().scrollIntoViewIfNeeded();
        await en.page.screenshot({ path: join(SHOTS, `lab-card-en-${width}.png`) });
      } finally {
        await en.page.close();
      }
    });
  }
});
