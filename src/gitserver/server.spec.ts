// The git server against the real git client and the real `git http-backend` (loopback only).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type RunningGitServer } from './server.ts';
import { defaultGitStoreLimits, openGitStore, starters, type GitStore } from './store.ts';

const exec = promisify(execFile);
const gitEnv = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Ana',
  GIT_AUTHOR_EMAIL: 'ana@example.test',
  GIT_COMMITTER_NAME: 'Ana',
  GIT_COMMITTER_EMAIL: 'ana@example.test',
};
const git = (args: string[], cwd?: string) => exec('git', args, { cwd, env: gitEnv });
const gitFails = async (args: string[], cwd?: string): Promise<string> => {
  try {
    await git(args, cwd);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`git ${args.join(' ')} succeeded but should have failed`);
};

describe('git server (smart HTTP through git http-backend)', () => {
  let root: string;
  let work: string;
  let store: GitStore;
  let server: RunningGitServer;
  let base: string;
  const withAuth = (user: string, password: string, path: string) =>
    base.replace('http://', `http://${user}:${encodeURIComponent(password)}@`) + path;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'labs-git-root-'));
    work = mkdtempSync(join(tmpdir(), 'labs-git-work-'));
    store = openGitStore(root);
    server = await startGitServer({ store, hosts: ['127.0.0.1'], port: 0 });
    base = server.baseUrl;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('creates a learner repo with the starter chart on first clone, and accepts a push', async () => {
    const ana = store.issuePassword('ana');
    await git(['clone', '--quiet', withAuth('ana', ana, '/ana/gitops.git'), join(work, 'ana')]);
    const values = readFileSync(join(work, 'ana', 'argo-test-chart', 'values.yaml'), 'utf8');
    expect(values).toMatch(/^replicaCount: 1$/m);
    expect(values).toMatch(/tag: "1\.23\.1"/);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], join(work, 'ana'))).stdout.trim()).toBe('main');

    writeFileSync(join(work, 'ana', 'argo-test-chart', 'values.yaml'), values.replace(/^replicaCount: 1$/m, 'replicaCount: 2'));
    await git(['commit', '--quiet', '-am', 'Two replicas'], join(work, 'ana'));
    await git(['push', '--quiet', 'origin', 'main'], join(work, 'ana'));

    await git(['clone', '--quiet', withAuth('ana', ana, '/ana/gitops.git'), join(work, 'ana2')]);
    expect(readFileSync(join(work, 'ana2', 'argo-test-chart', 'values.yaml'), 'utf8')).toMatch(/^replicaCount: 2$/m);
    const { stdout } = await git(['log', '--format=%s'], join(work, 'ana2'));
    expect(stdout.trim().split('\n')).toEqual(['Two replicas', 'Starter content for ana']);
  });

  it("resetRepo (labs reset) seeds a learner's repository afresh; one never created stays absent", async () => {
    const cy = store.issuePassword('cy');
    await git(['clone', '--quiet', withAuth('cy', cy, '/cy/gitops.git'), join(work, 'cy')]);
    writeFileSync(join(work, 'cy', 'notes.txt'), 'mine\n');
    await git(['add', 'notes.txt'], join(work, 'cy'));
    await git(['commit', '--quiet', '-m', 'Notes'], join(work, 'cy'));
    await git(['push', '--quiet', 'origin', 'main'], join(work, 'cy'));

    expect(await store.resetRepo('cy', 'gitops', starters.learner)).toBe(true);
    await git(['clone', '--quiet', withAuth('cy', cy, '/cy/gitops.git'), join(work, 'cy2')]);
    expect((await git(['log', '--format=%s'], join(work, 'cy2'))).stdout.trim().split('\n')).toEqual(['Starter content for cy']);
    expect(readdirSync(dirname(store.repoPath('cy', 'gitops')))).toEqual(['gitops.git']); // nothing left beside it
    expect(await store.resetRepo('cy', 'other', starters.learner)).toBe(false);
    expect(existsSync(store.repoPath('cy', 'other'))).toBe(false);
  });

  it('refuses anonymous access and a wrong password', async () => {
    store.issuePassword('ana');
    expect(await gitFails(['ls-remote', `${base}/ana/gitops.git`])).toMatch(/Authentication failed|could not read Username|terminal prompts disabled/);
    expect(await gitFails(['ls-remote', withAuth('ana', 'wrong', '/ana/gitops.git')])).toMatch(/Authentication failed/);
  });

  it("hides one learner's repo from another", async () => {
    store.issuePassword('ana');
    const bo = store.issuePassword('bo');
    expect(await gitFails(['ls-remote', withAuth('bo', bo, '/ana/gitops.git')])).toMatch(/not found/);
  });

  it('serves the class examples read-only', async () => {
    const bo = store.issuePassword('bo');
    const dir = join(work, 'examples');
    await git(['clone', '--quiet', withAuth('bo', bo, '/class/argocd-example-apps.git'), dir]);
    expect(readFileSync(join(dir, 'guestbook', 'guestbook-ui-svc.yaml'), 'utf8')).toMatch(/name: guestbook-ui/);
    writeFileSync(join(dir, 'note.txt'), 'mine\n');
    await git(['add', 'note.txt'], dir);
    await git(['commit', '--quiet', '-m', 'try'], dir);
    expect(await gitFails(['push', 'origin', 'main'], dir)).toMatch(/403|read-only/);
  });

  it('refuses a query git would read otherwise than the read-only check: two services, unknown parameters (400)', async () => {
    const bo = store.issuePassword('bo');
    const refs = (query: string) =>
      fetch(`${base}/class/argocd-example-apps.git/info/refs?${query}`, { headers: { Authorization: `Basic ${Buffer.from(`bo:${bo}`).toString('base64')}` } });
    for (const query of ['service=git-upload-pack&service=git-receive-pack', 'service=git-upload-pack&x=1', 'service=git-upload-pack%00']) {
      const answer = await refs(query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type'), query).toMatch(/^text\/plain/);
    }
    // What the check decoded is what git gets: an encoded name is still the push service.
    expect((await refs('%73ervice=git-receive-pack')).status).toBe(403);
    expect((await refs('service=git-upload-pack')).headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
  });

  it('a learner gets repositories up to their limit; one more is refused (403)', async () => {
    const ana = store.issuePassword('ana');
    const { reposPerLearner } = defaultGitStoreLimits();
    await store.ensureRepo('ana', 'gitops', starters.learner);
    for (let i = 2; i <= reposPerLearner; i++) await git(['clone', '--quiet', withAuth('ana', ana, `/ana/extra-${i}.git`), join(work, `extra-${i}`)]);
    expect(await gitFails(['clone', '--quiet', withAuth('ana', ana, '/ana/one-more.git'), join(work, 'one-more')])).toMatch(/403|the most one learner may have/);
    expect(existsSync(store.repoPath('ana', 'one-more'))).toBe(false);
  });

  it('refuses to listen on every interface', async () => {
    await expect(startGitServer({ store, hosts: ['0.0.0.0'], port: 0 })).rejects.toThrow(/refusing/);
  });
});
