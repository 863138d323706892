// The language switch keeps the reader on the same heading: English and Korean headings have
// different ids but the same outline, so the switch maps the heading in view (or the URL's
// target) by position and the translated page opens scrolled to it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startServer, type RunningServer } from './harness.ts';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let lessonPath: string;

type Placement = { hash: string; ids: string[]; tops: number[]; paneTop: number; scrollTop: number };

/** Where every h2 of the lesson sits relative to the top of the scrolling lesson pane. */
const placement = (): Promise<Placement> =>
  page.evaluate(() => {
    const pane = document.querySelector('[data-lesson-pane]')!;
    const paneTop = pane.getBoundingClientRect().top;
    const headings = [...document.querySelectorAll('.prose h2')];
    return {
      hash: decodeURIComponent(location.hash.slice(1)),
      ids: headings.map((h) => h.id),
      tops: headings.map((h) => h.getBoundingClientRect().top - paneTop),
      paneTop,
      scrollTop: pane.scrollTop,
    };
  });

/** Waits until the lesson pane stops scrolling (smooth scrolling, late images) and returns where things are. */
async function settled(): Promise<Placement> {
  let last = await placement();
  for (let stable = 0, i = 0; i < 100 && stable < 4; i++) {
    await page.waitForTimeout(100);
    const now = await placement();
    stable = now.scrollTop === last.scrollTop && now.tops.join() === last.tops.join() ? stable + 1 : 0;
    last = now;
  }
  return last;
}

/** Index of the h2 sitting at the top of the pane (within a few pixels of scroll margin). */
const headingAtTop = (p: Placement) => p.tops.findIndex((top) => top >= -2 && top <= 40);

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(new URL('/en/', server.url).href);
  lessonPath = (await page.locator('.lesson-card').first().getAttribute('href'))!;
  expect(lessonPath).toMatch(/^\/en\/lessons\/\d{2}-[a-z0-9-]+\/$/);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('language switch on a lesson', () => {
  it('takes the reader scrolled to the 3rd h2 in English to the 3rd h2 in Korean, hash included', async () => {
    await page.goto(new URL(lessonPath, server.url).href);
    const english = await placement();
    expect(english.ids.length, 'the lesson has at least five h2 headings').toBeGreaterThanOrEqual(5);
    await page.locator('.prose h2').nth(2).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    const scrolled = await settled();
    expect(headingAtTop(scrolled), 'the English page is scrolled to its 3rd h2').toBe(2);
    expect(scrolled.hash, 'scrolling alone sets no hash').toBe('');

    await page.locator('.language-switch a[hreflang="ko"]').click();
    await page.waitForURL(/\/ko\/lessons\//);
    const korean = await settled();
    expect(new URL(page.url()).pathname).toBe(lessonPath.replace(/^\/en\//, '/ko/'));
    expect(korean.ids).toHaveLength(english.ids.length);
    expect(korean.ids[2]).not.toBe(english.ids[2]);
    expect(korean.hash, 'the URL names the Korean 3rd h2').toBe(korean.ids[2]);
    expect(headingAtTop(korean), `Korean h2 tops: ${korean.tops.map(Math.round).join(', ')}`).toBe(2);
    expect(korean.scrollTop).toBeGreaterThan(0);
  });

  it('follows the URL hash back to English: the 5th Korean h2 opens the 5th English h2', async () => {
    const korean = await placement();
    await page.goto(new URL(`${lessonPath.replace(/^\/en\//, '/ko/')}#${encodeURIComponent(korean.ids[4]!)}`, server.url).href);
    expect(headingAtTop(await settled())).toBe(4);
    await page.locator('.language-switch a[hreflang="en"]').click();
    await page.waitForURL(/\/en\/lessons\//);
    const english = await settled();
    expect(english.hash).toBe(english.ids[4]);
    expect(headingAtTop(english)).toBe(4);
  });

  it('opens the top of the translation when the reader has not reached the first heading', async () => {
    await page.goto(new URL(lessonPath, server.url).href);
    await settled();
    await page.locator('.language-switch a[hreflang="ko"]').click();
    await page.waitForURL(/\/ko\/lessons\//);
    const korean = await settled();
    expect(korean.hash).toBe('');
    expect(korean.scrollTop).toBe(0);
  });
});
