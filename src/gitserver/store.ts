// Where the in-class git server keeps its repositories and learner credentials, and how a
// learner's repository comes to exist: created on first use, seeded from a starter tree
// (a Helm chart, see ./starter/) with one commit on `main`; `labs reset` seeds it afresh.
//
//   <root>/credentials.json           { "<learner>": { "argocd": "<hash>", "handouts": ["<hash>", …] } }  (mode 0600)
//   <root>/repos/<owner>/<repo>.git   bare repositories; owner is a learner or `class`
//
// Only what verifies a password is kept, never the password: whoever needs one again (a new
// install of Argo CD, `labs addon argocd --clone-url`) is issued a fresh one.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDir } from '../base/paths.ts';
import { run } from '../base/exec.ts';

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

/**
 * Which of a learner's passwords: `argocd`, the one Argo CD's repo credentials and the learner's
 * git credential store get when Argo CD is installed (each install replaces it); `handout`, one
 * shown on request (`labs addon argocd --clone-url` or `--status`, which ask the same endpoint).
 * Showing one never breaks Argo CD, and a clone made with one (lesson 07 keeps it in the
 * remote's URL) keeps working through the next HANDOUTS_KEPT - 1 shown.
 */
export type PasswordUse = 'argocd' | 'handout';
const HANDOUTS_KEPT = 16;

export type GitStoreLimits = {
  /**
   * Repositories one learner may have: their `gitops` (lab 8), the one lesson 07 has them clone
   * into being (`lesson-argocd`), and one of their own.
   */
  reposPerLearner: number;
  /** Repositories of all learners together (old classes' included: they stay on disk). */
  repos: number;
};

export const defaultGitStoreLimits = (): GitStoreLimits => ({
  reposPerLearner: Number(process.env.LABS_GIT_REPOS_PER_LEARNER ?? 3),
  repos: Number(process.env.LABS_GIT_MAX_REPOS ?? 1000),
});

/** A repository the limits do not allow (the server answers 403). */
export class RepositoryLimitError extends Error {}

export type GitStore = {
  root: string;
  reposDir: string;
  /** A fresh random password for the learner, replacing their previous one for this use. */
  issuePassword: (learner: string, use?: PasswordUse) => string;
  /** True when user/password are a learner's credentials. */
  authenticate: (user: string, password: string) => boolean;
  /** Path of a bare repository, creating it from `starter` when missing (within the limits). */
  ensureRepo: (owner: string, repo: string, starter: string) => Promise<string>;
  /** Replaces a learner's repository with a fresh one from `starter` (`labs reset`); false when there was none. */
  resetRepo: (owner: string, repo: string, starter: string) => Promise<boolean>;
  repoPath: (owner: string, repo: string) => string;
};

type LearnerCredentials = { argocd?: string; handouts?: string[] };

/**
 * The passwords are 96 random bits the server made, not words a person chose: nothing shorter
 * than trying 2^96 of them finds one from its hash, so a salted SHA-256 is as good as a slow
 * hash here and keeps every git request (each one authenticates) cheap.
 */
function passwordHash(password: string, salt = randomBytes(16)): string {
  const digest = createHash('sha256').update(salt).update(password).digest();
  return `sha256$${salt.toString('base64url')}$${digest.toString('base64url')}`;
}

function matches(password: string, stored: string): boolean {
  const [scheme, salt, digest] = stored.split('$');
  if (scheme !== 'sha256' || !salt || !digest) return false;
  const expected = Buffer.from(digest, 'base64url');
  const actual = Buffer.from(passwordHash(password, Buffer.from(salt, 'base64url')).split('$')[2]!, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function openGitStore(root: string = defaultGitRoot(), limits: GitStoreLimits = defaultGitStoreLimits()): GitStore {
  const reposDir = join(root, 'repos');
  const credentialsFile = join(root, 'credentials.json');
  mkdirSync(reposDir, { recursive: true });

  const writeCredentials = (all: Record<string, LearnerCredentials>): void => {
    const tmp = `${credentialsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, credentialsFile);
  };

  const readCredentials = (): Record<string, LearnerCredentials> => {
    if (!existsSync(credentialsFile)) return {};
    let all: Record<string, LearnerCredentials | string>;
    try {
      all = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, LearnerCredentials | string>;
    } catch (e) {
      throw new Error(`${credentialsFile}: not valid JSON (${(e as Error).message})`);
    }
    // A file from before hashing holds each learner's password itself: keep only its hash. It
    // was Argo CD's and the learner's, so it stays valid as theirs.
    if (!Object.values(all).some((entry) => typeof entry === 'string')) return all as Record<string, LearnerCredentials>;
    const migrated = Object.fromEntries(Object.entries(all).map(([learner, entry]) => [learner, typeof entry === 'string' ? { argocd: passwordHash(entry) } : entry]));
    writeCredentials(migrated);
    return migrated;
  };
  readCredentials(); // migrates on open

  const issuePassword = (learner: string, use: PasswordUse = 'argocd'): string => {
    assertName('learner', learner);
    const password = randomBytes(12).toString('base64url');
    const all = readCredentials();
    const mine = all[learner] ?? {};
    if (use === 'argocd') mine.argocd = passwordHash(password);
    else mine.handouts = [passwordHash(password), ...(mine.handouts ?? [])].slice(0, HANDOUTS_KEPT);
    all[learner] = mine;
    writeCredentials(all);
    return password;
  };

  const authenticate = (user: string, password: string): boolean => {
    if (!namePattern.test(user) || user === classOwner) return false;
    const mine = readCredentials()[user];
    return [mine?.argocd, ...(mine?.handouts ?? [])].some((stored) => stored !== undefined && matches(password, stored));
  };

  const repoPath = (owner: string, repo: string): string => {
    if (owner !== classOwner) assertName('learner', owner);
    assertName('repository', repo);
    return join(reposDir, owner, `${repo}.git`);
  };

  /** Repositories on disk per learner (not the class's; not half-made ones beside them). */
  const learnerRepos = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const owner of readdirSync(reposDir)) {
      if (owner === classOwner) continue;
      const dir = join(reposDir, owner);
      counts.set(owner, readdirSync(dir).filter((name) => /^[a-z0-9-]+\.git$/.test(name)).length);
    }
    return counts;
  };

  const checkLimits = (owner: string, repo: string): void => {
    if (owner === classOwner) return;
    const counts = learnerRepos();
    if ((counts.get(owner) ?? 0) >= limits.reposPerLearner) {
      throw new RepositoryLimitError(`${owner}/${repo}.git: you have ${limits.reposPerLearner} repositories already, the most one learner may have (LABS_GIT_REPOS_PER_LEARNER)`);
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    if (total >= limits.repos) throw new RepositoryLimitError(`${owner}/${repo}.git: this git server holds ${limits.repos} repositories, its limit (LABS_GIT_MAX_REPOS)`);
  };

  // Creations one at a time, so a burst of clones of new names cannot all pass the count at once.
  let creating: Promise<unknown> = Promise.resolve();
  const ensureRepo = (owner: string, repo: string, starter: string): Promise<string> => {
    const path = repoPath(owner, repo);
    if (existsSync(join(path, 'HEAD'))) return Promise.resolve(path);
    const create = async () => {
      if (existsSync(join(path, 'HEAD'))) return path;
      checkLimits(owner, repo);
      await createFromStarter(path, starter, owner);
      return path;
    };
    const done = creating.then(create, create);
    creating = done.catch(() => {});
    return done;
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

  return { root, reposDir, issuePassword, authenticate, ensureRepo, resetRepo, repoPath };
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
