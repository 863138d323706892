// The lesson page's smaller things (issue #11 item 7), in chromium against the real server: skip
// links and a way out of the terminal for keyboards; Copy/Run named in the page's language and
// "Copied" said aloud; AA contrast of the small coloured labels in both themes; "On this page" and
// heading anchors; the language switch landing on the heading, not under the header; diagrams
// large enough to read; Korean lab titles and hints; /en/lessons/ and /argocd/ answering usefully.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

type TerminalHandle = { ready: boolean; tail(count: number): string };

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

async function open(path: string, width = 1440, height = 900): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(new URL('/favicon.svg', server.url).href);
  await page.evaluate(() => {
    localStorage.removeItem('labs.terminal-sheet');
    localStorage.removeItem('labs.split');
  });
  await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
  return page;
}

const terminalReady = (page: Page) =>
  page.waitForFunction(() => (window as unknown as { labsTerminal?: TerminalHandle }).labsTerminal?.ready === true, null, { timeout: 30_000 });
const focusInTerminal = (page: Page) => page.evaluate(() => Boolean(document.activeElement?.closest('[data-terminal-host]')));

describe('keyboard: skip links and leaving the terminal', () => {
  for (const width of [1440, 390]) {
    it(`Tab first reaches "Skip to lesson" then "Skip to terminal", shown when focused; the latter focuses the shell (${width} px)`, async () => {
      const page = await open('/en/lessons/02-probes/', width, width < 500 ? 760 : 900);
      try {
        await terminalReady(page);
        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          const rect = element.getBoundingClientRect();
          return { text: element.textContent, href: element.getAttribute('href'), width: rect.width, height: rect.height, top: rect.top, left: rect.left };
        });
        expect(first.text).toBe('Skip to lesson');
        expect(first.href).toBe('#lesson');
        expect(first.width, 'visible when focused').toBeGreaterThan(60);
        expect(first.height).toBeGreaterThan(20);
        expect(first.top).toBeGreaterThanOrEqual(0);
        await page.screenshot({ path: join(ARTIFACTS, `layout-skip-link-${width}.png`) });
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to terminal');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => Boolean(document.activeElement?.closest('[data-terminal-host]')), null, { timeout: 5000 });
        if (width < 900) expect(await page.locator('[data-terminal-toggle]').getAttribute('aria-expanded'), 'the sheet opened').toBe('true');
        // Typing goes to the shell.
        await page.keyboard.type('echo skip-$((40+2))', { delay: 2 });
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.tail(3).includes('skip-42'), null, { timeout: 10_000 });
      } finally {
        await page.close();
      }
    });
  }

  it('Tab completes in the terminal, Shift+Tab leaves it (said in its bar and to screen readers)', async () => {
    const page = await open('/en/lessons/02-probes/');
    try {
      await terminalReady(page);
      await page.locator('[data-terminal-host]').click();
      expect(await focusInTerminal(page)).toBe(true);
      const keys = page.locator('[data-terminal-keys]');
      expect(await keys.isVisible(), 'the bar says how to leave while the terminal has focus').toBe(true);
      expect(await keys.textContent()).toBe('Shift+Tab: back to the lesson');
      const describedBy = await page.evaluate(() => document.activeElement?.getAttribute('aria-describedby'));
      expect(await page.locator(`#${describedBy}`).textContent()).toMatch(/Tab completes commands; Shift\+Tab moves focus back/);
      // Tab stays in the terminal (bash completes: "ech" → "echo").
      await page.keyboard.type('ech', { delay: 2 });
      await page.keyboard.press('Tab');
      expect(await focusInTerminal(page)).toBe(true);
      await page.waitForFunction(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.tail(1).includes('echo'), null, { timeout: 5000 });
      await page.keyboard.press('Control+U');
      await page.keyboard.press('Shift+Tab');
      expect(await focusInTerminal(page), 'focus left the terminal').toBe(false);
      expect(await page.evaluate(() => document.activeElement?.matches('[data-splitter]')), 'back to the divider, then the lesson').toBe(true);
      expect(await keys.isVisible()).toBe(false);
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest('[data-lesson-pane]')))).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe('code blocks speak the page language', () => {
  for (const [language, copy, run, copied] of [
    ['en', 'Copy', 'Run in terminal', 'Copied to the clipboard'],
    ['ko', '복사', '터미널에서 실행', '클립보드에 복사했습니다'],
  ] as const) {
    it(`names Copy and Run "${copy}" / "${run}" and announces "${copied}" (${language})`, async () => {
      const page = await open(`/${language}/lessons/02-probes/`);
      try {
        const copies = await page.locator('.code-block [data-action="copy"]').count();
        expect(copies).toBeGreaterThan(5);
        expect(await page.getByRole('button', { name: copy, exact: true }).count()).toBe(copies);
        const runs = await page.locator('.code-block [data-action="run"]').count();
        expect(runs).toBeGreaterThan(0);
        expect(await page.getByRole('button', { name: run, exact: true }).count()).toBe(runs);
        const status = page.locator('[data-code-status]');
        expect(await status.getAttribute('role')).toBe('status');
        const button = page.locator('.code-block [data-action="copy"]').first();
        await button.scrollIntoViewIfNeeded();
        await button.click();
        await page.waitForFunction((text) => document.querySelector('[data-code-status]')?.textContent === text, copied, { timeout: 5000 });
      } finally {
        await page.close();
      }
    });
  }
});

/** Contrast of each matching element's text against what is really behind it (alpha composited). */
const contrasts = (page: Page, selectors: string[]) =>
  page.evaluate((selectors) => {
    const parse = (value: string): [number, number, number, number] => {
      const srgb = /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)/.exec(value);
      if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255, srgb[4] === undefined ? 1 : Number(srgb[4])];
      const rgb = /rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)/.exec(value);
      if (!rgb) throw new Error(`unparsed colour ${value}`);
      return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
    };
    const over = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!)).concat(1);
    const luminance = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const background = (element: Element): number[] => {
      const layers: number[][] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour[3] > 0) layers.push(colour);
        if (colour[3] >= 1) break;
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const results: { selector: string; text: string; size: string; ratio: number }[] = [];
    for (const selector of selectors) {
      for (const element of document.querySelectorAll(selector)) {
        const style = getComputedStyle(element);
        if (!(element as HTMLElement).offsetParent && style.position !== 'fixed') continue;
        const fg = over(parse(style.color), background(element));
        const [a, b] = [luminance(fg), luminance(background(element))];
        results.push({ selector, text: (element.textContent ?? '').trim().slice(0, 30), size: style.fontSize, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
      }
    }
    return results;
  }, selectors);

describe('AA contrast of small coloured text, light and dark', () => {
  const setTheme = (page: Page, theme: string) => page.evaluate((value) => (document.documentElement.dataset.theme = value), theme);
  const setStatus = (page: Page, selector: string, status: string) =>
    page.evaluate(([selector, status]) => document.querySelectorAll<HTMLElement>(selector).forEach((element) => (element.dataset.status = status)), [selector, status] as const);

  it('lesson page: lab pills, lab labels and status, hints, TOC, code toolbar ≥ 4.5:1', async () => {
    const page = await open('/en/lessons/02-probes/');
    const selectors = ['.lesson-meta .pill', '.lesson-meta', '.lab-card .eyebrow', '.lab-status', '.lab-score', '.task-points', '.task-hint summary', '.lab-files a', '.lab-files span', '.code-lang', '.code-button:not(.code-run)', '.toc summary', '.toc a', '.breadcrumbs a', '.lesson .lead'];
    const failures: string[] = [];
    try {
      for (const theme of ['light', 'dark']) {
        await setTheme(page, theme);
        for (const status of ['not-started', 'in-progress', 'done']) {
          await setStatus(page, '.lesson-meta .pill, .lab-card', status);
          for (const r of await contrasts(page, selectors)) {
            if (r.ratio < 4.5) failures.push(`${theme} ${status} ${r.selector} "${r.text}" ${r.size}: ${r.ratio.toFixed(2)}`);
          }
        }
      }
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('course index: lesson numbers, lab pills and status words ≥ 4.5:1', async () => {
    const page = await open('/en/');
    const selectors = ['.lesson-card .pill', '.lesson-status', '.lesson-number', '.lesson-card-summary', '.lesson-card-meta', '.hero .eyebrow', '.section-title'];
    const failures: string[] = [];
    let measured = 0;
    try {
      for (const theme of ['light', 'dark']) {
        await setTheme(page, theme);
        for (const status of ['in-progress', 'done']) {
          await setStatus(page, '.lesson-card, .lesson-card .pill', status);
          // The status word only shows for started lessons: put one in each card.
          await page.evaluate((status) => {
            for (const meta of document.querySelectorAll('.lesson-card-meta')) {
              if (!meta.querySelector('.lesson-status')) meta.insertAdjacentHTML('beforeend', `<span class="lesson-status">${status}</span>`);
            }
          }, status);
          for (const r of await contrasts(page, selectors)) {
            measured++;
            if (r.ratio < 4.5) failures.push(`${theme} ${status} ${r.selector} "${r.text}" ${r.size}: ${r.ratio.toFixed(2)}`);
          }
        }
      }
      expect(measured).toBeGreaterThan(40);
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('finding your way in a 50-minute lesson', () => {
  it('"On this page" lists every h2, each link lands its heading just below the top; every h2/h3 has an anchor', async () => {
    const page = await open('/en/lessons/02-probes/');
    try {
      const outline = await page.evaluate(() => ({
        h2: [...document.querySelectorAll('.prose h2')].map((h) => h.id),
        toc: [...document.querySelectorAll('.toc details > ol > li > a')].map((a) => a.getAttribute('href')),
        anchors: [...document.querySelectorAll('.prose :is(h2, h3)')].map((h) => h.querySelector('.heading-anchor')?.getAttribute('href') === `#${h.id}`),
      }));
      expect(outline.h2.length).toBeGreaterThanOrEqual(5);
      expect(outline.toc).toEqual(outline.h2.map((id) => `#${id}`));
      expect(outline.anchors.every(Boolean)).toBe(true);
      expect(await page.locator('.toc details').getAttribute('open'), 'open on a wide window').not.toBeNull();
      await page.locator('.toc a').nth(5).click();
      await page.waitForFunction((id) => {
        const pane = document.querySelector('[data-lesson-pane]')!.getBoundingClientRect();
        const top = document.getElementById(id)!.getBoundingClientRect().top - pane.top;
        return top > 4 && top < 40;
      }, outline.h2[5], { timeout: 5000 });
      // The anchor appears on hover and links to its own heading.
      await page.locator('.prose h2').nth(5).hover();
      await page.waitForFunction(() => getComputedStyle(document.querySelectorAll('.prose h2 .heading-anchor')[5]!).opacity === '1', null, { timeout: 2000 });
    } finally {
      await page.close();
    }
  });

  it('folds "On this page" on a phone', async () => {
    const page = await open('/ko/lessons/02-probes/', 390, 760);
    try {
      expect(await page.locator('.toc details').getAttribute('open')).toBeNull();
      expect(await page.locator('.toc summary').textContent()).toBe('이 페이지의 내용');
      await page.locator('.toc summary').click();
      expect(await page.locator('.toc a').first().isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  });

  for (const width of [1440, 390]) {
    it(`the language switch lands on the same heading, in view and not under the header (${width} px)`, async () => {
      const page = await open('/en/lessons/02-probes/', width, width < 500 ? 760 : 900);
      try {
        const ids = await page.evaluate(() => [...document.querySelectorAll('.prose h2')].map((h) => h.id));
        await page.locator('.prose h2').nth(4).evaluate((h) => h.scrollIntoView({ block: 'start', behavior: 'instant' }));
        await page.waitForTimeout(300);
        await page.locator('.language-switch a[hreflang="ko"]').click();
        await page.waitForURL(/\/ko\/lessons\//);
        const koIds = await page.evaluate(() => [...document.querySelectorAll('.prose h2')].map((h) => h.id));
        expect(koIds).toHaveLength(ids.length);
        expect(decodeURIComponent(new URL(page.url()).hash.slice(1))).toBe(koIds[4]);
        // Settled where the 5th heading is just below the top of what scrolls, and below the header.
        const placement = () =>
          page.evaluate((id) => {
            const pane = document.querySelector('[data-lesson-pane]')!.getBoundingClientRect();
            const heading = document.getElementById(id)!.getBoundingClientRect();
            const header = document.querySelector('.site-header')!.getBoundingClientRect();
            return { belowPaneTop: heading.top - pane.top, belowHeader: heading.top - header.bottom };
          }, koIds[4]!);
        let settled = await placement();
        for (let i = 0; i < 40 && !(settled.belowPaneTop > 4 && settled.belowPaneTop < 48); i++) {
          await page.waitForTimeout(100);
          settled = await placement();
        }
        expect(settled.belowPaneTop, 'just below the top of the lesson pane').toBeGreaterThan(4);
        expect(settled.belowPaneTop).toBeLessThan(48);
        expect(settled.belowHeader, 'not under the header').toBeGreaterThanOrEqual(0);
        await page.screenshot({ path: join(ARTIFACTS, `layout-language-switch-${width}.png`) });
      } finally {
        await page.close();
      }
    });
  }

  it('diagrams show their 14 px labels at ≥ 11 px at 1440 px, and still zoom', async () => {
    const page = await open('/en/lessons/02-probes/');
    try {
      const img = page.locator('.prose .zoom-trigger img').first();
      await img.scrollIntoViewIfNeeded();
      const box = (await img.boundingBox())!;
      const pane = (await page.locator('[data-lesson-pane]').boundingBox())!;
      // Drawn at 960 px wide with 14 px labels.
      expect(box.width * (14 / 960), `shown ${Math.round(box.width)} px wide`).toBeGreaterThanOrEqual(11);
      expect(box.x).toBeGreaterThanOrEqual(pane.x);
      expect(box.x + box.width).toBeLessThanOrEqual(pane.x + pane.width);
      await page.screenshot({ path: join(ARTIFACTS, 'layout-diagram-1440.png') });
      await page.locator('.prose .zoom-trigger').first().click();
      expect(await page.evaluate(() => document.querySelector<HTMLDialogElement>('[data-image-zoom]')!.open)).toBe(true);
      await page.keyboard.press('Escape');
    } finally {
      await page.close();
    }
  });
});

describe('Korean pages say lab titles, task titles and hints in Korean', () => {
  it('lab cards on /ko/ lesson 2 are Korean, on /en/ English', async () => {
    const read = async (path: string) => {
      const page = await open(path);
      try {
        return await page.evaluate(() => ({
          titles: [...document.querySelectorAll('.lab-title')].map((e) => e.textContent ?? ''),
          tasks: [...document.querySelectorAll('.task-title')].map((e) => e.firstChild?.textContent ?? ''),
          hints: [...document.querySelectorAll('.task-hint p')].map((e) => e.textContent ?? ''),
        }));
      } finally {
        await page.close();
      }
    };
    const ko = await read('/ko/lessons/02-probes/');
    const en = await read('/en/lessons/02-probes/');
    expect(ko.titles).toHaveLength(3);
    expect(ko.tasks.length).toBeGreaterThanOrEqual(8);
    for (const text of [...ko.titles, ...ko.tasks, ...ko.hints]) expect(text).toMatch(/[가-힣]/);
    expect(ko.titles[0]).toBe('liveness 프로브가 실패하는 컨테이너를 재시작한다');
    for (const text of [...en.titles, ...en.tasks]) expect(text).not.toMatch(/[가-힣]/);
    expect(en.titles[0]).toBe('A liveness probe restarts a failing container');
  });
});

describe('addresses that used to fail', () => {
  it('/en/lessons/ and /ko/lessons/ lead to the course index', async () => {
    for (const language of ['en', 'ko']) {
      for (const path of [`/${language}/lessons/`, `/${language}/lessons`]) {
        const response = await fetch(new URL(path, server.url), { redirect: 'manual' });
        expect(response.status, path).toBe(301);
        expect(new URL(response.headers.get('location')!, server.url).pathname).toBe(`/${language}/`);
      }
    }
    expect((await fetch(new URL('/xx/lessons/', server.url), { redirect: 'manual' })).status).toBe(404);
  });

  it('/argocd/ without a cluster is a short page saying so and what to do', async () => {
    const page = await browser.context.newPage();
    try {
      const response = await page.goto(new URL('/argocd/', server.url).href);
      expect(response!.status()).toBe(502);
      expect(response!.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(await page.locator('h1').textContent()).toBe('Your cluster is not running');
      const text = await page.locator('main').innerText();
      expect(text).toContain('labs cluster create');
      expect(text).toContain('labs addon argocd');
      expect(text, 'no internal paths').not.toMatch(/\/(home|tmp|root)\/|kubeconfig|\.ts\b/);
      await page.screenshot({ path: join(ARTIFACTS, 'layout-argocd-unavailable.png') });
    } finally {
      await page.close();
    }
  });
});
