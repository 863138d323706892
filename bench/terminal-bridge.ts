// Terminal bridge benchmark: our bridge (xterm protocol over WebSocket to node-pty) side by side
// with gotty, an established web terminal, in the same run. Prints figures and ratios; asserts nothing.
//
//   node bench/terminal-bridge.ts [--keys 200] [--megabytes 100] [--no-browser]
//
// 1. Protocol level (a Node WebSocket client speaks each server's own protocol, acknowledging
//    as fast as it receives): keystroke echo round trip p50/p95, bulk throughput of
//    `yes | head -c 100M`, and keystroke echo while that flood is running.
// 2. Browser level, our bridge only: the same flood rendered by xterm in chromium, with
//    keystrokes typed during it (is the page still responsive?).
//
// gotty is built once from its Go module into ~/.cache/kubernetes-labs/go/bin (Go module proxy).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { cacheDir } from '../src/environments/paths.ts';
import { ACK_EVERY_BYTES, PROTOCOL_VERSION, decodeOutput, encodeControl, encodeInput } from '../src/terminal/protocol.ts';
import { launchBrowser, startServer, type RunningServer } from '../tests/browser/harness.ts';

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '200' },
    megabytes: { type: 'string', default: '100' },
    'no-browser': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('Usage: node bench/terminal-bridge.ts [--keys 200] [--megabytes 100] [--no-browser]');
  process.exit(0);
}
const KEYS = Number(args.keys);
const MEGABYTES = Number(args.megabytes);
const GOTTY_VERSION = 'v1.5.0';

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------- gotty: build once, cache ----------
function ensureGotty(): string {
  const binDir = join(cacheDir(), 'go', 'bin');
  const binary = join(binDir, `gotty-${GOTTY_VERSION}`);
  if (existsSync(binary)) return binary;
  log(`building gotty ${GOTTY_VERSION} from its Go module (one time)…`);
  const moduleDir = join(cacheDir(), 'go', 'gotty-build');
  mkdirSync(moduleDir, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(moduleDir, 'go.mod'), `module local/gottybuild\n\ngo 1.22\n\nrequire github.com/sorenisanerd/gotty ${GOTTY_VERSION}\n`);
  writeFileSync(join(moduleDir, 'tools.go'), '//go:build tools\n\npackage tools\n\nimport _ "github.com/sorenisanerd/gotty"\n');
  const proxy = (spawnSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' }).stdout ?? '').trim().replace(/,direct$/, '');
  const built = spawnSync('go', ['build', '-o', binary, 'github.com/sorenisanerd/gotty'], {
    cwd: moduleDir,
    env: { ...process.env, GOPROXY: proxy, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) throw new Error('could not build gotty (is the Go module proxy reachable?)');
  return binary;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

// ---------- clients speaking each protocol ----------
type Bridge = {
  name: string;
  send(text: string): void;
  /** Called with every output chunk (decoded bytes). */
  onOutput: (chunk: Buffer) => void;
  close(): void;
};

async function ourClient(server: RunningServer): Promise<Bridge> {
  const index = await (await fetch(new URL('/en/', server.url))).text();
  const lesson = /href="(\/en\/lessons\/[^"]+)"/.exec(index)![1]!;
  const token = /data-token="([^"]+)"/.exec(await (await fetch(new URL(lesson, server.url))).text())![1]!;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws/terminal?token=${encodeURIComponent(token)}`, {
    headers: { Origin: `http://127.0.0.1:${server.port}` },
  });
  const bridge: Bridge = {
    name: 'ours',
    send: (text) => ws.send(encodeInput(Buffer.from(text))),
    onOutput: () => {},
    close: () => ws.close(),
  };
  // Acknowledge like the browser client does (every ACK_EVERY_BYTES, or once idle), but on
  // receipt rather than after rendering: the browser figures below include rendering.
  let received = 0;
  let acked = 0;
  let ackScheduled = false;
  const ack = () => {
    ackScheduled = false;
    if (received > acked && ws.readyState === WebSocket.OPEN) {
      acked = received;
      ws.send(encodeControl({ t: 'ack', seq: received }));
    }
  };
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const decoded = decodeOutput(new Uint8Array(data as Buffer));
    if (!decoded.ok) return;
    received = decoded.value.seq + decoded.value.bytes.length;
    if (received - acked >= ACK_EVERY_BYTES) ack();
    else if (!ackScheduled) {
      ackScheduled = true;
      setImmediate(ack);
    }
    bridge.onOutput(Buffer.from(decoded.value.bytes));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, cols: 120, rows: 40 }));
  return bridge;
}

async function gottyClient(port: number): Promise<Bridge> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['webtty'], { headers: { Origin: `http://127.0.0.1:${port}` } });
  const bridge: Bridge = {
    name: 'gotty',
    send: (text) => ws.send(`1${text}`),
    onOutput: () => {},
    close: () => ws.close(),
  };
  ws.on('message', (data) => {
    const message = data.toString();
    if (message[0] === '1') bridge.onOutput(Buffer.from(message.slice(1), 'base64'));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ Arguments: '', AuthToken: '' }));
  ws.send(`3${JSON.stringify({ columns: 120, rows: 40 })}`);
  return bridge;
}

// ---------- measurements ----------
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Resolves when an output chunk satisfies `test`, with the time it arrived. */
function nextOutput(bridge: Bridge, test: (chunk: Buffer) => boolean, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bridge.name}: no matching output in ${timeoutMs} ms`)), timeoutMs);
    bridge.onOutput = (chunk) => {
      if (test(chunk)) {
        clearTimeout(timer);
        bridge.onOutput = () => {};
        resolve(now());
      }
    };
  });
}

async function settle(bridge: Bridge): Promise<void> {
  bridge.send("export PS1='$ '; stty -echoctl\r");
  await sleep(800);
}

/** Waits until the shell has been silent for `quietMs` (so the next output is our echo). */
async function quiet(bridge: Bridge, quietMs = 20): Promise<void> {
  let last = now();
  bridge.onOutput = () => {
    last = now();
  };
  while (now() - last < quietMs) await sleep(5);
  bridge.onOutput = () => {};
}

async function keystrokeEcho(bridge: Bridge, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    await quiet(bridge);
    const start = now();
    const arrived = nextOutput(bridge, (chunk) => chunk.includes('a'));
    bridge.send('a');
    samples.push((await arrived) - start);
    const erased = nextOutput(bridge, () => true);
    bridge.send('\x7f');
    await erased;
  }
  return samples;
}

type FloodResult = { seconds: number; bytes: number; echoDuringMs: number[] };

async function flood(bridge: Bridge, megabytes: number): Promise<FloodResult> {
  let bytes = 0;
  let tail = '';
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const pendingEchoes: { char: string; sent: number }[] = [];
  const echoDuringMs: number[] = [];
  bridge.onOutput = (chunk) => {
    bytes += chunk.length;
    const text = chunk.toString('latin1');
    for (const pending of [...pendingEchoes]) {
      if (text.includes(pending.char)) {
        echoDuringMs.push(now() - pending.sent);
        pendingEchoes.splice(pendingEchoes.indexOf(pending), 1);
      }
    }
    tail = (tail + text).slice(-64);
    if (tail.includes('__FLOOD_DONE_42__')) done?.();
  };
  const start = now();
  bridge.send(`yes | head -c ${megabytes * 1_000_000}; echo "__FLOOD_DONE_$((6*7))__"\r`);
  // Type while the flood runs: the tty echoes each key into the output stream.
  let typing = true;
  const typist = (async () => {
    await sleep(300);
    for (let i = 0; typing && i < 40; i++) {
      const char = String.fromCharCode(65 + (i % 26)); // A..Z never appear in `yes` output
      pendingEchoes.push({ char, sent: now() });
      bridge.send(char);
      await sleep(150);
    }
  })();
  await finished;
  const seconds = (now() - start) / 1000;
  typing = false;
  await typist;
  bridge.onOutput = () => {};
  bridge.send('\x15'); // clear what was typed during the flood
  await sleep(300);
  return { seconds, bytes, echoDuringMs };
}

// ---------- browser level (our bridge) ----------
async function browserFlood(server: RunningServer, megabytes: number, rendererParam = '') {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const index = await (await fetch(new URL('/en/', server.url))).text();
    const lesson = /href="(\/en\/lessons\/[^"]+)"/.exec(index)![1]!;
    await page.goto(new URL(lesson + rendererParam, server.url).href);
    await page.waitForFunction(() => (window as unknown as { labsTerminal?: { ready: boolean } }).labsTerminal?.ready === true, null, { timeout: 30_000 });
    await sleep(500);
    const renderer = await page.evaluate(() => (window as unknown as { labsTerminal: { renderer: string } }).labsTerminal.renderer);
    await page.click('[data-terminal-host]');
    await page.keyboard.type("export PS1='$ '; clear\n");
    await sleep(500);
    const echo: number[] = [];
    for (let i = 0; i < 30; i++) {
      const char = String.fromCharCode(65 + (i % 26));
      const seen = page.evaluate((c) => (window as unknown as { labsTerminal: { waitForText(t: string): Promise<void> } }).labsTerminal.waitForText(c), char).then(() => now());
      await sleep(20);
      const start = now();
      await page.keyboard.press(`Shift+Key${char}`);
      echo.push((await seen) - start);
      await page.keyboard.press('Backspace');
      await sleep(30);
    }
    const start = now();
    await page.keyboard.type(`yes | head -c ${megabytes * 1_000_000}; echo "__FLOOD_DONE_$((6*7))__"\n`);
    const during: number[] = [];
    let finished = false;
    const done = page
      .evaluate(() => (window as unknown as { labsTerminal: { waitForText(t: string): Promise<void> } }).labsTerminal.waitForText('__FLOOD_DONE_42__'))
      .then(() => {
        finished = true;
        return now();
      });
    await sleep(500);
    for (let i = 0; !finished && i < 30; i++) {
      const char = String.fromCharCode(65 + (i % 26));
      // Watch before typing: resolves when xterm has processed the echoed key.
      const seen = page.evaluate((c) => (window as unknown as { labsTerminal: { waitForText(t: string): Promise<void> } }).labsTerminal.waitForText(c), char).then(() => now());
      await sleep(20);
      const sent = now();
      await page.keyboard.press(`Shift+Key${char}`);
      const at = await Promise.race([seen, sleep(20_000).then(() => undefined)]);
      if (at !== undefined && !finished) during.push(at - sent);
      await sleep(250);
    }
    const end = await done;
    return { renderer, echo, seconds: (end - start) / 1000, during };
  } finally {
    await browser.close();
  }
}

// ---------- run ----------
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const gottyBinary = ensureGotty();
const gottyPort = await freePort();
let gottyProcess: ChildProcess | undefined;
let server: RunningServer | undefined;
try {
  server = await startServer();
  gottyProcess = spawn(gottyBinary, ['--address', '127.0.0.1', '--port', String(gottyPort), '--permit-write', '--ws-origin', '.*', '/bin/bash'], {
    stdio: 'ignore',
    env: { ...process.env, TERM: 'xterm-256color' },
  });
  await sleep(800);

  const results: Record<string, { echo: number[]; flood: FloodResult }> = {};
  for (const make of [() => ourClient(server!), () => gottyClient(gottyPort)]) {
    const bridge = await make();
    await settle(bridge);
    log(`${bridge.name}: ${KEYS} keystrokes…`);
    const echo = await keystrokeEcho(bridge, KEYS);
    log(`${bridge.name}: yes | head -c ${MEGABYTES}M…`);
    const result = await flood(bridge, MEGABYTES);
    results[bridge.name] = { echo, flood: result };
    bridge.close();
  }

  const ours = results.ours!;
  const theirs = results.gotty!;
  const mbps = (r: FloodResult) => MEGABYTES / r.seconds;
  console.log(`\nTerminal bridge benchmark (protocol level, loopback, ${KEYS} keystrokes, yes | head -c ${MEGABYTES}M)`);
  console.log(`${''.padEnd(34)}${'ours'.padStart(14)}${`gotty ${GOTTY_VERSION}`.padStart(14)}   ours/gotty`);
  const row = (label: string, a: number, b: number, unit: (n: number) => string, ratio: string) =>
    console.log(`${label.padEnd(34)}${unit(a).padStart(14)}${unit(b).padStart(14)}   ${ratio}`);
  row('keystroke echo p50', percentile(ours.echo, 50), percentile(theirs.echo, 50), fmt, `${(percentile(ours.echo, 50) / percentile(theirs.echo, 50)).toFixed(2)}× (lower is better)`);
  row('keystroke echo p95', percentile(ours.echo, 95), percentile(theirs.echo, 95), fmt, `${(percentile(ours.echo, 95) / percentile(theirs.echo, 95)).toFixed(2)}×`);
  row(`throughput (${MEGABYTES} MB of yes)`, mbps(ours.flood), mbps(theirs.flood), (n) => `${n.toFixed(1)} MB/s`, `${(mbps(ours.flood) / mbps(theirs.flood)).toFixed(2)}× (higher is better)`);
  row('terminal bytes received', ours.flood.bytes / 1e6, theirs.flood.bytes / 1e6, (n) => `${n.toFixed(1)} MB`, '(yes\\n becomes y\\r\\n on a tty)');
  const during = (r: FloodResult) => (r.echoDuringMs.length ? percentile(r.echoDuringMs, 50) : NaN);
  row('echo during flood p50', during(ours.flood), during(theirs.flood), fmt, `${ours.flood.echoDuringMs.length}/${theirs.flood.echoDuringMs.length} keys echoed`);
  row('echo during flood max', Math.max(...ours.flood.echoDuringMs), Math.max(...theirs.flood.echoDuringMs), fmt, '');

  if (!args['no-browser']) {
    for (const param of ['', '?renderer=dom']) {
      log(`browser: xterm in chromium rendering the flood ${param}…`);
      const browser = await browserFlood(server, MEGABYTES, param);
      console.log(`\nBrowser level, our bridge (chromium headless, xterm ${browser.renderer} renderer)`);
      console.log(`${'keystroke echo in xterm p50/p95'.padEnd(34)}${fmt(percentile(browser.echo, 50)).padStart(14)}${fmt(percentile(browser.echo, 95)).padStart(14)}`);
      console.log(`${`${MEGABYTES} MB of yes through xterm`.padEnd(34)}${`${browser.seconds.toFixed(1)} s`.padStart(14)}${`${(MEGABYTES / browser.seconds).toFixed(1)} MB/s`.padStart(14)}`);
      console.log(
        `${'echo in xterm during flood'.padEnd(34)}${(browser.during.length ? fmt(percentile(browser.during, 50)) : 'n/a').padStart(14)}${(browser.during.length ? fmt(Math.max(...browser.during)) : 'n/a').padStart(14)}   p50 / max, ${browser.during.length} keys`,
      );
    }
  }
} finally {
  gottyProcess?.kill('SIGTERM');
  await server?.stop();
}
