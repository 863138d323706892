// Which shell a learner gets and with what environment: their own $SHELL (bash if unset),
// KUBECONFIG pointing at the learner cluster when it exists, the platform's toolchain first on
// PATH. Interactive but not a login shell: Debian's /etc/profile resets PATH for root.
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import type { ShellCommand } from './pty.ts';

export type ShellSetup = {
  /** Kubeconfig of the learner's cluster; set as KUBECONFIG if the file exists or the platform is creating it. */
  kubeconfig: string;
  /** The platform is creating that cluster: shells opened now should use it once it is ready. */
  clusterExpected?: boolean;
  /** Directories prepended to PATH, in order (the `labs` CLI; kubectl, helm, kind, argocd). */
  binDirs: string[];
  cwd?: string;
  baseEnv?: NodeJS.ProcessEnv;
};

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function chooseShell(env: NodeJS.ProcessEnv = process.env): string {
  const preferred = env.SHELL;
  if (preferred && preferred.startsWith('/') && isExecutable(preferred)) return preferred;
  for (const candidate of ['/bin/bash', '/usr/bin/bash', '/bin/sh']) if (isExecutable(candidate)) return candidate;
  return 'sh';
}

export function shellCommand(setup: ShellSetup): ShellCommand {
  const base = setup.baseEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  env.LABS_TERMINAL = '1';
  env.PATH = [...setup.binDirs, base.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter);
  // The learner cluster when it exists (or is on its way); otherwise whatever kubeconfig the
  // learner already uses.
  if (setup.clusterExpected || existsSync(setup.kubeconfig)) env.KUBECONFIG = setup.kubeconfig;
  const file = chooseShell(base);
  return { file, args: [], env, cwd: setup.cwd ?? (existsSync(homedir()) ? homedir() : '/') };
}
