// Issue #23 item 9, the instructor's dashboard: an open tab makes no failed request (it polled
// the learners' /api/cluster, 401 every 2 s); a skip link to the progress grid and the class
// actions before the "Who" toggles of every failure in Tab order; a message to everyone is
// confirmed by a neutral button that says what it does (not a red "Yes, do it").
// Screenshots, English and Korean at 390 and 1440 px, in /tmp/shots-23ui/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { listLabs } from '../../grader/catalog.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import { createClass, joinOverHttp, signIn, startClassroomServer, type Class, type Instructor } from './classroom-session.ts';
import { launchBrowser, type RunningServer } from './harness.ts';

const SHOTS = '/tmp/shots-23ui';
const LEARNERS = ['Ana', 'Ben', 'Chloé'];

let server: RunningServer;
let teacher: Awaited<ReturnType<typeof launchBrowser>>;
let instructor: Instructor;
let cohort: Class;
/** Pages a test opened, closed after it even when it failed: each holds a live feed, and chromium
 * opens at most 6 connections to one server. */
const opened: Page[] = [];

/** Lab 1 failing for every learner, one way for Ana and Ben and another for Chloé: two "Who" toggles. */
async function recordFailures(): Promise<void> {
  const lab = (await listLabs()).find((l) => l.number === 1)!;
  const failing = (observed: string): LabResult => {
    const checks = lab.tasks.map((task) => ({ id: task.id, title: task.title, points: task.points, passed: false, expected: 'a liveness probe', observed }));
    return { lab: lab.id, passed: false, score: 0, maxScore: checks.length, checks, startedAt: new Date(Date.now() - 5 * 60_000).toISOString(), durationMs: 40 };
  };
  const store = new ProgressStore(join(server.home, 'data', 'progress.sqlite'));
  store.record(failing('no livenessProbe on container "app"'), 'learner:1');
  store.record(failing('no livenessProbe on container "app"'), 'learner:2');
  store.record(failing('no pod "liveness-demo"'), 'learner:3');
  store.close();
}

async function newPage(): Promise<Page> {
  const page = await teacher.context.newPage();
  opened.push(page);
  return page;
}

async function openDashboard(language: 'en' | 'ko', width: number): Promise<Page> {
  const page = await newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.goto(new URL(`/${language}/classroom/cohorts/${cohort.id}/`, server.url).href);
  await page.locator('[data-cr-failures] .cr-failure-who').first().waitFor({ timeout: 15_000 });
  return page;
}

/** What has focus, in a word: the skip link, a learner, a class action, a "Who" toggle. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    if (!active || active === document.body) return 'body';
    if (active.matches('.skip-link')) return `skip:${active.getAttribute('href')}`;
    if (active.closest('.cr-failure-who')) return 'who';
    if (active.closest('[data-cr-broadcast]')) return active.tagName === 'TEXTAREA' ? 'message' : 'send';
    if (active.matches('[data-cr-end]')) return 'end';
    if (active.dataset.crOpen) return `learner:${active.textContent}`;
    return active.id ? `#${active.id}` : active.tagName.toLowerCase();
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startClassroomServer();
  teacher = await launchBrowser();
  instructor = await signIn(teacher.context, server);
  cohort = await createClass(instructor, 'Kubernetes basics, Tuesday');
  for (const name of LEARNERS) await joinOverHttp(server, cohort, name);
  await recordFailures();
});
afterEach(async () => {
  for (const page of opened.splice(0)) await page.close();
});
afterAll(async () => {
  await teacher?.close();
  await server?.stop();
});

describe('an open dashboard tab', () => {
  it('makes no failed request in 10 s, and never asks for a learner cluster', async () => {
    const page = await newPage();
    const failed: string[] = [];
    const clusterAsked: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => failed.push(`${request.failure()?.errorText} ${request.url()}`));
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/cluster') clusterAsked.push(request.url());
    });
    await page.goto(new URL(`/en/classroom/cohorts/${cohort.id}/`, server.url).href);
    await page.locator('[data-cr-live][data-state="live"]').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(10_000);
    expect(failed).toEqual([]);
    expect(clusterAsked).toEqual([]);
  });

  it('a page of someone not in the class asks for the cluster once, not every 2 s (the join page: never)', async () => {
    const { context, close } = await launchBrowser();
    try {
      const page = await context.newPage();
      const clusterAsked: string[] = [];
      page.on('response', (response) => {
        const url = new URL(response.url());
        if (url.pathname === '/api/cluster') clusterAsked.push(`${response.status()} on ${new URL(page.url()).pathname}`);
      });
      await page.goto(new URL('/en/join/', server.url).href);
      await page.waitForTimeout(5_000);
      expect(clusterAsked).toEqual([]);
      await page.goto(new URL('/en/', server.url).href);
      await page.waitForTimeout(7_000);
      expect(clusterAsked).toEqual(['401 on /en/']);
    } finally {
      await close();
    }
  });
});

describe('the dashboard from the keyboard', () => {
  for (const [language, width] of [['en', 1440], ['en', 390], ['ko', 1440], ['ko', 390]] as const) {
    it(`the first Tab offers "Skip to progress", which lands on the grid: the next Tab is its first learner (${language}, ${width} px)`, async () => {
      const page = await openDashboard(language, width);
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('skip:#cr-progress');
      const link = page.locator('.skip-link:focus');
      expect(await link.textContent()).toBe(language === 'en' ? 'Skip to progress' : '진행 상황으로 건너뛰기');
      expect((await link.boundingBox())!.width).toBeGreaterThan(40); // shown while focused
      await page.screenshot({ path: `${SHOTS}/dashboard-skip-link-${language}-${width}.png` });
      await page.keyboard.press('Enter');
      expect(await focused(page)).toBe('#cr-progress');
      await page.screenshot({ path: `${SHOTS}/dashboard-skip-target-${language}-${width}.png` });
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('learner:Ana');
    });
  }

  it('Tab reaches the class actions (message, Send, End the class) before any "Who" toggle', async () => {
    const page = await openDashboard('en', 1440);
    const order: string[] = [];
    for (let i = 0; i < 40 && !order.includes('who'); i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    expect(order).toContain('who');
    for (const action of ['message', 'send', 'end']) {
      expect(order.indexOf(action), `${action} in ${order.join(' → ')}`).toBeGreaterThan(-1);
      expect(order.indexOf(action), order.join(' → ')).toBeLessThan(order.indexOf('who'));
    }
    // The second skip link goes straight to the actions.
    expect(order[1]).toBe('skip:#cr-actions');
  });
});

describe('a message to everyone', () => {
  for (const [language, width] of [['en', 1440], ['en', 390], ['ko', 1440], ['ko', 390]] as const) {
    it(`is confirmed by a neutral button that says what it does (${language}, ${width} px)`, async () => {
      const page = await openDashboard(language, width);
      await page.fill('[data-cr-broadcast] textarea', language === 'en' ? 'Break until 14:30' : '5분 후 휴식!');
      await page.click('[data-cr-broadcast] button[type="submit"]');
      const dialog = page.locator('dialog.cr-dialog[open]');
      await dialog.waitFor();
      const yes = dialog.locator('button[value="yes"]');
      expect(await yes.getAttribute('class')).not.toMatch(/danger/);
      expect(await yes.getAttribute('class')).toMatch(/primary/);
      expect(await yes.textContent()).toBe(language === 'en' ? 'Send to everyone' : '모두에게 보내기');
      expect(await dialog.locator('.cr-dialog-text').textContent()).toBe(
        language === 'en'
          ? 'Show this message at the top of every learner\'s page (3 in the class now)?'
          : '이 메시지를 모든 학습자의 화면 위쪽에 띄울까요? (지금 3명)',
      );
      await page.screenshot({ path: `${SHOTS}/dashboard-broadcast-confirm-${language}-${width}.png` });
      // Enter sends (the neutral confirm has focus); the status says it went.
      expect(await yes.evaluate((button) => button === document.activeElement)).toBe(true);
      await page.keyboard.press('Enter');
      await page.locator('[data-cr-broadcast-status][data-kind="ok"]').waitFor({ state: 'visible' });
      await page.evaluate(() => window.scrollTo(0, 0)); // the header is sticky
      await page.screenshot({ path: `${SHOTS}/dashboard-${language}-${width}.png`, fullPage: true });
    });
  }

  it('ending the class still asks with the red button, Cancel focused', async () => {
    const page = await openDashboard('en', 1440);
    await page.click('[data-cr-end]');
    const dialog = page.locator('dialog.cr-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('button[value="yes"]').getAttribute('class')).toMatch(/danger/);
    expect(await dialog.locator('button[value="cancel"]').evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('dialog.cr-dialog[open]').count()).toBe(0);
  });
});
