import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lessonCodeBlockProblems, lessonChecks } from '../../src/content/lesson-checks.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function contentDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'labs-content-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, 'content', path, '..'), { recursive: true });
    writeFileSync(join(root, 'content', path), text);
  }
  return root;
}

describe('build-time lesson code block checks', () => {
  it('names file and line of every bad fence, and passes good lessons', () => {
    const root = contentDir({
      'en/01-good.md': '# ok\n\n```sh run\nkubectl get pods\n```\n',
      'en/02-bad.md': 'intro\n\n```sh runn\nls\n```\n',
      'ko/02-bad.md': '```yaml run\nkind: Pod\n```\n',
      'README.md': '```sh\nnot a lesson\n```\n',
    });
    expect(lessonCodeBlockProblems(join(root, 'content'), root)).toEqual([
      'content/en/02-bad.md:3: unknown code fence word "runn" (expected run, or illustrative reason="…")',
      'content/ko/02-bad.md:1: "run" is only for shell blocks (sh, bash), not "yaml"',
    ]);
  });

  it('fails astro build through its integration hook', () => {
    const root = contentDir({ 'en/01-bad.md': '```bash\necho hi\n```\n' });
    const integration = lessonChecks(join(root, 'content'));
    expect(() => integration.hooks['astro:build:start']()).toThrow(/01-bad\.md:1: a bash block must say "run"/);
  });
});
