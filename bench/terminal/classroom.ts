// Classroom load on the terminal bridge: N learners typing at once, each with an instructor's
// read-only view open, against one learner alone. Keystroke echo is timed at the learner (key
// sent → echo received) and at the watcher (same key → echo on the read-only view). A last round
// adds a learner flooding 20 MB while its watcher never reads (a stalled instructor tab).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { openClient, type Client } from '../../tests/unit/terminal-bridge-harness.ts';
import { cpuSeconds, now, percentile, sleep } from './measure.ts';

export type ClassroomFigures = { label: string; learner: number[]; watcher: number[]; cpuSeconds: number; seconds: number; floodMBps?: number };

/** Resolves at the first output chunk that passes `test`. */
function next(client: Client, test: (chunk: Buffer) => boolean, timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no echo within 20 s')), timeoutMs);
    client.onOutput = (chunk) => {
      if (!test(chunk)) return;
      clearTimeout(timer);
      client.onOutput = undefined;
      resolve(now());
    };
  });
}

async function quiet(client: Client, ms = 20): Promise<void> {
  let last = now();
  client.onOutput = () => (last = now());
  while (now() - last < ms) await sleep(5);
  client.onOutput = undefined;
}

type Seat = { learner: Client; watcher?: Client };

/** One learner types `keys` keys (each erased again); echo times at the learner and its watcher. */
async function typeKeys(seat: Seat, keys: number, into: { learner: number[]; watcher: number[] }): Promise<void> {
  for (let i = 0; i < keys; i++) {
    await quiet(seat.learner);
    const start = now();
    const atLearner = next(seat.learner, (chunk) => chunk.includes('a'));
    const atWatcher = seat.watcher ? next(seat.watcher, (chunk) => chunk.includes('a')) : undefined;
    seat.learner.sendInput('a');
    into.learner.push((await atLearner) - start);
    if (atWatcher) into.watcher.push((await atWatcher) - start);
    const erased = next(seat.learner, () => true);
    const erasedThere = seat.watcher ? next(seat.watcher, () => true) : undefined;
    seat.learner.sendInput('\x7f');
    await erased;
    await erasedThere;
  }
}

export async function classroomBench(options: { owners: number; keys: number; log: (line: string) => void }): Promise<ClassroomFigures[]> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./classroom-server.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(/listening (\d+)/.exec(line.toString())?.[1]);
    const bridge = { port, url: (query: string) => `ws://127.0.0.1:${port}/ws/terminal?${query}` };
    const seat = async (owner: string, watched: boolean, flood = false): Promise<Seat> => {
      const learner = await openClient(bridge, `as=${owner}`, { keepText: false });
      await learner.ready();
      learner.type("export PS1='$ '; stty -echoctl");
      await sleep(300);
      const watcher = watched ? await openClient(bridge, `watch=${owner}`, { ack: false, keepText: false }) : undefined;
      await watcher?.ready();
      if (flood) watcher?.stall();
      return { learner, watcher };
    };
    const round = async (label: string, seats: Seat[], keys: number): Promise<ClassroomFigures> => {
      options.log(`${label}…`);
      const into = { learner: [] as number[], watcher: [] as number[] };
      const cpuBefore = cpuSeconds(child.pid!);
      const start = now();
      await Promise.all(seats.map((s) => typeKeys(s, keys, into)));
      return { label, ...into, cpuSeconds: cpuSeconds(child.pid!) - cpuBefore, seconds: (now() - start) / 1000 };
    };

    const figures: ClassroomFigures[] = [];
    const alone = await seat('learner:alone', false);
    figures.push(await round('1 learner, no watcher', [alone], options.keys));
    const class_ = await Promise.all(Array.from({ length: options.owners }, (_, i) => seat(`learner:${i + 1}`, true)));
    figures.push(await round(`${options.owners} learners typing at once, 1 watcher each`, class_, options.keys));
    // The same class while one more learner floods 20 MB and its instructor's tab never reads.
    const flooder = await seat('learner:flood', true, true);
    flooder.learner.type('while :; do head -c 20000000 /dev/zero | tr "\\0" "\\130"; done');
    await sleep(500);
    const floodedBefore = flooder.learner.bytes;
    const during = await round(`… while another floods (watcher stalled)`, class_, options.keys);
    figures.push({ ...during, floodMBps: (flooder.learner.bytes - floodedBefore) / 1e6 / during.seconds });
    flooder.learner.sendInput('\x03');
    for (const s of [alone, ...class_, flooder]) {
      s.learner.close();
      s.watcher?.ws.terminate();
    }
    return figures;
  } finally {
    child.stdin!.end();
    child.kill();
  }
}

export function printClassroom(figures: ClassroomFigures[]): void {
  const fmt = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : '—');
  console.log('\nClassroom load (bridge in its own process; loopback; echo of one key, typed at an idle prompt)');
  console.log(`${''.padEnd(56)}${'learner p50'.padStart(13)}${'learner p95'.padStart(13)}${'watcher p50'.padStart(13)}${'watcher p95'.padStart(13)}${'bridge CPU'.padStart(12)}`);
  for (const f of figures) {
    const cpu = `${((f.cpuSeconds / f.seconds) * 100).toFixed(0)}%`;
    console.log(
      `${`${f.label} (${f.learner.length} keys)`.padEnd(56)}${fmt(percentile(f.learner, 50)).padStart(13)}${fmt(percentile(f.learner, 95)).padStart(13)}${fmt(percentile(f.watcher, 50)).padStart(13)}${fmt(percentile(f.watcher, 95)).padStart(13)}${cpu.padStart(12)}`,
    );
    if (f.floodMBps !== undefined) console.log(`${''.padEnd(4)}(the flooding learner received ${f.floodMBps.toFixed(1)} MB/s meanwhile, its watcher never reading)`);
  }
}
