// Keeps one git server process running per machine (see daemon.ts): start it when it is not
// answering, reuse it when it is. The state file says where it listens.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../base/exec.ts';
import { kindNetworkGateway } from './address.ts';
import { defaultGitRoot, openGitStore, starters, type PasswordUse } from './store.ts';
import { defaultLearnerRepo, exampleAppsRepo } from './server.ts';

export type GitServerState = {
  pid: number;
  /** What learners and Argo CD use: http://<kind gateway>:<port> */
  baseUrl: string;
  urls: string[];
  port: number;
  root: string;
  gateway: string;
  /** The daemon.ts it runs: a server whose checkout has since been deleted cannot create repositories. */
  script: string;
  /** gitServerCode() when it started: a server running older code (another credentials format) is restarted. */
  code?: string;
};

/** A hash of this folder's code: what a running git server is compared with. */
export function gitServerCode(): string {
  const dir = dirname(fileURLToPath(import.meta.url));
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.spec.ts')).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

export const defaultGitPort = (): number => Number(process.env.LABS_GIT_PORT ?? 8418);

const daemonScript = join(dirname(fileURLToPath(import.meta.url)), 'daemon.ts');

export function readGitServerState(root: string = defaultGitRoot()): GitServerState | undefined {
  const file = join(root, 'server.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GitServerState;
  } catch {
    return undefined;
  }
}

async function healthy(state: GitServerState): Promise<boolean> {
  try {
    const r = await fetch(`${state.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return r.ok;
  } catch {
    return false;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Returns the running git server, starting it in the background when needed. */
export async function ensureGitServer(options: { root?: string; port?: number; log?: (m: string) => void } = {}): Promise<GitServerState> {
  const root = options.root ?? defaultGitRoot();
  const gateway = await kindNetworkGateway();
  const current = readGitServerState(root);
  const stale = !current ? undefined
    : current.gateway !== gateway ? `kind network gateway is now ${gateway}` // the kind network was recreated
    : !current.script || !existsSync(current.script) ? `its code (${current.script ?? 'unknown'}) is gone` // a deleted checkout
    : current.code !== gitServerCode() ? 'its code changed since it started' // an upgraded checkout
    : undefined;
  if (current && !stale && alive(current.pid) && (await healthy(current))) return current;
  if (current && alive(current.pid)) {
    options.log?.(`restarting git server (pid ${current.pid}): ${stale ?? 'it does not answer'}`);
    process.kill(current.pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(current.pid); i++) await sleep(100);
  }
  mkdirSync(root, { recursive: true });
  const logFile = join(root, 'server.log');
  const out = openSync(logFile, 'a');
  const port = options.port ?? defaultGitPort();
  options.log?.(`starting git server on ${gateway}:${port} (log: ${logFile})`);
  const child = spawn(process.execPath, [daemonScript, '--port', String(port), '--root', root], {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  child.unref();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const state = readGitServerState(root);
    if (state && state.pid === child.pid && (await healthy(state))) return state;
    if (child.exitCode !== null) break;
    await sleep(200);
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').at(-1) ?? '' : '';
  throw new Error(`git server did not start on ${gateway}:${port}: ${tail || 'no output'} (log: ${logFile})`);
}

export function stopGitServer(root: string = defaultGitRoot()): boolean {
  const state = readGitServerState(root);
  if (!state || !alive(state.pid)) return false;
  process.kill(state.pid, 'SIGTERM');
  return true;
}

export type LearnerRepo = {
  learner: string;
  password: string;
  /** Clone/push URL without credentials, e.g. http://172.18.0.1:8418/labs/gitops.git */
  url: string;
  /** The shared read-only example apps repo. */
  examplesUrl: string;
  /** URL prefix for Argo CD's credential template (matches every repo on this server). */
  credentialPrefix: string;
};

/**
 * The learner's repository (created from the starter chart on first use) and a password for it,
 * issued now (the store keeps none it could give again): by default the one Argo CD and the
 * learner's credential store get at install, replacing the last; `handout` for one shown on request.
 */
export async function learnerRepo(server: GitServerState, learner: string, options: { repo?: string; use?: PasswordUse } = {}): Promise<LearnerRepo> {
  const repo = options.repo ?? defaultLearnerRepo;
  const store = openGitStore(server.root);
  await store.ensureRepo(learner, repo, starters.learner);
  const password = store.issuePassword(learner, options.use);
  return {
    learner,
    password,
    url: `${server.baseUrl}/${learner}/${repo}.git`,
    examplesUrl: `${server.baseUrl}/class/${exampleAppsRepo}.git`,
    credentialPrefix: `${server.baseUrl}/`,
  };
}

/**
 * Environment for a learner's shell: `git clone "$LABS_GIT_URL"` then works without a prompt
 * and without credentials in URLs (git reads the helper from GIT_CONFIG_* variables, git ≥ 2.31).
 */
export function gitShellEnv(server: GitServerState, repo: LearnerRepo): Record<string, string> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    LABS_GIT_URL: repo.url,
    LABS_GIT_EXAMPLES_URL: repo.examplesUrl,
    LABS_GIT_USER: repo.learner,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `credential.${server.baseUrl}/.helper`,
    GIT_CONFIG_VALUE_0: `!f() { test "$1" = get && printf 'username=%s\\npassword=%s\\n' ${quote(repo.learner)} ${quote(repo.password)}; }; f`,
  };
}
