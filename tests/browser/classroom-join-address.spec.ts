// Where learners join, as the instructor's pages say it (issue #23, items 3 and 7): the printable
// join page, its QR code and the dashboard's "Nobody has joined yet" give the address the server
// printed at start — its LAN address — even when the instructor's browser is on localhost; a
// server that listens on this machine only makes those pages say learners cannot reach it. And
// the results CSV downloaded from a Korean dashboard keeps the Korean class name as its file name
// and opens as UTF-8. Screenshots (en, ko; 390 and 1440 px) in test-results/classroom-join-address/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

const ADMIN = { username: 'teacher', password: 'correct-horse-battery' };
const SHOTS = process.env.LABS_SHOTS_DIR ?? join(ARTIFACTS, 'classroom-join-address');

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Class = { id: number; joinCode: string };

/** A classroom server without environments (pages and joining only), listening on `host`. */
async function classroomServer(host: string): Promise<{ server: RunningServer; learners: string; local: string }> {
  const server = await startServer({ LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}` }, undefined, ['--classroom', '--environments', 'none', '--host', host]);
  for (let i = 0; i < 50 && !/learners: .+\n/.test(server.output()); i++) await new Promise((done) => setTimeout(done, 100));
  const learners = /learners: (.+)\n/.exec(server.output())![1]!;
  // The instructor sits at the server: their browser is on localhost, whatever learners use.
  return { server, learners, local: `http://localhost:${server.port}` };
}

/** Signs in and makes a class from a page of `origin` (its cookies, its CSRF token). */
async function newClass(page: Page, origin: string, name: string): Promise<Class> {
  await page.goto(`${origin}/en/classroom/`);
  return page.evaluate(async ({ admin, name }) => {
    const post = async (path: string, body: unknown, csrf?: string) => {
      const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return response.json();
    };
    const { csrf } = await post('/api/classroom/login', admin);
    return post('/api/classroom/cohorts', { name, labs: [1, 2, 3], capacity: 10 }, csrf);
  }, { admin: ADMIN, name });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

async function openPrint(page: Page, origin: string, cohort: Class, language = 'en'): Promise<void> {
  await page.goto(`${origin}/${language}/classroom/cohorts/${cohort.id}/print/`);
  await page.locator('[data-cr-sheet]').waitFor({ state: 'visible', timeout: 15_000 });
}

async function emptyState(page: Page, origin: string, cohort: Class, language = 'en'): Promise<string> {
  await page.goto(`${origin}/${language}/classroom/cohorts/${cohort.id}/`);
  const none = page.locator('[data-cr-no-learners]');
  await none.waitFor({ state: 'visible', timeout: 15_000 });
  return (await none.textContent())!;
}

let browser: Browser;
let page: Page;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
});
afterAll(async () => {
  await browser?.close();
});

describe('a server on every address, the instructor on localhost', () => {
  let lan: Awaited<ReturnType<typeof classroomServer>>;
  let cohort: Class;
  beforeAll(async () => {
    lan = await classroomServer('0.0.0.0');
    cohort = await newClass(page, lan.local, '쿠버네티스 기초 (화)');
  });
  afterAll(() => lan?.server.stop());

  it('the server prints a join address that is not localhost', () => {
    expect(lan.learners).toMatch(/^http:\/\/[^/]+:\d+\/join$/);
    expect(lan.learners).not.toContain('localhost');
  });

  it('the printable join page and its QR code give that address, with no warning', async () => {
    for (const language of ['en', 'ko']) {
      await openPrint(page, lan.local, cohort, language);
      expect(await page.locator('[data-cr-join-url]').textContent()).toBe(lan.learners);
      expect(await page.locator('[data-cr-qr]').getAttribute('data-qr-text')).toBe(`${lan.learners}?code=${cohort.joinCode}`);
      expect(await page.locator('[data-cr-no-join-address]').isHidden()).toBe(true);
      for (const width of [390, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await shot(page, `print-lan-${language}-${width}.png`);
      }
    }
  });

  it('"Nobody has joined yet" gives that address', async () => {
    for (const language of ['en', 'ko']) {
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(await emptyState(page, lan.local, cohort, language)).toContain(lan.learners);
      for (const width of [390, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await shot(page, `dashboard-empty-lan-${language}-${width}.png`);
      }
    }
  });

  it('the CSV from the Korean dashboard keeps the Korean class name and opens as UTF-8', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${lan.local}/ko/classroom/cohorts/${cohort.id}/`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-cr-export-csv]')]);
    expect(download.suggestedFilename()).toBe('쿠버네티스-기초-(화)-results.csv');
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe('"수업","학습자","실습","실습 제목","과제","점수","통과","통과 시각","실습 ID","과제 ID"');
  });
});

describe('a server on this machine only (--host 127.0.0.1)', () => {
  let loopback: Awaited<ReturnType<typeof classroomServer>>;
  let cohort: Class;
  beforeAll(async () => {
    loopback = await classroomServer('127.0.0.1');
    cohort = await newClass(page, loopback.local, 'Probes, Tuesday');
  });
  afterAll(() => loopback?.server.stop());

  it('the server says no learner reaches it', () => {
    expect(loopback.learners).toMatch(/^none: this server listens on 127\.0\.0\.1 only/);
  });

  it('the printable join page warns that learners cannot reach its address', async () => {
    for (const language of ['en', 'ko']) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await openPrint(page, loopback.local, cohort, language);
      const warning = page.locator('[data-cr-no-join-address]');
      expect(await warning.isVisible()).toBe(true);
      expect(await warning.textContent()).toContain('--host');
      for (const width of [390, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await shot(page, `print-loopback-${language}-${width}.png`);
      }
    }
  });

  it('"Nobody has joined yet" says why nobody can', async () => {
    for (const language of ['en', 'ko']) {
      await page.setViewportSize({ width: 1440, height: 900 });
      const text = await emptyState(page, loopback.local, cohort, language);
      expect(text).not.toContain('localhost');
      expect(text).toContain('--host');
      for (const width of [390, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        await shot(page, `dashboard-empty-loopback-${language}-${width}.png`);
      }
    }
  });
});
