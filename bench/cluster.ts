// Prints the offline cluster figures: toolchain and image build (cold, when recorded, and the
// cached re-run), `labs cluster create` wall time, memory of one idle cluster, and how many idle
// clusters fit with all nodes Ready. Bounded: at most LABS_BENCH_MAX_CLUSTERS (8) clusters, stops
// when free memory would drop under 2 GiB, deletes every cluster it made.
// Usage: node bench/cluster.ts [--skip-density]
import { freemem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryRun } from '../src/base/exec.ts';
import { kindClusters, kindProvider } from '../src/environments/kind-provider.ts';
import { prepareOffline } from '../src/environments/offline.ts';
import { reporter } from '../src/environments/progress.ts';
import { readTimings } from '../src/environments/timings.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const goals = { createSeconds: 60, idleMiB: 700 };
const maxClusters = Number(process.env.LABS_BENCH_MAX_CLUSTERS ?? 8);
const prefix = 'labs-bench-';

const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(44)} ${value.padStart(12)}  ${note}`);

async function memoryMiB(container: string): Promise<number> {
  // docker stats: usage less page cache (cgroup v1 and v2), as `docker stats` shows it.
  const r = await tryRun('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', container]);
  const m = /([\d.]+)\s*([KMG]i?B)/.exec(r.stdout);
  if (!m) throw new Error(`docker stats ${container}: ${r.stderr || r.stdout}`);
  const factor = m[2].startsWith('G') ? 1024 : m[2].startsWith('K') ? 1 / 1024 : 1;
  return Number(m[1]) * factor;
}

async function createViaCli(name: string): Promise<number> {
  const started = Date.now();
  const r = await tryRun(process.execPath, [join(repo, 'src/cli/main.ts'), 'cluster', 'create', '--name', name, '--offline', '--json'], { cwd: repo });
  if (r.code !== 0) throw new Error(`labs cluster create --name ${name}: ${r.stderr.trim().split('\n').at(-1)}`);
  return (Date.now() - started) / 1000;
}

async function allReady(names: string[]): Promise<boolean> {
  for (const n of names) if ((await kindProvider.status(n)).state !== 'ready') return false;
  return true;
}

async function main(): Promise<void> {
  const skipDensity = process.argv.includes('--skip-density');
  console.log('Offline kind cluster benchmark (2 cores, 24 GiB; goals: create <= 60 s, idle <= 700 MB)\n');

  const toolchain = await tryRun('bash', [join(repo, 'kind/toolchain/build.sh'), '--list', '--json']);
  const components = toolchain.code === 0 ? (JSON.parse(toolchain.stdout) as { component: string; seconds: number | null }[]) : [];
  const toolchainCold = components.reduce((sum, c) => sum + (c.seconds ?? 0), 0);
  line('toolchain cold build (sum of components)', `${toolchainCold.toFixed(0)} s`, `${components.filter((c) => c.seconds !== null).length}/${components.length} components recorded`);
  const timings = readTimings();
  if (timings.imagesColdSeconds !== undefined) line('images + node image cold build (recorded)', `${timings.imagesColdSeconds.toFixed(0)} s`, timings.imagesColdAt ?? '');
  else line('images + node image cold build', 'not recorded', '(run once on an empty cache)');

  const started = Date.now();
  await prepareOffline(reporter(undefined));
  const cached = (Date.now() - started) / 1000;
  line('cached re-run (labs cluster image)', `${cached.toFixed(1)} s`, 'goal: a no-op in seconds');

  for (const stale of (await kindClusters()).filter((n) => n.startsWith(prefix))) await kindProvider.delete(stale);
  const made: string[] = [];
  try {
    const first = `${prefix}1`;
    const createSeconds = await createViaCli(first);
    made.push(first);
    line('labs cluster create wall time', `${createSeconds.toFixed(1)} s`, `${(createSeconds / goals.createSeconds).toFixed(2)}x of the 60 s goal`);
    await new Promise((r) => setTimeout(r, 60_000)); // let it settle to idle
    const idle = await memoryMiB(`${first}-control-plane`);
    line('memory of one idle cluster (docker stats)', `${idle.toFixed(0)} MiB`, `${(idle / goals.idleMiB).toFixed(2)}x of the 700 MB goal`);

    if (!skipDensity) {
      while (made.length < maxClusters) {
        const estimate = idle * 1.3 * 2 ** 20;
        if (freemem() - estimate < 2 * 2 ** 30) {
          console.log(`  stopping: free memory ${(freemem() / 2 ** 30).toFixed(1)} GiB would drop under 2 GiB`);
          break;
        }
        const name = `${prefix}${made.length + 1}`;
        try {
          const s = await createViaCli(name);
          made.push(name);
          console.log(`  cluster ${made.length} ready in ${s.toFixed(0)} s (free memory ${(freemem() / 2 ** 30).toFixed(1)} GiB)`);
        } catch (e) {
          console.log(`  cluster ${made.length + 1} failed: ${(e as Error).message}`);
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 30_000));
      const ready = await allReady(made);
      let total = 0;
      for (const n of made) total += await memoryMiB(`${n}-control-plane`);
      line('idle clusters held, all nodes Ready', `${ready ? made.length : 'not all'}`, `bounded at ${maxClusters}; ${total.toFixed(0)} MiB in all, ${(total / made.length).toFixed(0)} MiB each`);
    }
  } finally {
    // Every bench cluster, including one whose create failed half-way.
    for (const n of (await kindClusters()).filter((c) => c.startsWith(prefix))) {
      await kindProvider.delete(n).catch((e: Error) => console.log(`  cleanup of ${n} failed: ${e.message}`));
    }
  }
}

await main();
