// Issue #23 item 6: what people type in Korean — a class name, a display name, a message to
// everyone — renders on English pages too, on a machine without a Korean system font (chromium
// here sees every system font but those with Korean: no-korean-fonts.ts). The proof is the font
// chromium drew each text with: a web font of Noto Sans KR for every Korean glyph, no system
// fallback (which on such a machine draws empty boxes). Pages fetch only the slices of the font
// their text needs: an English page without Korean text gets no slice of the full font (its
// "한국어" and arrows come from a cut of a few kB, src/styles/ui-font.ts).
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcast, createClass, join, signIn, startClassroomServer, type Class, type Instructor } from './classroom-session.ts';
import { fontsDrawing } from './fonts-drawn.ts';
import { launchBrowser, type RunningServer } from './harness.ts';
import { withoutKoreanFonts } from './no-korean-fonts.ts';

const CLASS_NAME = '쿠버네티스 기초 화요일반';
const LEARNER = '김민지';
const MESSAGE = '5분 후 휴식!';
const SHOTS = '/tmp/shots-23ui';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
let server: RunningServer;
let teacher: Browser;
let learner: Browser;
let instructor: Instructor;
let cohort: Class;
const fonts = withoutKoreanFonts();
/** Noto Sans KR slices (not the 2 kB subset of the language switch) each page fetched. */
const slicesFetched = new Map<Page, string[]>();

async function newPage(browser: Browser, width = 1440): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  slicesFetched.set(page, []);
  page.on('response', (response) => {
    const file = /\/noto-sans-kr-\d+-wght-normal[^/]*\.woff2$/.exec(new URL(response.url()).pathname)?.[0];
    if (file) slicesFetched.get(page)!.push(file);
  });
  return page;
}

/**
 * Every Korean glyph of the element's text was drawn by Noto Sans KR, and nothing by a system
 * font. (A glyph no font has is drawn as the first font's empty box: it counts for that font.)
 */
async function expectDrawnByWebFonts(page: Page, selector: string): Promise<void> {
  const text = await page.locator(selector).first().evaluate((node) => (node instanceof HTMLInputElement ? node.value : (node.textContent ?? '')));
  const hangul = [...text.matchAll(/\p{Script=Hangul}/gu)].length;
  expect(hangul, `Korean in ${selector}: "${text}"`).toBeGreaterThan(0);
  const drawn = await fontsDrawing(page, selector);
  expect(drawn.filter((font) => !font.isCustomFont), `system fonts drew ${selector}: ${JSON.stringify(drawn)}`).toEqual([]);
  const byNoto = drawn.filter((font) => /^Noto Sans KR/.test(font.familyName)).reduce((sum, font) => sum + font.glyphCount, 0);
  expect(byNoto, `Noto Sans KR drew ${byNoto} glyphs of the ${hangul} Korean ones in ${selector}: ${JSON.stringify(drawn)}`).toBeGreaterThanOrEqual(hangul);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startClassroomServer();
  teacher = await launchBrowser([], fonts.env);
  learner = await launchBrowser([], fonts.env);
  instructor = await signIn(teacher.context, server);
  cohort = await createClass(instructor, CLASS_NAME);
});
afterAll(async () => {
  await learner?.close();
  await teacher?.close();
  await server?.stop();
});

describe('Korean on English pages, without a Korean system font', () => {
  it('the browser under test has no system font with Korean in it', () => {
    expect(fonts.koreanFontsLeft()).toEqual([]);
  });

  for (const path of ['/en/join/', '/en/lessons/01-pod-lifecycle/']) {
    it(`an English page with no Korean text of its own fetches no slice of the full font (${path})`, async () => {
      const page = await newPage(learner);
      await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
      await fontsDrawing(page, '.language-switch');
      expect(slicesFetched.get(page)).toEqual([]);
      // The language switch's "한국어" is drawn all the same (by the small cut of the chrome's glyphs).
      await expectDrawnByWebFonts(page, '.language-switch [hreflang="ko"] .language-name');
      await page.close();
    });
  }

  it('a Korean name typed into the English join form', async () => {
    const page = await newPage(learner);
    await page.goto(new URL(`/en/join/?code=${cohort.joinCode}`, server.url).href);
    await page.fill('[data-cr-join-form] input[name="name"]', LEARNER);
    await expectDrawnByWebFonts(page, '[data-cr-join-form] input[name="name"]');
    await page.close();
  });

  it('the learner\'s English lesson page: their name, the class name and a message to everyone', async () => {
    const page = await newPage(learner);
    await join(page, server, cohort, LEARNER);
    await expectDrawnByWebFonts(page, '[data-cr-strip-name]');
    await expectDrawnByWebFonts(page, '[data-cr-strip-class]');
    await broadcast(instructor, cohort, MESSAGE);
    await page.locator('.cr-broadcast-text', { hasText: MESSAGE }).waitFor({ timeout: 10_000 });
    await expectDrawnByWebFonts(page, '.cr-broadcast-text');
    // A few slices of the font, not all of it (about 120).
    expect(slicesFetched.get(page)!.length).toBeGreaterThan(0);
    expect(slicesFetched.get(page)!.length).toBeLessThan(15);
    await page.screenshot({ path: `${SHOTS}/korean-lesson-strip-en-1440.png` });
  });

  for (const width of [1440, 390]) {
    it(`the English dashboard and printout: the class name and the learner's name (${width} px)`, async () => {
      const page = await newPage(teacher, width);
      await page.goto(new URL(`/en/classroom/cohorts/${cohort.id}/`, server.url).href);
      await page.locator('[data-cr-grid-body] [data-cr-open]', { hasText: LEARNER }).waitFor({ timeout: 10_000 });
      await expectDrawnByWebFonts(page, '[data-cr-cohort-name]');
      await expectDrawnByWebFonts(page, '[data-cr-grid-body] [data-cr-open]');
      await page.screenshot({ path: `${SHOTS}/korean-dashboard-en-${width}.png`, fullPage: true });
      await page.goto(new URL(`/en/classroom/cohorts/${cohort.id}/print/`, server.url).href);
      await page.locator('[data-cr-sheet]:not([hidden])').waitFor();
      await expectDrawnByWebFonts(page, '[data-cr-sheet] [data-cr-cohort-name]');
      await page.screenshot({ path: `${SHOTS}/korean-print-en-${width}.png`, fullPage: true });
      await page.close();
    });
  }
});
