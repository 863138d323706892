// The end of a class as the learner's page and the dashboard show it (issue #23): after "End the
// class", the learner's terminal says in one line, in the page's language, that the class ended
// (before: "[shell exited with code 137]" when their sandbox was killed, or a terminal that kept
// reconnecting), reads "class ended" and never connects again. On the dashboard, the line saying
// nobody can join (the class ended; the server listens on this machine only) is a status notice,
// not grey text. A classroom server without environments (the terminal never gets a shell: it
// retries, as across a dropped network, until the class ends; the bridge's own part, a shell
// ended by the server, is tests/unit/terminal-class-end.spec.ts, with real sandboxes
// tests/cluster/classroom-end.spec.ts). Screenshots (en, ko; 390 and 1440 px) in
// test-results/classroom-class-end/ (LABS_SHOTS_DIR to put them elsewhere).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, type RunningServer } from './harness.ts';
import { createClass, join as joinClass, screenshotsIn, signIn, specBrowsers, startClassroomServer, type Class, type Instructor } from './classroom-session.ts';

const SHOTS = process.env.LABS_SHOTS_DIR ?? join(ARTIFACTS, 'classroom-class-end');
const WORDS = {
  en: { line: '[the class has ended: terminal closed]', status: 'class ended', nobody: 'nobody can' },
  ko: { line: '[수업이 종료되어 이 터미널은 닫혔습니다]', status: '수업 종료', nobody: '참여할 수 없습니다' },
} as const;
type Language = keyof typeof WORDS;
type Terminal = { text(): string };

let server: RunningServer;
const { browser, closeAll } = specBrowsers();
let instructor: Instructor;

const shot = screenshotsIn(SHOTS);

const terminalText = (page: Page) => page.evaluate(() => (window as unknown as { labsTerminal?: Terminal }).labsTerminal?.text() ?? '');

async function endClass(cohort: Class): Promise<void> {
  const dashboard = instructor.page;
  await dashboard.goto(new URL(`/en/classroom/cohorts/${cohort.id}/`, server.url).href);
  await dashboard.locator('[data-cr-live][data-state="live"]').waitFor({ timeout: 15_000 });
  await dashboard.click('[data-cr-end]');
  await dashboard.locator('dialog.cr-dialog[open] button[value="yes"]').click();
  await dashboard.locator('[data-cr-notice]', { hasText: 'This class has ended.' }).waitFor();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startClassroomServer();
  instructor = await signIn((await browser()).context, server);
});
afterAll(async () => {
  await closeAll();
  await server?.stop();
});

describe("the learner's terminal when the class ends", () => {
  const learners = {} as Record<Language, { page: Page; sockets: string[] }>;
  let cohort: Class;

  beforeAll(async () => {
    cohort = await createClass(instructor, 'Probes, Tuesday');
    for (const [language, name] of [['en', 'Ana'], ['ko', '김민지']] as const) {
      const page = await (await browser()).context.newPage();
      await page.setViewportSize({ width: 1440, height: 900 });
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      await joinClass(page, server, cohort, name, language);
      learners[language] = { page, sockets };
    }
    // No environment here: each terminal is told so and keeps trying (as it would across a dropped network).
    for (const { page } of Object.values(learners)) {
      await page.locator('[data-terminal][data-state="reconnecting"]').waitFor({ state: 'attached', timeout: 30_000 });
    }
    await endClass(cohort);
  }, 120_000);

  for (const language of ['en', 'ko'] as const) {
    it(`says in one line that the class ended, never an exit code, and reads "${WORDS[language].status}" (${language})`, async () => {
      const { page } = learners[language];
      await page.locator('[data-terminal][data-state="ended"]').waitFor({ state: 'attached', timeout: 15_000 });
      const text = await terminalText(page);
      expect(text.split('\n').filter((line) => line.includes(WORDS[language].line))).toHaveLength(1);
      expect(text).not.toMatch(/exited with code|종료 코드/);
      expect(await page.locator('[data-terminal-status-text]').textContent()).toBe(WORDS[language].status);
      expect(await page.locator('[data-terminal-reconnect]').isVisible()).toBe(false);
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        // Phones: the terminal is a bottom sheet; open it to see the line.
        if (width === 390 && (await page.locator('[data-terminal-toggle]').getAttribute('aria-expanded')) === 'false') await page.click('[data-terminal-toggle]');
        await page.waitForTimeout(300);
        await shot(page, `learner-ended-${language}-${width}.png`);
      }
    });
  }

  it('never connects again: no new terminal socket in the 8 s after the end', async () => {
    const before = Object.values(learners).map(({ sockets }) => sockets.length);
    await new Promise((done) => setTimeout(done, 8000));
    expect(Object.values(learners).map(({ sockets }) => sockets.length)).toEqual(before);
    for (const { page } of Object.values(learners)) expect(await page.locator('[data-terminal]').getAttribute('data-state')).toBe('ended');
  });
});

describe('the dashboard when nobody can join', () => {
  let cohort: Class;
  beforeAll(async () => {
    cohort = await createClass(instructor, '빈 수업');
  });

  async function noJoin(language: Language) {
    const page = instructor.page;
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(new URL(`/${language}/classroom/cohorts/${cohort.id}/`, server.url).href);
    const line = page.locator('[data-cr-no-learners]');
    await line.waitFor({ state: 'visible', timeout: 15_000 });
    return { page, line };
  }

  it('this server is out of learners\' reach (loopback only): a status notice, not a grey line', async () => {
    for (const language of ['en', 'ko'] as const) {
      const { page, line } = await noJoin(language);
      expect(await line.textContent()).toContain('--host');
      expect(await line.getAttribute('role')).toBe('status');
      expect(await line.evaluate((node) => node.classList.contains('callout') && !node.classList.contains('muted'))).toBe(true);
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await shot(page, `dashboard-no-join-loopback-${language}-${width}.png`);
      }
    }
  });

  it('the class ended with nobody in it: the notice says nobody can join now, not where to join', async () => {
    await endClass(cohort);
    for (const language of ['en', 'ko'] as const) {
      const { page, line } = await noJoin(language);
      await page.locator('[data-classroom-dashboard][data-ended]').waitFor({ state: 'attached' });
      const text = (await line.textContent())!;
      expect(text).toContain(WORDS[language].nobody);
      expect(text).not.toContain('--host');
      expect(text).not.toContain('/join');
      expect(await line.getAttribute('role')).toBe('status');
      expect(await line.evaluate((node) => node.classList.contains('callout'))).toBe(true);
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await shot(page, `dashboard-no-join-ended-${language}-${width}.png`);
      }
    }
  });
});
