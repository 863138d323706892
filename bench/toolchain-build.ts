// Prints the offline toolchain's build figures: each component's cold build time (recorded in
// its .done stamp when it was built), the cached re-run of `build.sh all` (baseline: the cold
// total), and disk use of the cache, Go's build cache and module cache.
// Usage: node bench/toolchain-build.ts [--cold]
//   --cold  rebuild everything into a scratch LABS_CACHE with an empty GOCACHE (modules stay
//           downloaded) and time that: the figure a fresh machine sees, minus downloads. Slow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryRun } from '../src/base/exec.ts';

type Component = { component: string; version: string; state: string; binDir: string; seconds: number | null };

const buildScript = fileURLToPath(new URL('../kind/toolchain/build.sh', import.meta.url));
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(36)} ${value.padStart(10)}  ${note}`);
const minutes = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

async function list(env: NodeJS.ProcessEnv): Promise<Component[]> {
  const r = await tryRun('bash', [buildScript, '--list', '--json'], { env });
  if (r.code !== 0) throw new Error(`build.sh --list --json: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as Component[];
}

async function duMiB(path: string): Promise<number | undefined> {
  const r = await tryRun('du', ['-sm', path]);
  return r.code === 0 ? Number(r.stdout.split('\t')[0]) : undefined;
}

/** Wall seconds of `build.sh all`; failures are reported by the component list afterwards. */
async function timedBuildAll(env: NodeJS.ProcessEnv): Promise<{ seconds: number; failures: string[] }> {
  const started = performance.now();
  const r = await tryRun('bash', [buildScript, 'all'], { env, onLine: (l) => process.stderr.write(`  ${l}\n`) });
  const failures = r.code === 0 ? [] : r.stderr.split('\n').filter((l) => l.startsWith('build.sh: failed'));
  return { seconds: (performance.now() - started) / 1000, failures };
}

async function main(): Promise<void> {
  const cold = process.argv.includes('--cold');
  let env: NodeJS.ProcessEnv = process.env;
  let scratch: string | undefined;
  if (cold) {
    scratch = mkdtempSync(join(tmpdir(), 'labs-toolchain-cold-'));
    env = { ...process.env, LABS_CACHE: join(scratch, 'cache'), GOCACHE: join(scratch, 'gocache') };
    console.log(`cold build into ${scratch} (empty GOCACHE; module downloads are cached) …`);
    const cold = await timedBuildAll(env);
    line('cold build all (wall)', minutes(cold.seconds));
    for (const f of cold.failures) console.log(f);
  }
  try {
    const components = await list(env);
    let coldTotal = 0;
    for (const c of components) {
      coldTotal += c.seconds ?? 0;
      const size = c.state === 'built' ? await duMiB(c.binDir) : undefined;
      line(`${c.component} ${c.version}`, c.state !== 'built' ? 'NOT BUILT' : c.seconds === null ? '?' : minutes(c.seconds), size === undefined ? '' : `${size} MiB`);
    }
    line('cold total (sum of stamps)', minutes(coldTotal));
    const missing = components.filter((c) => c.state !== 'built');
    if (missing.length > 0) {
      console.log(`not built: ${missing.map((c) => c.component).join(', ')} (kind/toolchain/build.sh all builds them; logs under the cache's go/logs)`);
      process.exitCode = 1;
      return;
    }
    const cached = await timedBuildAll(env);
    if (cached.failures.length > 0) throw new Error(`cached re-run rebuilt and failed: ${cached.failures.join('; ')}`);
    line('cached re-run: build.sh all', `${cached.seconds.toFixed(2)} s`, `${(coldTotal / cached.seconds).toFixed(0)}x faster than cold`);

    const goEnv = await tryRun('go', ['env', 'GOCACHE', 'GOMODCACHE'], { env });
    const [gocache, gomodcache] = goEnv.stdout.trim().split('\n');
    const cacheRoot = join(components[0].binDir, '..', '..');
    line('disk: toolchain binaries', `${(await duMiB(cacheRoot)) ?? '?'} MiB`, cacheRoot);
    line('disk: Go build cache (shared)', `${(await duMiB(gocache)) ?? '?'} MiB`, gocache);
    line('disk: Go module cache (shared)', `${(await duMiB(gomodcache)) ?? '?'} MiB`, gomodcache);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
