// What the protocol-level benchmark measures on a Bridge: one keystroke's echo round trip, and
// a `yes` flood's throughput, the serving process's CPU time, and keystroke echo during it.
import { readFileSync } from 'node:fs';
import type { Bridge } from './clients.ts';

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
export const median = (values: number[]): number => percentile(values, 50);

/** User + system CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

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

export async function settle(bridge: Bridge): Promise<void> {
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

/** One keystroke typed at an idle prompt: milliseconds until its echo arrives. */
export async function keystrokeEcho(bridge: Bridge): Promise<number> {
  await quiet(bridge);
  const start = now();
  const arrived = nextOutput(bridge, (chunk) => chunk.includes('a'));
  bridge.send('a');
  const elapsed = (await arrived) - start;
  const erased = nextOutput(bridge, () => true);
  bridge.send('\x7f');
  await erased;
  return elapsed;
}

export type FloodResult = { seconds: number; bytes: number; cpuSeconds: number; echoDuringMs: number[]; keysTyped: number };

/** `yes | head -c N` through the bridge while a key is typed every 150 ms. */
export async function flood(bridge: Bridge, megabytes: number): Promise<FloodResult> {
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
    // The marker may straddle two chunks, or be followed in its chunk by a prompt and keys typed ahead.
    if ((tail + text).includes('__FLOOD_DONE_42__')) done?.();
    tail = text.length >= 64 ? text.slice(-64) : (tail + text).slice(-64);
  };
  const cpuBefore = cpuSeconds(bridge.pid);
  const start = now();
  bridge.send(`yes | head -c ${megabytes * 1_000_000}; echo "__FLOOD_DONE_$((6*7))__"\r`);
  // Type while the flood runs: the tty echoes each key into the output stream.
  let typing = true;
  let keysTyped = 0;
  const typist = (async () => {
    await sleep(300);
    for (let i = 0; typing && i < 200; i++) {
      const char = String.fromCharCode(65 + (i % 26)); // A..Z never appear in `yes` output
      pendingEchoes.push({ char, sent: now() });
      bridge.send(char);
      keysTyped++;
      await sleep(150);
    }
  })();
  await finished;
  const seconds = (now() - start) / 1000;
  const cpu = cpuSeconds(bridge.pid) - cpuBefore;
  typing = false;
  await typist;
  bridge.onOutput = () => {};
  bridge.send('\x15'); // clear what was typed during the flood
  await sleep(300);
  return { seconds, bytes, cpuSeconds: cpu, echoDuringMs, keysTyped };
}
