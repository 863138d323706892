// Where the in-class git server keeps its repositories and learner credentials, and how a
// learner's repository comes to exist: created on first use, seeded from a starter tree
// (a Helm chart, see ./starter/) with one commit on `main`; `labs reset` seeds it afresh.
//
//   <root>/credentials.json           { "<learner>": "<password>" }  (mode 0600)
//   <root>/repos/<owner>/<repo>.git   bare repositories; owner is a learner or `class`
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDir } from '../environments/paths.ts';
import { run } from '../environments/exec.ts';

/** Shared read-only repositories every learner may clone (like a public examples repo). */
export const classOwner = 'class';

const namePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function assertName(kind: 'learner' | 'repository', name: string): void {
  if (!namePattern.test(name) || (kind === 'learner' && name === classOwner)) {
    throw new Error(`invalid ${kind} name "${name}": use lowercase letters, digits and dashes (max 63)${kind === 'learner' ? `, not "${classOwner}"` : ''}`);
  }
}

export const defaultGitRoot = (): string => join(dataDir(), 'git');

export const starterDir = join(dirname(fileURLToPath(import.meta.url)), 'starter');

/** Starter trees: the learner's own repo and the class's example-apps repo. */
export const starters = {
  /** A learner's `gitops` repo: the seed's `argo-test-chart` Helm chart. */
  learner: join(starterDir, 'gitops'),
  /** `class/argocd-example-apps`: plain-manifest apps, like Argo CD's own example repo. */
  examples: join(starterDir, 'argocd-example-apps'),
} as const;

export type GitStore = {
  root: string;
  reposDir: string;
  /** The learner's password, created (random) on first use. */
  credentialsFor: (learner: string) => string;
  /** True when user/password are a learner's credentials. */
  authenticate: (user: string, password: string) => boolean;
  /** Path of a bare repository, creating it from `starter` when missing. */
  ensureRepo: (owner: string, repo: string, starter: string) => Promise<string>;
  /** Replaces a learner's repository with a fresh one from `starter` (`labs reset`); false when there was none. */
  resetRepo: (owner: string, repo: string, starter: string) => Promise<boolean>;
  repoPath: (owner: string, repo: string) => string;
};

export function openGitStore(root: string = defaultGitRoot()): GitStore {
  const reposDir = join(root, 'repos');
  const credentialsFile = join(root, 'credentials.json');
  mkdirSync(reposDir, { recursive: true });

  const readCredentials = (): Record<string, string> => {
    if (!existsSync(credentialsFile)) return {};
    try {
      return JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, string>;
    } catch (e) {
      throw new Error(`${credentialsFile}: not valid JSON (${(e as Error).message})`);
    }
  };

  const credentialsFor = (learner: string): string => {
    assertName('learner', learner);
    const all = readCredentials();
    if (all[learner]) return all[learner];
    all[learner] = randomBytes(12).toString('base64url');
    const tmp = `${credentialsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, credentialsFile);
    return all[learner];
  };

  const authenticate = (user: string, password: string): boolean => {
    const expected = readCredentials()[user];
    if (!expected || !namePattern.test(user)) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const repoPath = (owner: string, repo: string): string => {
    if (owner !== classOwner) assertName('learner', owner);
    assertName('repository', repo);
    return join(reposDir, owner, `${repo}.git`);
  };

  const ensureRepo = async (owner: string, repo: string, starter: string): Promise<string> => {
    const path = repoPath(owner, repo);
    if (existsSync(join(path, 'HEAD'))) return path;
    await createFromStarter(path, starter, owner);
    return path;
  };

  const resetRepo = async (owner: string, repo: string, starter: string): Promise<boolean> => {
    const path = repoPath(owner, repo);
    if (!existsSync(join(path, 'HEAD'))) return false;
    // The fresh repository is complete before it takes the old one's place, so a clone in between
    // sees one or the other, never a half-made one.
    const old = `${path}.${process.pid}.old`;
    const fresh = await buildFromStarter(path, starter, owner);
    try {
      renameSync(path, old);
      try {
        renameSync(fresh, path);
      } catch (error) {
        renameSync(old, path); // the learner's work stays rather than nothing
        throw error;
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    }
    return true;
  };

  return { root, reposDir, credentialsFor, authenticate, ensureRepo, resetRepo, repoPath };
}

/** Builds the repository beside its final path and renames it in, so a half-made repo never shows. */
async function createFromStarter(path: string, starter: string, owner: string): Promise<void> {
  const bare = await buildFromStarter(path, starter, owner);
  try {
    renameSync(bare, path);
  } finally {
    rmSync(bare, { recursive: true, force: true });
  }
}

/** A bare repository of `starter` with one commit on `main`, built beside `path`; returns where. */
async function buildFromStarter(path: string, starter: string, owner: string): Promise<string> {
  if (!existsSync(starter)) throw new Error(`starter tree ${starter} is missing`);
  mkdirSync(dirname(path), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'labs-git-starter-'));
  const bare = `${path}.${process.pid}.partial`;
  try {
    const tree = join(work, 'tree');
    cpSync(starter, tree, { recursive: true });
    const git = (args: string[], cwd = tree) =>
      run('git', args, `git ${args[0]} for ${path}`, {
        cwd,
        env: {
          ...process.env,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_AUTHOR_NAME: 'Kubernetes Labs',
          GIT_AUTHOR_EMAIL: 'labs@localhost',
          GIT_COMMITTER_NAME: 'Kubernetes Labs',
          GIT_COMMITTER_EMAIL: 'labs@localhost',
        },
      });
    await git(['init', '--quiet', '--initial-branch=main']);
    await git(['add', '--all']);
    await git(['commit', '--quiet', '-m', `Starter content for ${owner}`]);
    rmSync(bare, { recursive: true, force: true });
    await git(['clone', '--quiet', '--bare', tree, bare], work);
    // The clone remembers the temp dir as its origin; a served repo has none.
    await git(['--git-dir', bare, 'remote', 'remove', 'origin'], work);
    await git(['--git-dir', bare, 'config', 'http.receivepack', 'true'], work);
    return bare;
  } catch (error) {
    rmSync(bare, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
