// The classroom terminal on the real Docker engine, as a learner sees it (issue #23): the toolbox
// image (built by the classroom's image builder, so it carries this checkout's tmux.conf), a
// sandbox whose tmux session was started detached as the warm pool starts it, and Debian's
// chromium on the lesson page of a server whose shell is the classroom's attach command
// (`docker exec -it … tmux new-session -A -s main`, as local.ts runs it). What is checked is what
// is on screen: the prompt at once after a join (phone and laptop), the mouse wheel and a swipe
// scrolling back through the output (not recalling commands), output from before the attach.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuilder } from '../../src/environments/images/build.ts';
import { launchBrowser, startServer, type RunningServer } from '../browser/harness.ts';

const exec = promisify(execFile);
const sandbox = `labs-term-test-${Math.random().toString(36).slice(2, 8)}`;
const work = mkdtempSync(join(tmpdir(), 'labs-term-test-'));
let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

type Screen = { rows: string[]; viewportY: number; baseY: number };
type Handle = { ready: boolean; text(): string; screen(): Screen; size(): { cols: number; rows: number } };
const screen = (page: Page) => page.evaluate(() => (window as unknown as { labsTerminal: Handle }).labsTerminal.screen());
const text = (page: Page) => page.evaluate(() => (window as unknown as { labsTerminal: Handle }).labsTerminal.text());
const inSandbox = async (...command: string[]) => (await exec('docker', ['exec', '-u', 'learner', sandbox, ...command])).stdout;
const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const PROMPT = /learner@[\w-]+:~\$/;
const SHOTS = process.env.LABS_SHOTS_DIR ?? '/tmp/shots-23term';
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, name) });

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** A new tab on the lesson page (a new terminal session: one more attach), the sheet opened on a phone. */
async function openTab(width: number, height: number, language: 'en' | 'ko' = 'en'): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(new URL(`/${language}/lessons/02-probes/`, server.url).href);
  const toggle = page.locator('[data-terminal-toggle]');
  // The sheet remembers being open (per browser): open it only when it is not.
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  await page.waitForFunction(() => (window as unknown as { labsTerminal?: Handle }).labsTerminal?.ready === true, null, { timeout: 30_000 });
  return page;
}

const terminalSize = async (page: Page) => {
  const size = await page.evaluate(() => (window as unknown as { labsTerminal: Handle }).labsTerminal.size());
  return `${size.cols}x${size.rows}`;
};

/** Waits (a few seconds at most) until tmux draws for this tab's terminal; returns both sizes. */
async function settled(page: Page): Promise<{ terminal: string; tmux: string }> {
  const read = async () => ({ terminal: await terminalSize(page), tmux: await newestClientSize() });
  return until(read, (sizes) => sizes.terminal === sizes.tmux, 4_000);
}

/**
 * What tmux believes the newest client's terminal is, and the window's size (which follows the
 * latest client): both must be the browser's, or tmux draws another screen than the one shown.
 */
async function newestClientSize(): Promise<string> {
  const clients = await inSandbox('tmux', 'list-clients', '-F', '#{client_created} #{client_width}x#{client_height}');
  const client = clients.trim().split('\n').sort().at(-1)!.split(' ')[1]!;
  const window = (await inSandbox('tmux', 'display-message', '-p', '-t', 'main', '#{window_width}x#{window_height}')).trim();
  return client === window ? client : `${client} (window ${window})`;
}

beforeAll(async () => {
  const builder = new ImageBuilder((line) => { if (process.env.LABS_VERBOSE) console.error(`[toolbox image] ${line}`); });
  const toolbox = builder.catalog.images.find((i) => i.refs[0]!.includes('/toolbox:'));
  if (!toolbox) throw new Error('kind/images.yaml: no toolbox image');
  await builder.buildAll((i) => i === toolbox);
  await exec('docker', ['run', '-d', '--name', sandbox, '--hostname', 'lab', '--init', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,size=64m,mode=1777', '--network', 'none', '-e', 'LANG=C.UTF-8', toolbox.refs[0]!]);
  // The warm pool starts the learner's shell before anyone joins (local.ts).
  await exec('docker', ['exec', '-u', 'learner', '-w', '/home/learner', '-e', 'TERM=xterm-256color', sandbox, 'tmux', 'new-session', '-d', '-s', 'main']);
  await until(() => inSandbox('tmux', 'capture-pane', '-p', '-t', 'main'), (pane) => PROMPT.test(pane), 30_000);
  // The platform's shell is the classroom's attach (local.ts shell()).
  const attach = join(work, 'attach-sandbox');
  const argv = ['docker', 'exec', '-it', '-u', 'learner', '-w', '/home/learner', '-e', 'TERM=xterm-256color', sandbox, 'tmux', 'new-session', '-A', '-s', 'main'];
  writeFileSync(attach, `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')}\n`);
  chmodSync(attach, 0o755);
  server = await startServer({ SHELL: attach });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
}, 1_200_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await exec('docker', ['rm', '-f', sandbox]).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('the classroom terminal, attached to a warm sandbox on Docker', () => {
  // The exec's tty starts 0×0 and how soon its size arrives is a race: join several times.
  for (const [device, width, height, joins] of [['phone', 390, 844, 8], ['laptop', 1440, 900, 4]] as const) {
    it(`shows the prompt at once after a join, at the terminal's own size, without a key pressed (${device}, ${joins} joins)`, async () => {
      const failures: string[] = [];
      for (let i = 0; i < joins; i++) {
        const language = i % 2 === 0 ? 'en' : 'ko';
        const page = await openTab(width, height, language);
        try {
          const shown = await until(() => screen(page), (s) => s.rows.some((row) => PROMPT.test(row)), 3_000);
          if (!shown.rows.some((row) => PROMPT.test(row))) failures.push(`join ${i + 1}: no prompt on screen:\n${shown.rows.join('\n')}`);
          const sizes = await settled(page);
          if (sizes.tmux !== sizes.terminal) failures.push(`join ${i + 1}: tmux draws ${sizes.tmux} for a ${sizes.terminal} terminal`);
          const after = await screen(page);
          if (!after.rows.some((row) => PROMPT.test(row))) failures.push(`join ${i + 1}: the prompt went off screen:\n${after.rows.join('\n')}`);
          if (i < 2) await shot(page, `terminal-join-${language}-${width}.png`);
        } finally {
          await page.close();
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('the mouse wheel scrolls back through the output; it recalls no command; typing returns to the prompt', async () => {
    const page = await openTab(1440, 900);
    try {
      await settled(page);
      await page.click('[data-terminal-host]');
      await page.keyboard.type("clear; seq -f 'wheel-%g' 1 200", { delay: 5 });
      await page.keyboard.press('Enter');
      await until(() => screen(page), (s) => s.rows.includes('wheel-200'), 10_000);
      const box = (await page.locator('[data-terminal-host]').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
      const scrolled = await until(() => screen(page), (s) => !s.rows.includes('wheel-200'), 3_000);
      expect(scrolled.rows.join('\n'), 'older lines on screen').toMatch(/^wheel-1\d\d$/m);
      expect(scrolled.rows.join('\n')).not.toContain('wheel-200');
      const prompt = (await inSandbox('tmux', 'capture-pane', '-p', '-t', 'main')).trimEnd().split('\n').at(-1)!;
      expect(prompt, 'the prompt is empty (no command recalled)').toMatch(/^learner@[\w-]+:~\$$/);
      await shot(page, 'terminal-scrolled-en-1440.png');
      await page.keyboard.type('echo typed-$((6*7))', { delay: 5 });
      await page.keyboard.press('Enter');
      const back = await until(() => screen(page), (s) => s.rows.includes('typed-42'), 5_000);
      expect(back.rows, 'typing left the history and ran the command').toContain('typed-42');
    } finally {
      await page.close();
    }
  });

  it('output from before the attach is reached by the wheel in a new tab, and by a swipe on a phone', async () => {
    await inSandbox('tmux', 'send-keys', '-t', 'main', "clear; seq -f 'before-%g' 1 300", 'Enter');
    await until(() => inSandbox('tmux', 'capture-pane', '-p', '-t', 'main'), (pane) => pane.includes('before-300'), 10_000);
    const page = await openTab(1440, 900, 'ko');
    try {
      const shown = await until(() => screen(page), (s) => s.rows.some((row) => PROMPT.test(row)), 3_000);
      expect(shown.rows).toContain('before-300');
      expect(shown.rows).not.toContain('before-1');
      await settled(page);
      const box = (await page.locator('[data-terminal-host]').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 20; i++) await page.mouse.wheel(0, -1000);
      const top = await until(() => screen(page), (s) => /^before-1\b/.test(s.rows[0] ?? ''), 5_000);
      await shot(page, 'terminal-scrolled-ko-1440.png');
      expect(top.rows.slice(0, 5).map((row) => row.split(' ')[0]), 'the first lines from before the attach, at the top').toEqual(['before-1', 'before-2', 'before-3', 'before-4', 'before-5']);
    } finally {
      await page.close();
    }
    const phone = await openTab(390, 844, 'ko');
    try {
      const fresh = await until(() => screen(phone), (s) => s.rows.some((row) => PROMPT.test(row)), 3_000);
      expect(fresh.rows.some((row) => PROMPT.test(row)), 'a new tab starts at the prompt, not where the last one left the history').toBe(true);
      await settled(phone);
      const box = (await phone.locator('[data-terminal-host]').boundingBox())!;
      const cdp = await phone.context().newCDPSession(phone);
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
      const x = box.x + box.width / 2;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: box.y + 20 }] });
      for (let y = box.y + 40; y < box.y + box.height - 10; y += 20) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      const swiped = await until(() => screen(phone), (s) => !s.rows.includes('before-300'), 3_000);
      expect(swiped.rows.join('\n'), 'older lines after a swipe down').toMatch(/^before-2\d\d$/m);
      expect(swiped.rows).not.toContain('before-300');
      await shot(phone, 'terminal-swiped-ko-390.png');
    } finally {
      await phone.close();
    }
  });
});
