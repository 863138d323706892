// Browser level, both terminals measured the same way in the same chromium: our lesson page and
// gotty's own page (xterm 4, canvas renderer), each with its default renderer. An init script
// wraps the page's WebSocket to timestamp, on the page's main thread, when output containing a
// given text arrives: a page busy parsing or drawing a backlog handles that message late, so
// this is the page's responsiveness as a learner feels it. Keystroke times are the page's own
// keydown events, so every figure is in one clock. (What is on screen cannot be read the same
// way from both: gotty's xterm draws on canvas and exposes no hook.)
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../tests/browser/harness.ts';
import { percentile, sleep } from './measure.ts';

const INIT_SCRIPT = `(() => {
  const watchers = new Set();
  const latin1 = new TextDecoder('latin1');
  const decode = (data) => {
    if (typeof data === 'string') return data[0] === '1' ? atob(data.slice(1)) : ''; // gotty: '1' + base64
    if (data instanceof ArrayBuffer) { const b = new Uint8Array(data); return b[0] === 1 ? latin1.decode(b.subarray(9)) : ''; } // ours
    return '';
  };
  const settle = (kind, text) => {
    const at = performance.now();
    for (const w of [...watchers]) if (w.kind === kind && text.includes(w.text)) { watchers.delete(w); w.resolve(at); }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      let tail = '';
      this.addEventListener('message', (event) => {
        const text = decode(event.data);
        if (watchers.size) settle('arrival', tail + text);
        tail = (tail + text).slice(-64);
      });
    }
  };
  const keydowns = new Map();
  addEventListener('keydown', (event) => keydowns.set(event.key, performance.now()), true);
  // Resolves once 20 tasks in a row started within 2 ms of being queued: the page has worked
  // through whatever output it had (a MessageChannel task, since nested timers are clamped).
  const idleAgain = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    let calm = 0, queuedAt = 0;
    channel.port1.onmessage = () => {
      const at = performance.now();
      calm = at - queuedAt < 2 ? calm + 1 : 0;
      if (calm >= 20) { channel.port1.close(); resolve(at); return; }
      queuedAt = performance.now();
      channel.port2.postMessage(0);
    };
    queuedAt = performance.now();
    channel.port2.postMessage(0);
  });
  window.__bench = {
    arrival: (text) => new Promise((resolve) => watchers.add({ kind: 'arrival', text, resolve })),
    idleAgain,
    keydown: (key) => keydowns.get(key),
  };
})();`;

type BenchWindow = { __bench: { arrival(text: string): Promise<number>; idleAgain(): Promise<number>; keydown(key: string): number | undefined } };

/** Letters in neither the commands typed nor `yes` output: their echo is unambiguous. */
const SAFE_KEYS = 'BCGHIJKMPQSTUVWXZ';

export type BrowserTarget = { name: string; url: string; terminalSelector: string };
export type BrowserResult = {
  name: string;
  renderer: string;
  echo: number[];
  floodSeconds: number;
  /** Until the page had worked through all the output (what it still had to parse and draw). */
  idleSeconds: number;
  echoDuringFlood: number[];
  keysLost: number;
};

/** Starts watching in the page, then presses the key: ms from its keydown to its echo's arrival. */
async function pressAndWatch(page: Page, key: string, timeoutMs: number): Promise<number | undefined> {
  const watch = page.evaluate(
    ({ key, timeoutMs }) => Promise.race([(window as unknown as BenchWindow).__bench.arrival(key), new Promise<undefined>((resolve) => setTimeout(resolve, timeoutMs))]),
    { key, timeoutMs },
  );
  await sleep(20);
  await page.keyboard.press(`Shift+Key${key}`);
  const at = await watch;
  const down = await page.evaluate((k) => (window as unknown as BenchWindow).__bench.keydown(k), key);
  return at === undefined || down === undefined ? undefined : at - down;
}

export async function browserFlood(target: BrowserTarget, megabytes: number, viewport?: { width: number; height: number }): Promise<BrowserResult> {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(target.url);
    await page.waitForSelector(`${target.terminalSelector} .xterm`, { timeout: 30_000 });
    await sleep(1000);
    await page.click(target.terminalSelector);
    const ready = page.evaluate(() => (window as unknown as BenchWindow).__bench.arrival('READY_2'));
    await page.keyboard.type("export PS1='$ '; clear; echo READY_$((1+1))\n");
    await ready;
    await sleep(300);
    // Ours reports its renderer; gotty's xterm 4 draws on a 2D canvas unless told otherwise.
    const renderer = await page.evaluate(() => (window as unknown as { labsTerminal?: { renderer: string } }).labsTerminal?.renderer ?? 'canvas');

    const echo: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ms = await pressAndWatch(page, SAFE_KEYS[i % SAFE_KEYS.length]!, 5000);
      if (ms !== undefined) echo.push(ms);
      await page.keyboard.press('Backspace');
      await sleep(60);
    }

    const doneArrival = page.evaluate(() => (window as unknown as BenchWindow).__bench.arrival('__FLOOD_DONE_42__'));
    await page.keyboard.type(`yes | head -c ${megabytes * 1_000_000}; echo "__FLOOD_DONE_$((6*7))__"`);
    await page.keyboard.press('Enter');
    const start = (await page.evaluate(() => (window as unknown as BenchWindow).__bench.keydown('Enter')))!;
    let finished = false;
    const arrivedAt = doneArrival.then((at) => {
      finished = true;
      return at;
    });
    const echoDuringFlood: number[] = [];
    let keysLost = 0;
    await sleep(500);
    for (let i = 0; !finished && i < 60; i++) {
      const ms = await pressAndWatch(page, SAFE_KEYS[i % SAFE_KEYS.length]!, 20_000);
      if (ms === undefined) keysLost++;
      else if (!finished) echoDuringFlood.push(ms);
      await sleep(250);
    }
    const arrived = await arrivedAt;
    const idle = await page.evaluate(() => (window as unknown as BenchWindow).__bench.idleAgain());
    return { name: target.name, renderer, echo, floodSeconds: (arrived - start) / 1000, idleSeconds: (idle - start) / 1000, echoDuringFlood, keysLost };
  } finally {
    await browser.close();
  }
}

export const summary = (values: number[]) => (values.length ? `${percentile(values, 50).toFixed(1)} / ${percentile(values, 95).toFixed(1)} ms` : 'n/a');
