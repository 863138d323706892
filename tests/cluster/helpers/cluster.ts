// The cluster the cluster suite runs against: an existing kind cluster's kubeconfig from
// LABS_KUBECONFIG, else the learner cluster's. `ensureTestCluster()` (run once per test run by
// ./global-setup.ts) creates that cluster when it is missing, offline, so every suite file
// shares one cluster. No cluster → the suite fails with one line; it never skips silently.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { promisify } from 'node:util';
import { clusterKubeconfig, defaultClusterName, toolchainBinDir } from '../../../src/base/paths.ts';
import { kindProvider } from '../../../src/environments/kind-provider.ts';
import type { ProgressEvent } from '../../../src/environments/progress.ts';

const run = promisify(execFile);

export function testKubeconfig(): string {
  const path = process.env.LABS_KUBECONFIG ?? clusterKubeconfig();
  if (!existsSync(path)) {
    throw new Error(`no cluster for the cluster suite: ${path} does not exist (create one with \`labs cluster create\` or set LABS_KUBECONFIG)`);
  }
  return path;
}

/** Environment for kubectl/helm as a learner's shell has it. */
export function toolEnv(kubeconfig: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: kubeconfig,
    PATH: [toolchainBinDir(), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
    NO_COLOR: '1',
  };
}

/** Run a bash snippet (set -euo pipefail) the way a learner would type it; returns stdout. */
export async function sh(script: string, kubeconfig: string, cwd?: string): Promise<string> {
  try {
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], {
      env: toolEnv(kubeconfig),
      cwd,
      timeout: 300_000,
      maxBuffer: 16 << 20,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`shell step failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/**
 * Ensures the kind cluster `name` (default: the learner cluster) exists and is ready; creates it
 * offline when missing and returns its kubeconfig. LABS_KUBECONFIG wins when set.
 */
export async function ensureTestCluster(name: string = defaultClusterName(), log: (e: ProgressEvent) => void = () => {}): Promise<string> {
  if (process.env.LABS_KUBECONFIG) return testKubeconfig();
  const offline = process.env.LABS_OFFLINE === '0' ? false : true;
  return (await kindProvider.ensure({ name, offline, onProgress: log })).kubeconfig;
}
