// What bin/labs starts: the CLI's bundle (./bundle.ts) when it is current, building it first when
// it is not; the sources (./main.ts) when it cannot be built, or with LABS_CLI_SOURCES=1 or
// LABS_CATALOG_DIR (labs outside this checkout are not in the bundle, and their check.ts must
// share the grader they import). CommonJS, like the bundle: a run that finds its bundle current
// loads no ES module at all (the ES module loader alone is a tenth of `labs --help`).
import type { Manifest } from './bundle.ts';

const { existsSync, readFileSync, statSync } = require('node:fs') as typeof import('node:fs');
const { join } = require('node:path') as typeof import('node:path');
const { homedir } = require('node:os') as typeof import('node:os');
const { enableCompileCache } = require('node:module') as typeof import('node:module');

type RunCli = (argv: string[]) => Promise<number>;

// The same folder as src/environments/paths.ts cacheDir() (an ES module, which this does not load).
const cacheDir = process.env.LABS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubernetes-labs');
const compileCache = join(cacheDir, 'node-compile-cache');
// Compiled code of every module (and the type-stripped TypeScript) is kept there; bin/labs turns it
// on before the first module loads (NODE_COMPILE_CACHE). Ours is not passed on to the processes
// commands start (solve.sh, the server of `labs up`, their shells); a user's own setting is.
try {
  enableCompileCache?.(compileCache);
} catch {
  // Only a speed-up.
}
if (process.env.NODE_COMPILE_CACHE === compileCache) delete process.env.NODE_COMPILE_CACHE;

/** FNV-1a of a text, in hex. */
const shortHash = (text: string) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
};
/**
 * Inside the checkout, so the bundle finds its packages in node_modules; a folder per checkout, as
 * checkouts may share one node_modules (a symlink). LABS_CLI_BUNDLE_DIR: tests' own.
 */
const checkout = join(__dirname, '..', '..');
const bundleDir = process.env.LABS_CLI_BUNDLE_DIR ?? join(checkout, 'node_modules', '.cache', 'kubernetes-labs-cli', shortHash(checkout));

/** The current bundle, or undefined when there is none or any of its inputs changed since it was built (stat only). */
function currentBundle(): string | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.node !== process.version || !Array.isArray(manifest.inputs)) return undefined;
  for (const [path, known] of manifest.inputs) {
    let now = 'missing';
    try {
      const stats = statSync(path);
      now = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    } catch {
      // gone: stale
    }
    if (now !== known) return undefined;
  }
  const bundle = join(bundleDir, manifest.bundle);
  return existsSync(bundle) ? bundle : undefined;
}

async function bundled(): Promise<RunCli | undefined> {
  if (process.env.LABS_CLI_SOURCES === '1' || process.env.LABS_CATALOG_DIR) return undefined;
  try {
    const bundle = currentBundle() ?? (await (await import('./bundle.ts')).buildBundle(bundleDir));
    return (require(bundle) as { runCli: RunCli }).runCli;
  } catch (error) {
    // Only a speed-up: the sources do the same.
    if (process.env.LABS_DEBUG) process.stderr.write(`labs: running from sources, the bundle failed: ${error instanceof Error ? error.stack : error}\n`);
    return undefined;
  }
}

void bundled().then(async (runCli) => {
  if (!runCli) {
    await import('./main.ts');
    return;
  }
  process.exitCode = await runCli(process.argv.slice(2));
});
