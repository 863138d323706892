// A learner's path through a lesson, in Debian's chromium against the real server: type in the
// terminal, click Run, resize the split, reload and find the same shell with its scrollback.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser, startServer, type RunningServer } from './harness.ts';

type TerminalHandle = { text(): string; size(): { cols: number; rows: number }; ready: boolean; session?: string; renderer: string };

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let lessonUrl: string;

const terminalText = (p: Page = page) => p.evaluate(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.text());

async function waitForTerminal(p: Page = page): Promise<void> {
  await p.waitForFunction(() => (window as unknown as { labsTerminal?: TerminalHandle }).labsTerminal?.ready === true, null, { timeout: 30_000 });
}

/** Waits until the terminal shows a line matching `pattern`; returns the match. */
async function waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText();
    for (const line of text.split('\n')) {
      const match = line.trim().match(pattern);
      if (match) return match;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`terminal never showed ${pattern}; it shows:\n${text.split('\n').slice(-25).join('\n')}`);
}

async function typeInTerminal(command: string): Promise<void> {
  await page.click('[data-terminal-host]');
  await page.keyboard.type(command, { delay: 5 });
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  // KUBECONFIG points nowhere so lesson commands cannot touch a real cluster from this suite.
  server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(new URL('/en/', server.url).href);
  const href = await page.locator('.lesson-card').first().getAttribute('href');
  expect(href).toMatch(/^\/en\/lessons\/\d{2}-[a-z0-9-]+\/$/);
  lessonUrl = new URL(href!, server.url).href;
  await page.goto(lessonUrl);
  await waitForTerminal();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('lesson page with a live terminal', () => {
  it('runs what the learner types: echo $((6*7)) prints 42', async () => {
    await typeInTerminal('echo $((6*7))');
    await waitForLine(/^42$/);
  });

  it('types a runnable block into the terminal when its Run button is clicked, and shows the output', async () => {
    const block = page.locator('.code-block[data-mode="run"]').first();
    const code = (await block.locator('pre code').textContent())!.replace(/\n$/, '');
    const commandLines = code.split('\n').filter((line) => line.trim());
    await block.locator('[data-action="run"]').click();
    await typeInTerminal('echo "__after_run_$((40+2))__"');
    await waitForLine(/^__after_run_42__$/, 60_000);
    const lines = (await terminalText()).split('\n');
    const first = lines.findIndex((line) => line.includes(commandLines[0]!.trim()));
    const marker = lines.findIndex((line) => line.trim() === '__after_run_42__');
    expect(first, 'the Run command was typed into the terminal').toBeGreaterThanOrEqual(0);
    const output = lines
      .slice(first + 1, marker)
      .filter((line) => line.trim() && !line.includes('__after_run_') && !commandLines.some((c) => line.includes(c.trim())));
    expect(output.length, `output of:\n${code}`).toBeGreaterThan(0);
  });

  it('resizing the split changes the shell’s terminal size (stty size)', async () => {
    await typeInTerminal('echo "SIZE:$(stty size)"');
    const [, rowsBefore, colsBefore] = await waitForLine(/^SIZE:(\d+) (\d+)$/);
    const splitter = page.locator('[data-splitter]');
    const box = (await splitter.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 300, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(400);
    await typeInTerminal('clear; echo "SIZE2:$(stty size)"');
    const [, rowsAfter, colsAfter] = await waitForLine(/^SIZE2:(\d+) (\d+)$/);
    expect(Number(colsAfter)).toBeGreaterThan(Number(colsBefore) + 20);
    expect(rowsAfter).toBe(rowsBefore);
    const size = await page.evaluate(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.size());
    expect(size.cols).toBe(Number(colsAfter));
  });

  it('reloading the page resumes the same shell with its earlier output', async () => {
    await typeInTerminal('echo "PID:$$"; echo "before-reload-$((1000+337))"');
    const [, pidBefore] = await waitForLine(/^PID:(\d+)$/);
    await waitForLine(/^before-reload-1337$/);
    await page.reload();
    await waitForTerminal();
    await waitForLine(/^before-reload-1337$/, 10_000);
    await typeInTerminal('echo "PID-AFTER:$$"');
    const [, pidAfter] = await waitForLine(/^PID-AFTER:(\d+)$/);
    expect(pidAfter).toBe(pidBefore);
  });

  it('a reload does not answer the queries in the replayed output again: nothing is typed for the learner', async () => {
    // A program asks the terminal who it is and reads the answer, as tmux does when it attaches.
    await typeInTerminal(`printf '\\033[>c'; read -rs -t 3 -d c answer; echo "asked-$((40+2)) answer:\${#answer}"`);
    const [, length] = await waitForLine(/^asked-42 answer:(\d+)$/);
    expect(Number(length)).toBeGreaterThan(0); // the live terminal answered, and the program took it
    await page.reload();
    await waitForTerminal();
    await waitForLine(/^asked-42 answer:\d+$/, 10_000); // the query is in the replay
    await page.waitForTimeout(500);
    // Whatever reached the shell since the reload is on its command line now, before this.
    await typeInTerminal('echo after-$((2*50))');
    await waitForLine(/^after-100$/);
    const lines = (await terminalText()).split('\n').map((l) => l.trim());
    expect(lines.filter((l) => /\d+;\d+;\d+c/.test(l))).toEqual([]);
  });

  it('looks right in light and dark (screenshots kept in test-results/)', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => {
      document.documentElement.dataset.theme = 'light';
      window.dispatchEvent(new CustomEvent('labs:theme'));
    });
    // Undo the earlier resize test's split, and show a runnable block beside the terminal.
    await page.evaluate(() => document.querySelector<HTMLElement>('[data-split]')!.style.setProperty('--split', '52%'));
    await page.locator('.code-block[data-mode="run"]').first().evaluate((block) => block.scrollIntoView({ block: 'center' }));
    await typeInTerminal('clear; echo "Hello from the lesson terminal: $((6*7))"; kubectl version --client 2>/dev/null | head -1');
    await waitForLine(/^Hello from the lesson terminal: 42$/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(ARTIFACTS, 'lesson-terminal-light.png') });
    await page.click('[data-theme-toggle]');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.screenshot({ path: join(ARTIFACTS, 'lesson-terminal-dark.png') });
  });

  it('draws with the DOM renderer where WebGL is only emulated or missing (this headless chromium), WebGL when asked', async () => {
    // Headless chromium without a GPU runs WebGL on SwiftShader (slower than xterm's DOM
    // renderer), or, in builds without that fallback, has no WebGL at all.
    const reason = await page.locator('[data-terminal]').getAttribute('data-renderer-reason');
    expect(reason).toMatch(/emulated in software|no WebGL2/);
    const renderer = (p: Page) => p.evaluate(() => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.renderer);
    await expect(renderer(page)).resolves.toBe('dom');
    const other = await browser.context.newPage();
    try {
      await other.goto(`${lessonUrl}?renderer=webgl`);
      await waitForTerminal(other);
      const hasWebgl = await other.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
      // Asked for WebGL: it is used where it exists at all, else the DOM renderer takes over.
      await other.waitForFunction((want) => (window as unknown as { labsTerminal: TerminalHandle }).labsTerminal.renderer === want, hasWebgl ? 'webgl' : 'dom', { timeout: 10_000 });
      await expect(other.locator('[data-terminal]').getAttribute('data-renderer-reason')).resolves.toBe('asked for in the address');
    } finally {
      await other.close();
    }
  });

  it('answers an unknown lesson with a real 404 page', async () => {
    const response = await page.goto(new URL('/en/lessons/99-no-such-lesson/', server.url).href);
    expect(response?.status()).toBe(404);
    // Astro keeps the page's default status text unless told: not "404 OK".
    expect(response?.statusText()).toBe('Not Found');
    await expect(page.locator('h1').textContent()).resolves.toContain('Page not found');
    const other = await page.goto(new URL('/xx/', server.url).href);
    expect(other?.status()).toBe(404);
    expect(other?.statusText()).toBe('Not Found');
  });
});
