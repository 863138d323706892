// Diagrams stay readable in a narrow lesson pane: every lesson image opens in a modal dialog at
// the size of the window, by mouse or keyboard; Esc closes it and gives focus back.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

const LESSON = '/en/lessons/02-probes/';
const trigger = () => page.locator('.prose .zoom-trigger').first();
const dialogOpen = () => page.evaluate(() => document.querySelector<HTMLDialogElement>('[data-image-zoom]')!.open);
const width = (selector: string) => page.locator(selector).first().evaluate((element) => element.getBoundingClientRect().width);

async function setTheme(theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((value) => {
    document.documentElement.dataset.theme = value;
    window.dispatchEvent(new CustomEvent('labs:theme', { detail: value }));
  }, theme);
  await page.waitForTimeout(200);
}

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  // A narrow lesson pane: the split remembered at its minimum.
  await page.addInitScript(() => localStorage.setItem('labs.split', '0.25'));
  await page.goto(new URL(LESSON, server.url).href);
  await trigger().waitFor();
  await trigger().evaluate((element) => element.scrollIntoView({ block: 'center', behavior: 'instant' }));
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('click-to-zoom for lesson diagrams', () => {
  it('turns every lesson image into a labelled button', async () => {
    const images = await page.locator('.prose img').count();
    expect(images).toBeGreaterThan(0);
    expect(await page.locator('.prose .zoom-trigger > img').count()).toBe(images);
    const label = await trigger().getAttribute('aria-label');
    const alt = await trigger().locator('img').getAttribute('alt');
    expect(label).toBe(`Enlarge: ${alt}`);
  });

  it('opens the diagram far larger than it is in the narrow pane, and Esc closes it', async () => {
    const inPane = await width('.prose .zoom-trigger img');
    await page.screenshot({ path: join(ARTIFACTS, 'image-zoom-narrow-pane.png') });
    await trigger().click();
    expect(await dialogOpen()).toBe(true);
    await page.locator('[data-image-zoom-image]').evaluate((img: HTMLImageElement) => img.decode());
    const zoomed = await width('[data-image-zoom-image]');
    expect(zoomed, `zoomed ${zoomed}px vs ${inPane}px in the pane`).toBeGreaterThan(inPane * 2.5);
    const box = await page.locator('[data-image-zoom]').boundingBox();
    const viewport = page.viewportSize()!;
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
    expect(box!.y + box!.height, 'the whole diagram and its caption fit the window').toBeLessThanOrEqual(viewport.height);
    expect(await page.locator('[data-image-zoom-caption]').textContent()).toBe(await trigger().locator('img').getAttribute('alt'));
    await setTheme('light');
    await page.screenshot({ path: join(ARTIFACTS, 'image-zoom-light.png') });
    await setTheme('dark');
    await page.screenshot({ path: join(ARTIFACTS, 'image-zoom-dark.png') });
    await page.keyboard.press('Escape');
    expect(await dialogOpen()).toBe(false);
  });

  it('works from the keyboard: Enter opens, focus moves into the dialog, Esc returns focus to the diagram', async () => {
    await trigger().focus();
    await page.keyboard.press('Enter');
    expect(await dialogOpen()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.matches('[data-image-zoom-close]'))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await dialogOpen()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('zoom-trigger'))).toBe(true);
    await page.keyboard.press('Space');
    expect(await dialogOpen()).toBe(true);
    await page.keyboard.press('Enter'); // on the focused close button
    expect(await dialogOpen()).toBe(false);
  });

  it('closes on a click on the backdrop', async () => {
    await trigger().click();
    expect(await dialogOpen()).toBe(true);
    await page.mouse.click(3, 3);
    expect(await dialogOpen()).toBe(false);
  });
});
