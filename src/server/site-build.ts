// Builds the Astro site when dist/ is missing or older than its sources, so `npm start` works
// from a fresh clone. Staleness is a hash of the inputs (not mtimes, which a clone resets).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { filesUnder } from './files-under.ts';

export type BuildPaths = { root: string; distDir: string };

/** What goes into the built site. src/server and src/cli run unbuilt and are not inputs. */
const INPUT_DIRS = ['src', 'content', 'public'];
const INPUT_FILES = ['astro.config.mjs', 'package-lock.json', 'tsconfig.json'];
/** Parts of src/ that run unbuilt (and tests) are not inputs. */
const UNBUILT_SRC = ['server', 'cli', 'store'].map((dir) => join('src', dir) + sep);
const STAMP = '.build-inputs';

export function inputsHash(root: string): string {
  const files = INPUT_DIRS.flatMap((dir) => filesUnder(join(root, dir))).filter((file) => {
    const path = relative(root, file);
    return !path.endsWith('.spec.ts') && !UNBUILT_SRC.some((dir) => path.startsWith(dir));
  });
  for (const file of INPUT_FILES) if (existsSync(join(root, file))) files.push(join(root, file));
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, file)).update('\0');
    hash.update(statSync(file).size.toString()).update('\0');
    hash.update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function isSiteBuilt({ root, distDir }: BuildPaths): boolean {
  const stamp = join(distDir, STAMP);
  if (!existsSync(join(distDir, 'server', 'entry.mjs')) || !existsSync(stamp)) return false;
  return readFileSync(stamp, 'utf8').trim() === inputsHash(root);
}

export type BuildProgress = (line: string, done?: boolean) => void;

/** Runs `astro build`; rejects with the build's own error lines (file and field for bad front matter). */
export async function buildSite({ root, distDir }: BuildPaths, progress: BuildProgress = () => {}): Promise<void> {
  const hash = inputsHash(root);
  const astro = join(root, 'node_modules', 'astro', 'bin', 'astro.mjs');
  const started = Date.now();
  const output: string[] = [];
  progress('building the lesson site (first start, or sources changed)…');
  const ticker = setInterval(() => progress(`building the lesson site… ${Math.round((Date.now() - started) / 1000)} s`), 1000);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [astro, 'build'], {
        cwd: root,
        env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', reject);
      child.on('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0) {
      const interesting = output.filter((line) => /error|invalid|content\/|expected|required|field/i.test(line));
      throw new Error(`astro build failed:\n${(interesting.length ? interesting : output).slice(-25).join('\n')}`);
    }
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(join(distDir, STAMP), hash);
  progress(`built the lesson site in ${((Date.now() - started) / 1000).toFixed(1)} s`, true);
}

export async function ensureSiteBuilt(paths: BuildPaths, progress?: BuildProgress): Promise<void> {
  if (process.env.LABS_SKIP_BUILD === '1' && existsSync(join(paths.distDir, 'server', 'entry.mjs'))) return;
  if (!isSiteBuilt(paths)) await buildSite(paths, progress);
}
