// Browser level, both terminals measured the same way in the same chromium: our lesson page and
// gotty's own page (xterm 4, canvas renderer), each with its default renderer. An init script
// wraps the page's WebSocket to timestamp, on the page's main thread, when output containing a
// given text arrives: a page busy parsing or drawing a backlog handles that message late, so
// this is the page's responsiveness as a learner feels it. Measured keys are dispatched inside
// the page to xterm's own textarea (xterm handles them as typed), timed in the page's clock:
// Playwright's keyboard.press costs ~10 ms of DevTools round trips in headless chromium, which
// would swamp a 1 ms echo on both sides. (What is on screen cannot be read the same way from
// both: gotty's xterm draws on canvas and exposes no hook.)
import type { BrowserContext, Page } from 'playwright-core';
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
  // Types one key into the focused xterm as a browser would deliver it; returns when it was sent.
  const press = (key, keyCode) => {
    const target = document.activeElement;
    const init = { key, keyCode, which: keyCode, shiftKey: key.length === 1 && key !== key.toLowerCase(), bubbles: true, cancelable: true };
    const at = performance.now();
    if (target.dispatchEvent(new KeyboardEvent('keydown', init)) && key.length === 1)
      target.dispatchEvent(new KeyboardEvent('keypress', { ...init, charCode: key.charCodeAt(0), keyCode: key.charCodeAt(0) }));
    target.dispatchEvent(new KeyboardEvent('keyup', init));
    return at;
  };
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
    press,
    /** ms from typing \`key\` to its echo arriving, or undefined after \`timeoutMs\`. */
    echo: (key, timeoutMs) => {
      const arrived = new Promise((resolve) => watchers.add({ kind: 'arrival', text: key, resolve }));
      const sent = press(key, key.charCodeAt(0));
      return Promise.race([arrived.then((at) => at - sent), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    },
  };
})();`;

type BenchWindow = {
  __bench: { arrival(text: string): Promise<number>; idleAgain(): Promise<number>; press(key: string, keyCode: number): number; echo(key: string, timeoutMs: number): Promise<number | undefined> };
};

/** Letters in neither the commands typed nor `yes` output: their echo is unambiguous. */
const SAFE_KEYS = 'BCGHIJKMPQSTUVWXZ';

export type BrowserTarget = { name: string; url: string; terminalSelector: string };

/** Types a key in the page: ms until its echo arrived there, or undefined after `timeoutMs`. */
const echoOf = (page: Page, key: string, timeoutMs: number): Promise<number | undefined> =>
  page.evaluate(({ key, timeoutMs }) => (window as unknown as BenchWindow).__bench.echo(key, timeoutMs), { key, timeoutMs });

export type TerminalPage = { name: string; renderer: string; page: Page };

/** Opens a terminal page with the measuring script, a short prompt and a cleared screen. */
export async function openTerminalPage(context: BrowserContext, target: BrowserTarget): Promise<TerminalPage> {
  const page = await context.newPage();
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
  return { name: target.name, renderer, page };
}

/** Echo of one key typed at an idle prompt (then erased), in ms. */
export async function idleEcho({ page }: TerminalPage, i: number): Promise<number | undefined> {
  await page.bringToFront();
  const ms = await echoOf(page, SAFE_KEYS[i % SAFE_KEYS.length]!, 5000);
  await page.keyboard.press('Backspace');
  await sleep(60);
  return ms;
}

export type PageFlood = { seconds: number; idleSeconds: number; echoDuringFlood: number[]; keysLost: number };

/** `yes | head -c N` in the page, typing a key every 250 ms while it runs. */
export async function floodInPage({ page }: TerminalPage, megabytes: number): Promise<PageFlood> {
  await page.bringToFront();
  const doneArrival = page.evaluate(() => (window as unknown as BenchWindow).__bench.arrival('__FLOOD_DONE_42__'));
  await page.keyboard.type(`yes | head -c ${megabytes * 1_000_000}; echo "__FLOOD_DONE_$((6*7))__"`);
  const start = await page.evaluate(() => (window as unknown as BenchWindow).__bench.press('Enter', 13));
  let finished = false;
  const arrivedAt = doneArrival.then((at) => {
    finished = true;
    return at;
  });
  const echoDuringFlood: number[] = [];
  let keysLost = 0;
  await sleep(500);
  for (let i = 0; !finished && i < 60; i++) {
    const ms = await echoOf(page, SAFE_KEYS[i % SAFE_KEYS.length]!, 20_000);
    if (ms === undefined) keysLost++;
    else if (!finished) echoDuringFlood.push(ms);
    await sleep(250);
  }
  const arrived = await arrivedAt;
  const idle = await page.evaluate(() => (window as unknown as BenchWindow).__bench.idleAgain());
  return { seconds: (arrived - start) / 1000, idleSeconds: (idle - start) / 1000, echoDuringFlood, keysLost };
}

export const summary = (values: number[]) => (values.length ? `${percentile(values, 50).toFixed(1)} / ${percentile(values, 95).toFixed(1)} ms` : 'n/a');
