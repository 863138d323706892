// `labs` from its sources: `node src/cli/main.ts`, and what ./launch.cts (bin/labs) falls back to
// when the CLI bundle cannot be used.
import module from 'node:module';
import { join } from 'node:path';
import { cacheDir } from '../base/paths.ts';

// Compiled code (and the type-stripped TypeScript) of every module is cached under the platform's
// cache dir, so later runs skip both. bin/labs turns it on before the first module loads
// (NODE_COMPILE_CACHE); this covers `node src/cli/main.ts`. Ours is not passed on to the processes
// commands start (solve.sh, the server of `labs up`, their shells); a user's own setting is.
const compileCache = join(cacheDir(), 'node-compile-cache');
try {
  module.enableCompileCache?.(compileCache);
} catch {
  // Only a speed-up.
}
if (process.env.NODE_COMPILE_CACHE === compileCache) delete process.env.NODE_COMPILE_CACHE;

const { runCli } = await import('./cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
