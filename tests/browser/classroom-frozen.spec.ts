// A learner environment frozen while nobody used it (issue #24), as the pages show it: on the
// instructor's dashboard a muted "paused (idle)" chip in the grid (its tooltip and the learner's
// drawer say why and what thaws it) and a line in the machine panel; on the learner's lesson page
// the header pill reads "paused (idle)" and a quiet banner says it resumes when they use it — in
// English and Korean. The server runs without environments (`--environments none`: every
// environment reads "error"), so what a provider that freezes would report is put in the page's
// way: the dashboard's snapshots get Ana's environment frozen (and a pool with one frozen), the
// learner's /api/cluster answers what the server maps a frozen environment to
// (src/server/classroom-callers.ts, tested in tests/unit/classroom-frozen.spec.ts).
// Screenshots (en, ko; 390 and 1440 px) in test-results/classroom-frozen/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, type RunningServer } from './harness.ts';
import { createClass, join as joinClass, joinOverHttp, screenshotsIn, signIn, specBrowsers, startClassroomServer, type Class, type Instructor } from './classroom-session.ts';

const SHOTS = process.env.LABS_SHOTS_DIR ?? join(ARTIFACTS, 'classroom-frozen');
const WORDS = {
  en: { chip: 'paused (idle)', why: 'paused to free the CPU', pool: 'Of those in use, 1 paused while idle', banner: 'Your environment is paused', resumes: 'as soon as you use it' },
  ko: { chip: '일시 정지(유휴)', why: 'CPU를 비우도록 일시 정지', pool: '1개는 유휴 상태라 일시 정지', banner: '실습 환경이 일시 정지되었습니다', resumes: '1초 안에 저절로 다시 시작' },
} as const;
type Language = keyof typeof WORDS;

let server: RunningServer;
const { browser, closeAll } = specBrowsers();
let instructor: Instructor;
let cohort: Class;

const shot = screenshotsIn(SHOTS);

/** The dashboard's snapshots as a server whose provider froze Ana's environment would send them. */
function frozenSnapshots(): void {
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (this: EventSource, type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) {
    if (type !== 'snapshot' || typeof listener !== 'function') return add.call(this, type, listener, options);
    return add.call(this, type, (event: Event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { learners: { displayName: string; environment: unknown }[]; pool?: unknown };
      for (const learner of data.learners) {
        learner.environment = learner.displayName === 'Ana'
          ? { state: 'frozen', message: 'paused after 5 min without a keystroke, an open page or grading' }
          : { state: 'ready', message: 'ready' };
      }
      data.pool = { assigned: 2, warm: 1, creating: 0, warmTarget: 1, fit: 3, limit: 'cpu', limitMessage: '2 cores, each idle environment keeps about 8 % of a core busy', frozen: 1 };
      listener(new MessageEvent('snapshot', { data: JSON.stringify(data) }));
    }, options);
  } as typeof EventSource.prototype.addEventListener;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startClassroomServer();
  instructor = await signIn((await browser()).context, server);
  cohort = await createClass(instructor, 'Probes, Tuesday');
  await joinOverHttp(server, cohort, 'Ana');
  await joinOverHttp(server, cohort, 'Ben');
});
afterAll(async () => {
  await closeAll();
  await server?.stop();
});

describe('the dashboard', () => {
  for (const language of ['en', 'ko'] as const) {
    it(`shows a frozen learner as paused, not failed, and says why (${language})`, async () => {
      const words = WORDS[language];
      const page = await instructor.page.context().newPage();
      await page.addInitScript(frozenSnapshots);
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(new URL(`/${language}/classroom/cohorts/${cohort.id}/`, server.url).href);
        const ana = page.locator('[data-cr-grid-body] tr', { hasText: 'Ana' });
        // Phones show the badge under the name; wide screens in its own column.
        const chip = ana.locator('.cr-env-badge[data-state="frozen"]').filter({ visible: true });
        await chip.first().waitFor({ timeout: 15_000 });
        expect(await chip.first().textContent()).toBe(words.chip);
        expect(await chip.first().getAttribute('title')).toContain(words.why);
        expect(await page.locator('[data-cr-grid-body] tr', { hasText: 'Ben' }).locator('.cr-env-badge[data-state="ready"]').count()).toBeGreaterThan(0);
        expect(await page.locator('[data-cr-pool]').textContent()).toContain(words.pool);
        await shot(page, `dashboard-${language}-${width}.png`);
        await ana.locator('[data-cr-open]').click();
        const drawer = page.locator('[data-cr-drawer]');
        await drawer.waitFor({ state: 'visible' });
        expect(await drawer.locator('[data-cr-drawer-env] .cr-env-badge').textContent()).toBe(words.chip);
        expect(await drawer.locator('[data-cr-drawer-env] .cr-env-detail').textContent()).toContain(words.why);
        await shot(page, `drawer-${language}-${width}.png`);
      }
      await page.close();
    });
  }
});

describe("the learner's page", () => {
  const pages = {} as Record<Language, Page>;
  beforeAll(async () => {
    for (const [language, name] of [['en', 'Cy'], ['ko', '김민지']] as const) {
      const page = await (await browser()).context.newPage();
      await page.route('**/api/cluster', (route) => route.fulfill({ json: { name: 'learner-3', state: 'paused', detail: 'paused after 5 min without a keystroke, an open page or grading' } }));
      await page.setViewportSize({ width: 1440, height: 900 });
      await joinClass(page, server, cohort, name, language);
      pages[language] = page;
    }
  });

  for (const language of ['en', 'ko'] as const) {
    it(`says the environment is paused and resumes when they use it (${language})`, async () => {
      const words = WORDS[language];
      const page = pages[language];
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        const pill = page.locator('[data-cluster-status][data-state="paused"]');
        await pill.waitFor({ timeout: 15_000 });
        expect(await pill.locator('[data-cluster-state]').textContent()).toContain(words.chip);
        expect(await pill.getAttribute('title')).toContain(words.resumes);
        const banner = page.locator('[data-cluster-banner][data-state="paused"]');
        await banner.waitFor({ state: 'visible' });
        expect(await banner.locator('[data-banner-title]').textContent()).toBe(words.banner);
        expect(await banner.locator('[data-banner-detail]').textContent()).toContain(words.resumes);
        await shot(page, `learner-${language}-${width}.png`);
      }
    });
  }
});
