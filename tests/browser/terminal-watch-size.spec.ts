// An instructor watching a phone learner (issue #23): the watch page draws the learner's terminal
// at the learner's size (the server's `size` message), not at its own window's. tmux lays its
// screen out for the learner's 44 columns and lets long lines wrap there by themselves; drawn 110
// wide, a wrapped `kubectl get pods -o wide` row runs on past the learner's edge and the next row's
// cursor moves land elsewhere: fragments. The terminal socket is played by the test (Playwright's
// WebSocket routing) so the bytes are exactly a 44-column screen.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeControl, encodeOutput } from '../../src/terminal/protocol.ts';
import { createClass, joinOverHttp, signIn, startClassroomServer, type Class, type Instructor } from './classroom-session.ts';
import { launchBrowser, type RunningServer } from './harness.ts';

const SHOTS = process.env.LABS_SHOTS_DIR ?? '/tmp/shots-23term';
type Handle = { size(): { cols: number; rows: number }; screen(): { rows: string[] } };

// What the learner's tmux sends for a 44×12 screen: the header wraps at column 44 by itself (no
// cursor move), the next row is placed by an absolute move, as tmux does.
const HEADER = 'NAMESPACE     NAME                    READY STATUS  RESTARTS  AGE  IP';
const ROW = 'kube-system   coredns-66bc5c9577-9x2kq 1/1   Running 0         5m   10.244.0.3';
const SCREEN = `\x1b[?1049h\x1b[H\x1b[2J\x1b[1;12r${HEADER}\x1b[3;1H${ROW}\x1b[5;1Hlearner@lab:~$ `;
const LEARNER = { cols: 44, rows: 12 };
const wrap = (line: string) => line.match(/.{1,44}/g)!.map((part) => part.trimEnd());

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let instructor: Instructor;
let cohort: Class;

/** The watch page of learner 1 with its terminal socket played by the test. */
async function watchPage(language: 'en' | 'ko', width: number, height: number): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  await page.routeWebSocket(/\/ws\/terminal/, (socket) => {
    socket.onMessage((message) => {
      if (typeof message !== 'string' || !message.includes('"hello"')) return;
      socket.send(encodeControl({ t: 'ready', session: 'watch-session-0001', seq: 0, live: 0, resumed: false, truncated: false, shell: 'docker' }));
      socket.send(encodeControl({ t: 'size', ...LEARNER }));
      socket.send(Buffer.from(encodeOutput(0, new Uint8Array(Buffer.from(SCREEN)))));
    });
  });
  await page.goto(new URL(`/${language}/classroom/watch/1/?cohort=${cohort.id}`, server.url).href);
  await page.waitForFunction(() => (window as unknown as { labsTerminal?: Handle }).labsTerminal?.screen().rows.some((row) => row.startsWith('learner@lab')), null, { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  server = await startClassroomServer();
  browser = await launchBrowser();
  instructor = await signIn(browser.context, server);
  cohort = await createClass(instructor, 'Watch 23');
  await joinOverHttp(server, cohort, '김민지');
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the instructor's watch view", () => {
  for (const [language, width, height] of [['en', 1440, 900], ['ko', 1440, 900], ['en', 390, 844], ['ko', 390, 844]] as const) {
    it(`draws a phone learner's 44-column screen 44 columns wide, rows whole (${language}, ${width} px)`, async () => {
      const page = await watchPage(language, width, height);
      try {
        const handle = () => page.evaluate(() => {
          const terminal = (window as unknown as { labsTerminal: Handle }).labsTerminal;
          return { size: terminal.size(), rows: terminal.screen().rows };
        });
        const { size, rows } = await handle();
        expect(size).toEqual(LEARNER);
        expect(rows.slice(0, 5)).toEqual([...wrap(HEADER), ...wrap(ROW), 'learner@lab:~$']);
        expect(await page.locator('[data-terminal-status-text]').textContent()).toContain('44×12');
        // The whole screen is in the view (a narrow one draws it smaller rather than cut it).
        const widths = await page.waitForFunction(() => {
          const host = document.querySelector<HTMLElement>('[data-terminal-host]')!.getBoundingClientRect();
          const screen = document.querySelector<HTMLElement>('[data-terminal-host] .xterm-screen')!.getBoundingClientRect();
          return screen.left >= host.left && screen.right <= host.right ? { host: host.width, screen: screen.width } : undefined;
        }, null, { timeout: 5_000 }).then((answer) => answer.jsonValue());
        expect(widths!.screen).toBeLessThanOrEqual(widths!.host);
        // And it is on screen, not folded away: the first row is what is at its place.
        const onTop = await page.evaluate(() => {
          const row = document.querySelector<HTMLElement>('[data-terminal-host] .xterm-rows > div')!.getBoundingClientRect();
          return document.elementFromPoint(row.left + 4, row.top + row.height / 2)?.closest('[data-terminal-host]') !== null;
        });
        expect(onTop, 'the first row is visible').toBe(true);
        await page.screenshot({ path: join(SHOTS, `watch-${language}-${width}.png`), fullPage: false });
      } finally {
        await page.close();
      }
    });
  }
});
