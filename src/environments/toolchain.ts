// The Go-built toolchain (kind/toolchain/build.sh, owned by the toolchain): versions and the
// cached bin dir of each component, building what is missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryRun } from '../base/exec.ts';
import { toolchainBinDir } from '../base/paths.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const toolchainDir = join(repoRoot, 'kind', 'toolchain');
const buildScript = join(toolchainDir, 'build.sh');

/** kubectl from the offline toolchain when built, else the one on PATH. */
export function kubectlPath(): string {
  const built = join(toolchainBinDir(), 'kubectl');
  return existsSync(built) ? built : 'kubectl';
}

export class ToolchainBuildError extends Error {}

/** kind/toolchain/versions.env as a map (KEY=value lines). */
export function toolchainVersions(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(join(toolchainDir, 'versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return vars;
}

export async function componentBinDir(component: string): Promise<string> {
  const r = await tryRun('bash', [buildScript, '--print-dir', component]);
  if (r.code !== 0) throw new ToolchainBuildError(`toolchain component ${component}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The `.done` stamp of a built component (its version and recipe hash), or undefined. */
export async function componentStamp(component: string): Promise<string | undefined> {
  const stamp = join(dirname(await componentBinDir(component)), '.done');
  return existsSync(stamp) ? readFileSync(stamp, 'utf8').split('\n').filter((l) => !/^(built|seconds)=/.test(l)).join('\n') : undefined;
}

/**
 * Builds the components that are not cached yet (a no-op when all are). A failure names the
 * module and its log, as build.sh reports it.
 */
export async function ensureComponents(components: string[], onLine: (line: string) => void = () => {}): Promise<Record<string, string>> {
  const missing: string[] = [];
  for (const c of components) if (!(await componentStamp(c))) missing.push(c);
  if (missing.length > 0) {
    // The plan first (src/environments/estimate.ts reads it to say how long is left).
    onLine(`toolchain: building ${missing.length} of ${components.length} components: ${missing.join(' ')}`);
    const r = await tryRun('bash', [buildScript, ...missing], { onLine });
    if (r.code !== 0) {
      const failure = r.stderr.split('\n').filter((l) => l.startsWith('build.sh: failed')).join('; ');
      throw new ToolchainBuildError(failure || `toolchain build failed: ${r.stderr.trim().split('\n').at(-1)}`);
    }
  }
  const dirs: Record<string, string> = {};
  for (const c of components) dirs[c] = await componentBinDir(c);
  return dirs;
}
