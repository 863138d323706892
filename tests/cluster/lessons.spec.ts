// Every runnable block of every English lesson, run in order against a real kind cluster, the
// way a learner clicking "Run" would, with the learner's own (non-admin) kubeconfig. A lesson can therefore never teach a command that fails.
// Korean lessons carry the identical blocks (tests/unit/content-parity.spec.ts checks that).
//
// Cluster: the suite's shared cluster (tests/cluster/helpers: LABS_KUBECONFIG, else the learner
// cluster, created by the global setup when missing). Tools on PATH as in the learner's terminal:
// the toolchain bin directory (kubectl, helm, kustomize, argocd) and the `labs` CLI (bin/).
// Each lesson starts from a clean slate: its lesson-* namespaces, Argo CD Applications and
// in-class git repositories (lesson-*.git) from an earlier run are removed first.
// At the end it prints the share of runnable blocks that ran and passed, and writes it to
// test-results/lessons.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir, clusterLearnerKubeconfig, dataDir, defaultClusterName, toolchainBinDir } from '../../src/base/paths.ts';
import { openGitStore } from '../../src/gitserver/store.ts';
import { illustrativeBlocks, lessonEntries, loadLesson, repoRoot, runnableBlocks } from '../course/lessons.ts';
import { freshHome, lessonApplications, lessonGitRepos, lessonNamespaces, ShellSession, type BlockResult } from '../course/run-blocks.ts';
import { testKubeconfig } from './helpers/cluster.ts';

const kubeconfig = testKubeconfig();
// What a classroom learner holds (kind/guardrails/): every lesson but 07 runs with it, so a lesson
// that needs more than a learner may do fails here. 07 starts with `labs addon argocd`, which in
// a classroom the server runs with the admin's rights (classroom-class.spec.ts runs 07 in a
// sandbox); solo, the learner is the admin, as here.
const learnerKubeconfig = process.env.LABS_KUBECONFIG ? kubeconfig : clusterLearnerKubeconfig(defaultClusterName());
const asAdmin = new Set(['07-argocd']);
const home = freshHome();
const env: NodeJS.ProcessEnv = {
  PATH: [toolchainBinDir(), join(repoRoot, 'bin'), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
  HOME: home,
  KUBECONFIG: kubeconfig,
  LANG: 'C.UTF-8',
  TERM: 'dumb',
  NO_COLOR: '1',
  // Never wait for a human: git and helm must not prompt.
  GIT_TERMINAL_PROMPT: '0',
  // The `labs` CLI finds the cluster, the toolchain and the git server through these, not HOME.
  LABS_CLUSTER: defaultClusterName(),
  LABS_HOME: dataDir(),
  LABS_CACHE: cacheDir(),
};

const lessons = lessonEntries('en').map((entry) => loadLesson(entry));
const results = new Map<string, { total: number; passed: number; failed?: BlockResult }>();

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

describe('lessons run end to end on a real cluster', () => {
  beforeAll(() => {
    // Fails with kubectl's own message if the cluster does not answer.
    kubectl('get', 'nodes', '-o', 'name');
  });

  afterAll(() => {
    const total = lessons.reduce((sum, lesson) => sum + runnableBlocks(lesson).length, 0);
    const passed = [...results.values()].reduce((sum, r) => sum + r.passed, 0);
    const illustrative = lessons.reduce((sum, lesson) => sum + illustrativeBlocks(lesson).length, 0);
    const share = total === 0 ? 0 : passed / total;
    const summary = {
      runnableBlocks: total,
      passed,
      share: Number(share.toFixed(4)),
      illustrativeBlocks: illustrative,
      lessons: Object.fromEntries([...results].map(([slug, r]) => [slug, { total: r.total, passed: r.passed, failedAtLine: r.failed?.line }])),
    };
    const dir = join(repoRoot, 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lessons.json'), JSON.stringify(summary, null, 2) + '\n');
    console.log(`lessons: ${passed}/${total} runnable blocks ran and passed (${(share * 100).toFixed(1)}%); ${illustrative} illustrative blocks not run`);
  });

  for (const lesson of lessons) {
    const blocks = runnableBlocks(lesson);
    it(`${lesson.slug}: all ${blocks.length} runnable blocks succeed in order`, { timeout: 20 * 60_000 }, async () => {
      const record: { total: number; passed: number; failed?: BlockResult } = { total: blocks.length, passed: 0 };
      results.set(lesson.slug, record);
      // Start from a clean slate: a previous, interrupted run may have left the lesson's namespaces.
      // Applications only where Argo CD is installed (a fresh cluster has no such kind yet; the
      // lesson installs it).
      const applications = kubectl('get', 'crd', 'applications.argoproj.io', '--ignore-not-found', '-o', 'name').trim() ? lessonApplications(blocks) : [];
      for (const app of applications) {
        kubectl('delete', 'applications.argoproj.io', app, '-n', 'argocd', '--ignore-not-found', '--wait=true', '--timeout=120s');
      }
      for (const namespace of lessonNamespaces(blocks)) {
        kubectl('delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=150s');
      }
      for (const repo of lessonGitRepos(blocks)) {
        rmSync(openGitStore().repoPath(defaultClusterName(), repo), { recursive: true, force: true });
      }
      const session = new ShellSession({ env: { ...env, KUBECONFIG: asAdmin.has(lesson.slug) ? kubeconfig : learnerKubeconfig }, startDir: home, blockTimeoutMs: 6 * 60_000 });
      for (const [i, block] of blocks.entries()) {
        const result = await session.run(block, i + 1);
        if (result.exitCode !== 0) {
          record.failed = result;
          const why = result.timedOut ? 'timed out' : `exited with ${result.exitCode}`;
          expect.fail(
            `content/${lesson.entry}:${block.line}: runnable block ${i + 1}/${blocks.length} ${why} after ${result.durationMs} ms\n` +
              `--- block ---\n${block.code}\n--- output (last 4000 chars) ---\n${result.output.slice(-4000)}`,
          );
        }
        record.passed++;
      }
      // The lesson's own last block cleans up; check that it really did.
      for (const namespace of lessonNamespaces(blocks)) {
        const left = kubectl('get', 'namespace', namespace, '--ignore-not-found', '-o', 'name').trim();
        expect(left, `namespace ${namespace} left behind by content/${lesson.entry}`).toBe('');
      }
    });
  }
});
