// The runner the cluster suite uses for lesson blocks: one shell session across blocks (cd and
// export carry over, as in the learner's terminal), strict failure inside a block, timeouts, and
// the clean-up conventions read from the blocks themselves.
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LessonCodeBlock } from '../../src/content/code-meta.ts';
import { lessonApplications, lessonGitRepos, lessonNamespaces, ShellSession } from '../course/run-blocks.ts';

const block = (code: string, line = 1): LessonCodeBlock => ({ lang: 'sh', meta: 'run', code, line, mode: { kind: 'run' } });

function session(timeoutMs = 10_000): { shell: ShellSession; home: string } {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'runner-home-')));
  const shell = new ShellSession({ env: { PATH: process.env.PATH, HOME: home }, startDir: home, blockTimeoutMs: timeoutMs });
  return { shell, home };
}

describe('ShellSession', () => {
  it('keeps the working directory and exported variables from one block to the next', async () => {
    const { shell, home } = session();
    expect((await shell.run(block('mkdir -p ~/a/b && cd ~/a/b\nexport GREETING=hello\nLOCAL_ONLY=x'), 1)).exitCode).toBe(0);
    const second = await shell.run(block('pwd; echo "$GREETING"; echo "[${LOCAL_ONLY:-}]"'), 2);
    expect(second.exitCode).toBe(0);
    expect(second.output.trim().split('\n')).toEqual([join(home, 'a', 'b'), 'hello', '[]']);
  });

  it('fails a block at its first failing command, including inside a pipeline', async () => {
    const { shell } = session();
    const failed = await shell.run(block('echo before\nfalse | cat\necho after'), 1);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toContain('before');
    expect(failed.output).not.toContain('after');
  });

  it('accepts the lessons\' "|| test $? -eq 1" idiom for diff-like commands, and only that', async () => {
    const { shell } = session();
    expect((await shell.run(block('sh -c "exit 1" || test $? -eq 1'), 1)).exitCode).toBe(0);
    expect((await shell.run(block('sh -c "exit 2" || test $? -eq 1'), 2)).exitCode).not.toBe(0);
  });

  it('kills a block that runs past its timeout and says so', async () => {
    const { shell } = session(500);
    const result = await shell.run(block('sleep 30'), 1);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.durationMs).toBeLessThan(10_000);
  });
});

describe('clean-up conventions read from lesson blocks', () => {
  const blocks = [
    block('kubectl create namespace lesson-demo\nkubectl apply -n lesson-demo -f x.yaml'),
    block('helm install web ./chart --namespace lesson-chart --create-namespace\nkubectl get deploy lesson-web-argo-test-chart'),
    block('cat > app.yaml <<EOF\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: lesson-web\n  namespace: argocd\nspec:\n  destination:\n    namespace: lesson-argo\nEOF'),
    block('git clone "$(labs addon argocd --clone-url | sed \'s#/gitops\\.git$#/lesson-repo.git#\')" repo'),
  ];

  it('finds the namespaces, and not other lesson-* names', () => {
    expect(lessonNamespaces(blocks)).toEqual(['lesson-argo', 'lesson-chart', 'lesson-demo']);
  });

  it('finds Argo CD Applications and in-class git repositories', () => {
    expect(lessonApplications(blocks)).toEqual(['lesson-web']);
    expect(lessonGitRepos(blocks)).toEqual(['lesson-repo']);
  });
});
