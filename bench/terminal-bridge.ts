// Terminal bridge benchmark: our bridge (xterm protocol over WebSocket to node-pty) side by side
// with gotty, an established web terminal, in the same run. Prints figures and ratios; asserts nothing.
//
//   node bench/terminal-bridge.ts [--keys 300] [--megabytes 100] [--rounds 3] [--no-browser]
//   node bench/terminal-bridge.ts --classroom [--owners 8] [--keys 300]
//
// 1. Protocol level: a Node WebSocket client speaks each server's own protocol. Keystroke echo
//    round trips alternate between the two bridges key by key, and the `yes | head -c N` floods
//    alternate round by round, so a busy moment on this shared machine hits both alike. The
//    flood reports throughput, the serving process's CPU time, and echo of keys typed during it.
// 2. Browser level: the same flood in chromium, our lesson page and gotty's own page, measured
//    the same way (see terminal/browser.ts).
// 3. --classroom (alone): keystroke echo with N learners typing at once, each watched read-only
//    by an instructor, then the same while another learner floods to a stalled watcher
//    (see terminal/classroom.ts).
import { parseArgs } from 'node:util';
import { launchBrowser, startServer, type RunningServer } from '../tests/browser/harness.ts';
import { floodInPage, idleEcho, openTerminalPage, summary, type PageFlood } from './terminal/browser.ts';
import { classroomBench, printClassroom } from './terminal/classroom.ts';
import { gottyClient, ourClient, type Bridge } from './terminal/clients.ts';
import { GOTTY_VERSION, startGotty, type RunningGotty } from './terminal/gotty.ts';
import { flood, keystrokeEcho, median, percentile, settle, type FloodResult } from './terminal/measure.ts';

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '300' },
    megabytes: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '3' },
    'no-browser': { type: 'boolean', default: false },
    classroom: { type: 'boolean', default: false },
    owners: { type: 'string', default: '8' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('Usage: node bench/terminal-bridge.ts [--keys 300] [--megabytes 100] [--rounds 3] [--no-browser]');
  console.log('       node bench/terminal-bridge.ts --classroom [--owners 8] [--keys 300]');
  process.exit(0);
}
const KEYS = Number(args.keys);
const MEGABYTES = Number(args.megabytes);
const ROUNDS = Number(args.rounds);
const log = (line: string) => process.stderr.write(`${line}\n`);
if (args.classroom) {
  printClassroom(await classroomBench({ owners: Number(args.owners), keys: KEYS, log }));
  process.exit(0);
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const row = (label: string, ours: string, gotty: string, note = '') => console.log(`${label.padEnd(38)}${ours.padStart(18)}${gotty.padStart(18)}   ${note}`);

let server: RunningServer | undefined;
let gotty: RunningGotty | undefined;
try {
  server = await startServer();
  // gotty's bash gets the same throwaway HOME as ours (no ~/.bashrc on either side).
  gotty = await startGotty({ HOME: server.home }, log);
  const bridges: Bridge[] = [await ourClient(server.url, server.process.pid!), await gottyClient(gotty.port, gotty.process.pid!)];
  for (const bridge of bridges) await settle(bridge);

  log(`${KEYS} keystrokes each, alternating…`);
  const echo = new Map<Bridge, number[]>(bridges.map((bridge) => [bridge, []]));
  for (let i = 0; i < KEYS; i++) {
    for (const bridge of i % 2 ? [...bridges].reverse() : bridges) echo.get(bridge)!.push(await keystrokeEcho(bridge));
  }

  const floods = new Map<Bridge, FloodResult[]>(bridges.map((bridge) => [bridge, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const bridge of round % 2 ? [...bridges].reverse() : bridges) {
      log(`round ${round + 1}/${ROUNDS}: ${bridge.name}: yes | head -c ${MEGABYTES}M…`);
      floods.get(bridge)!.push(await flood(bridge, MEGABYTES));
    }
  }
  for (const bridge of bridges) bridge.close();

  const [ours, theirs] = bridges as [Bridge, Bridge];
  const pick = (bridge: Bridge, f: (r: FloodResult) => number) => median(floods.get(bridge)!.map(f));
  const mbps = (r: FloodResult) => MEGABYTES / r.seconds;
  const cpuPerMb = (r: FloodResult) => (r.cpuSeconds / (r.bytes / 1e6)) * 1000;
  const during = (bridge: Bridge) => floods.get(bridge)!.flatMap((r) => r.echoDuringMs);
  const keys = (bridge: Bridge) => floods.get(bridge)!.reduce((n, r) => n + r.keysTyped, 0);

  console.log(`\nTerminal bridge benchmark, protocol level (loopback; ${KEYS} keys each, alternating; ${ROUNDS} floods of ${MEGABYTES} MB each, medians)`);
  row('', 'ours', `gotty ${GOTTY_VERSION}`, 'ours/gotty');
  const e50 = [percentile(echo.get(ours)!, 50), percentile(echo.get(theirs)!, 50)] as const;
  const e95 = [percentile(echo.get(ours)!, 95), percentile(echo.get(theirs)!, 95)] as const;
  row('keystroke echo p50', fmt(e50[0]), fmt(e50[1]), `${(e50[0] / e50[1]).toFixed(2)}× (lower is better)`);
  row('keystroke echo p95', fmt(e95[0]), fmt(e95[1]), `${(e95[0] / e95[1]).toFixed(2)}×`);
  const t = [pick(ours, mbps), pick(theirs, mbps)] as const;
  row(`throughput (${MEGABYTES} MB of yes)`, `${t[0].toFixed(2)} MB/s`, `${t[1].toFixed(2)} MB/s`, `${(t[0] / t[1]).toFixed(2)}× (higher is better)`);
  for (const bridge of bridges) console.log(`${''.padEnd(4)}${bridge.name} rounds: ${floods.get(bridge)!.map((r) => mbps(r).toFixed(2)).join(', ')} MB/s`);
  const c = [pick(ours, cpuPerMb), pick(theirs, cpuPerMb)] as const;
  row('bridge CPU per MB of terminal output', fmt(c[0]), fmt(c[1]), `${(c[0] / c[1]).toFixed(2)}× (lower is better)`);
  const d = [during(ours), during(theirs)] as const;
  row('echo during flood p50', fmt(percentile(d[0], 50)), fmt(percentile(d[1], 50)), `${(percentile(d[0], 50) / percentile(d[1], 50)).toFixed(2)}×`);
  row('echo during flood p95', fmt(percentile(d[0], 95)), fmt(percentile(d[1], 95)), `${(percentile(d[0], 95) / percentile(d[1], 95)).toFixed(2)}×`);
  row('keys echoed during floods', `${d[0].length}/${keys(ours)}`, `${d[1].length}/${keys(theirs)}`);

  if (!args['no-browser']) {
    const browser = await launchBrowser();
    try {
      const pages = [
        await openTerminalPage(browser.context, { name: 'ours', url: new URL('/en/lessons/01-pod-lifecycle', server.url).href, terminalSelector: '[data-terminal-host]' }),
        await openTerminalPage(browser.context, { name: 'gotty', url: gotty.url, terminalSelector: '#terminal' }),
      ] as const;
      log('browser: keystrokes in both pages, alternating…');
      const echoes = [[], []] as [number[], number[]];
      for (let i = 0; i < 60; i++) {
        for (const p of i % 2 ? [1, 0] : [0, 1]) {
          const ms = await idleEcho(pages[p]!, i);
          if (ms !== undefined) echoes[p]!.push(ms);
        }
      }
      const floodsInPage: PageFlood[] = [];
      for (const page of pages) {
        log(`browser: ${page.name}: yes | head -c ${MEGABYTES}M in the page…`);
        floodsInPage.push(await floodInPage(page, MEGABYTES));
      }
      const [a, b] = floodsInPage as [PageFlood, PageFlood];
      console.log(`\nBrowser level (chromium headless, both pages open, each as shipped; p50 / p95 from a key typed in the page to its echo's arrival on the page's main thread)`);
      row('', 'ours', `gotty ${GOTTY_VERSION}`, 'ours/gotty');
      row('xterm renderer', pages[0].renderer, pages[1].renderer, '(ours: DOM where WebGL is software-emulated, as here)');
      row('keystroke echo (60 keys, alternating)', summary(echoes[0]), summary(echoes[1]), `${(percentile(echoes[0], 50) / percentile(echoes[1], 50)).toFixed(2)}× p50`);
      row(`${MEGABYTES} MB of yes, last byte in the page`, `${a.seconds.toFixed(1)} s`, `${b.seconds.toFixed(1)} s`, `${(MEGABYTES / a.seconds).toFixed(2)} vs ${(MEGABYTES / b.seconds).toFixed(2)} MB/s`);
      row(`${MEGABYTES} MB of yes, page idle again`, `${a.idleSeconds.toFixed(1)} s`, `${b.idleSeconds.toFixed(1)} s`, `${(MEGABYTES / a.idleSeconds).toFixed(2)} vs ${(MEGABYTES / b.idleSeconds).toFixed(2)} MB/s (higher is better)`);
      row('keystroke echo during the flood', summary(a.echoDuringFlood), summary(b.echoDuringFlood), `${(percentile(a.echoDuringFlood, 50) / percentile(b.echoDuringFlood, 50)).toFixed(2)}× p50`);
      row('keys with no echo within 20 s', String(a.keysLost), String(b.keysLost));
      console.log('(ours paces output by what xterm has processed; gotty has no flow control, so its last byte can arrive long before its page has drawn it: "idle again" is when each page had caught up)');
    } finally {
      await browser.close();
    }
  }
} finally {
  gotty?.stop();
  await server?.stop();
}
