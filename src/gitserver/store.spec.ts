// The git store's credentials and limits (issue #20, item 3): only hashes of the server-made
// passwords on disk, a file from before migrated on open, and repositories capped per learner
// and in all.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classOwner, openGitStore, RepositoryLimitError, starters } from './store.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'labs-git-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const credentialsFile = () => join(root, 'credentials.json');

describe('git passwords', () => {
  it('are kept as salted hashes only, and open only their own learner', () => {
    const store = openGitStore(root);
    const ana = store.issuePassword('ana');
    const bo = store.issuePassword('bo');
    const file = readFileSync(credentialsFile(), 'utf8');
    expect(file).not.toContain(ana);
    expect(file).not.toContain(bo);
    expect(JSON.parse(file).ana.argocd).toMatch(/^sha256\$[\w-]{22}\$[\w-]{43}$/);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(store.authenticate('ana', ana)).toBe(true);
    expect(store.authenticate('ana', bo)).toBe(false);
    expect(store.authenticate('ana', `${ana}x`)).toBe(false);
    expect(store.authenticate('cy', ana)).toBe(false);
    expect(store.authenticate(classOwner, ana)).toBe(false);
  });

  it("are issued afresh when needed again: a new install replaces Argo CD's; handouts keep the newest sixteen and leave Argo CD's alone", () => {
    const store = openGitStore(root);
    const first = store.issuePassword('ana');
    const second = store.issuePassword('ana', 'argocd');
    expect(store.authenticate('ana', first)).toBe(false);
    expect(store.authenticate('ana', second)).toBe(true);
    const handouts = Array.from({ length: 17 }, () => store.issuePassword('ana', 'handout'));
    expect(handouts.map((p) => store.authenticate('ana', p))).toEqual([false, ...Array(16).fill(true)]);
    expect(store.authenticate('ana', second)).toBe(true);
  });

  it('in a plain-text file from before are replaced by their hashes when the store opens, and still work', () => {
    writeFileSync(credentialsFile(), JSON.stringify({ ana: 'plain-ana-password', bo: 'plain-bo-password' }), { mode: 0o600 });
    const store = openGitStore(root);
    const file = readFileSync(credentialsFile(), 'utf8');
    expect(file).not.toMatch(/plain-/);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(store.authenticate('ana', 'plain-ana-password')).toBe(true);
    expect(store.authenticate('bo', 'plain-ana-password')).toBe(false);
    expect(openGitStore(root).authenticate('bo', 'plain-bo-password')).toBe(true);
  });
});

describe('repository limits', () => {
  it('one repository per learner, even from a burst of new names at once; the class repository does not count', async () => {
    const store = openGitStore(root, { reposPerLearner: 1, repos: 10 });
    const burst = await Promise.allSettled(['a', 'b', 'c', 'd', 'e'].map((name) => store.ensureRepo('ana', name, starters.learner)));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(burst.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof RepositoryLimitError)).toBe(true);
    await store.ensureRepo(classOwner, 'argocd-example-apps', starters.examples);
    await expect(store.ensureRepo('bo', 'gitops', starters.learner)).resolves.toMatch(/bo\/gitops\.git$/);
  });

  it('and a limit for the whole server', async () => {
    const store = openGitStore(root, { reposPerLearner: 1, repos: 2 });
    await store.ensureRepo('ana', 'gitops', starters.learner);
    await store.ensureRepo('bo', 'gitops', starters.learner);
    await expect(store.ensureRepo('cy', 'gitops', starters.learner)).rejects.toThrow(/holds 2 repositories, its limit/);
    expect(existsSync(store.repoPath('cy', 'gitops'))).toBe(false);
    await expect(store.ensureRepo('ana', 'gitops', starters.learner)).resolves.toBe(store.repoPath('ana', 'gitops'));
  });
});
