// The learner's pages from a 320 px phone to a 1920 px desktop (issue #11 item 5): nothing scrolls
// sideways, the header's controls (language switch, theme toggle) are on screen, and the terminal
// is reachable: beside the lesson on wide windows, a bottom sheet that opens to most of the height
// on narrow ones, with xterm fitted to it and its prompt on screen. Screenshots in test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

type TerminalHandle = { ready: boolean; size(): { cols: number; rows: number }; tail(count: number): string };

const WIDTHS = [320, 390, 768, 1024, 1440, 1920];
const HEIGHT = (width: number) => (width < 500 ? 760 : width < 1100 ? 1000 : 900);
const PAGES = [
  ['en-lesson', '/en/lessons/02-probes/'],
  ['ko-lesson', '/ko/lessons/02-probes/'],
  ['en-index', '/en/'],
  ['ko-index', '/ko/'],
] as const;

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(path: string, width: number): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: HEIGHT(width) });
  // Each test starts with the terminal sheet as a first visit has it (folded), whatever others left.
  await page.goto(new URL('/favicon.svg', server.url).href);
  await page.evaluate(() => localStorage.removeItem('labs.terminal-sheet'));
  await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
  // The cluster pill and banner fill in from /api/cluster; the header is measured after that.
  await page.waitForFunction(() => document.querySelector('[data-cluster-status]')?.getAttribute('data-state') !== 'unknown', null, { timeout: 30_000 });
  return page;
}

/** Everything that decides "fits": page width, header overflow, where the header's controls are. */
const measure = (page: Page) =>
  page.evaluate(() => {
    const box = (element: Element | null) => {
      const rect = element?.getBoundingClientRect();
      return rect ? { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom, width: rect.width, height: rect.height } : undefined;
    };
    const header = document.querySelector('.site-header')!;
    return {
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
      bodyScrollWidth: document.body.scrollWidth,
      headerScrollWidth: header.scrollWidth,
      headerClientWidth: header.clientWidth,
      controls: [...document.querySelectorAll('.language-switch a, [data-theme-toggle], .brand, [data-cluster-status]')].map((element) => ({
        name: element.getAttribute('hreflang') ?? element.className,
        box: box(element)!,
      })),
    };
  });

describe('every width from 320 to 1920 px', () => {
  for (const width of WIDTHS) {
    for (const [name, path] of PAGES) {
      it(`${name} at ${width} px: no sideways scroll, header controls on screen`, async () => {
        const page = await open(path, width);
        try {
          const m = await measure(page);
          expect(m.scrollWidth, 'the page is no wider than the window').toBeLessThanOrEqual(m.innerWidth);
          expect(m.bodyScrollWidth).toBeLessThanOrEqual(m.innerWidth);
          expect(m.headerScrollWidth, 'nothing in the header overflows it').toBeLessThanOrEqual(m.headerClientWidth);
          // A lesson scrolls in its own pane: the page itself has nothing to scroll (a #link once
          // scrolled it, sliding the lesson under the header).
          if (name.endsWith('lesson')) expect(m.scrollHeight, 'the lesson page is no taller than the window').toBeLessThanOrEqual(m.innerHeight);
          for (const control of m.controls) {
            expect(control.box.left, `${control.name} left edge`).toBeGreaterThanOrEqual(0);
            expect(control.box.right, `${control.name} right edge`).toBeLessThanOrEqual(m.innerWidth);
            expect(control.box.top, `${control.name} in the header`).toBeGreaterThanOrEqual(0);
            expect(control.box.bottom, `${control.name} in the header`).toBeLessThanOrEqual(56);
          }
          // Both languages can be chosen, by their names for screen readers.
          expect(await page.getByRole('link', { name: 'English' }).count()).toBe(1);
          expect(await page.getByRole('link', { name: '한국어' }).count()).toBe(1);
          await page.screenshot({ path: join(ARTIFACTS, `layout-${name}-${width}.png`) });
        } finally {
          await page.close();
        }
      });
    }
  }
});

/** Where xterm's screen and the prompt's row are, and how many rows and columns it has. */
const terminalPlacement = (page: Page) =>
  page.evaluate(() => {
    const terminal = (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal;
    const screen = document.querySelector('[data-terminal-host] .xterm-screen')!.getBoundingClientRect();
    const host = document.querySelector('[data-terminal-host]')!.getBoundingClientRect();
    // The DOM renderer draws rows as elements: find the prompt's row. (WebGL draws on a canvas:
    // then the whole screen being on screen is what shows the prompt is.)
    const promptRow = [...document.querySelectorAll('[data-terminal-host] .xterm-rows > div')].findLast((row) => /[$#]\s*$/.test(row.textContent ?? ''));
    const row = promptRow?.getBoundingClientRect();
    return {
      size: terminal.size(),
      prompt: terminal.tail(1),
      screen: { top: screen.top, bottom: screen.bottom, left: screen.left, right: screen.right },
      host: { top: host.top, bottom: host.bottom, left: host.left, right: host.right, height: host.height },
      row: row ? { top: row.top, bottom: row.bottom } : undefined,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
    };
  });

describe('the terminal is reachable at every width', () => {
  for (const width of WIDTHS) {
    for (const language of ['en', 'ko'] as const) {
      it(`${language} lesson at ${width} px: the prompt is on screen${width <= 900 ? ' once the sheet is opened' : ''}`, async () => {
        const page = await open(`/${language}/lessons/02-probes/`, width);
        try {
          await page.waitForFunction(() => (window as unknown as { labsTerminal?: TerminalHandle }).labsTerminal?.ready === true, null, { timeout: 30_000 });
          const toggle = page.locator('[data-terminal-toggle]');
          if (width <= 900) {
            // Folded at first: only its bar, at the bottom of the window; the lesson has the rest.
            expect(await toggle.isVisible()).toBe(true);
            expect(await toggle.getAttribute('aria-expanded')).toBe('false');
            const pane = (await page.locator('[data-terminal]').boundingBox())!;
            expect(pane.height).toBeLessThanOrEqual(48);
            expect(pane.y + pane.height).toBeLessThanOrEqual(HEIGHT(width) + 0.5);
            await toggle.click();
            expect(await toggle.getAttribute('aria-expanded')).toBe('true');
          } else {
            expect(await toggle.isVisible()).toBe(false);
          }
          // xterm refits to its pane (a ResizeObserver in terminal-pane.ts): wait for it to settle.
          let t = await terminalPlacement(page);
          const fitted = () => t.host.height > 100 && t.screen.bottom > t.screen.top && t.host.bottom - t.screen.bottom < 40 && t.screen.bottom <= t.host.bottom + 1;
          for (let i = 0; i < 100 && !fitted(); i++) {
            await page.waitForTimeout(100);
            t = await terminalPlacement(page);
          }
          expect(fitted(), `xterm fitted to its pane: ${JSON.stringify({ host: t.host, screen: t.screen, size: t.size })}`).toBe(true);
          expect(t.prompt, 'the shell has printed its prompt').toMatch(/[$#]\s*$/);
          expect(t.size.rows, `${t.size.cols}×${t.size.rows}`).toBeGreaterThanOrEqual(width <= 900 ? 20 : 30);
          expect(t.size.cols).toBeGreaterThanOrEqual(width <= 400 ? 30 : 50);
          if (width <= 900) expect(t.host.height, 'the open sheet has most of the height').toBeGreaterThan(t.innerHeight * 0.5);
          for (const [edge, value, low, high] of [
            ['screen top', t.screen.top, 0, t.innerHeight], ['screen bottom', t.screen.bottom, 0, t.innerHeight],
            ['screen left', t.screen.left, 0, t.innerWidth], ['screen right', t.screen.right, 0, t.innerWidth],
          ] as const) {
            expect(value, edge).toBeGreaterThanOrEqual(low);
            expect(value, edge).toBeLessThanOrEqual(high);
          }
          if (t.row) {
            expect(t.row.top, 'the prompt row').toBeGreaterThanOrEqual(t.host.top);
            expect(t.row.bottom, 'the prompt row').toBeLessThanOrEqual(Math.min(t.host.bottom, t.innerHeight));
          }
          const m = await measure(page);
          expect(m.scrollWidth).toBeLessThanOrEqual(m.innerWidth);
          await page.screenshot({ path: join(ARTIFACTS, `layout-terminal-${language}-${width}.png`) });

          // It takes keys where it is.
          await page.locator('[data-terminal-host]').click();
          await page.keyboard.type('echo layout-$((6*7))', { delay: 2 });
          await page.keyboard.press('Enter');
          await page.waitForFunction(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.tail(3).includes('layout-42'), null, { timeout: 10_000 });

          if (width <= 900) {
            // And folds away again, giving the lesson back its height.
            await toggle.click();
            expect(await toggle.getAttribute('aria-expanded')).toBe('false');
            expect((await page.locator('[data-terminal]').boundingBox())!.height).toBeLessThanOrEqual(48);
            expect((await page.locator('[data-lesson-pane]').boundingBox())!.height).toBeGreaterThan(HEIGHT(width) * 0.5);
          }
        } finally {
          await page.close();
        }
      });
    }
  }

  it('opens the sheet when Run sends a command, and remembers it across a reload', async () => {
    const page = await open('/en/lessons/02-probes/', 390);
    try {
      await page.waitForFunction(() => (window as unknown as { labsTerminal?: TerminalHandle }).labsTerminal?.ready === true, null, { timeout: 30_000 });
      const toggle = page.locator('[data-terminal-toggle]');
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      const run = page.locator('.code-block[data-mode="run"] [data-action="run"]').first();
      await run.scrollIntoViewIfNeeded();
      await run.click();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await page.reload({ waitUntil: 'load' });
      expect(await page.locator('[data-terminal-toggle]').getAttribute('aria-expanded')).toBe('true');
      await page.locator('[data-terminal-toggle]').click();
    } finally {
      await page.close();
    }
  });
});
