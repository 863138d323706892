// Build-time checks over every lesson file that the content collection cannot do itself:
// Astro's loader only logs a render error, so a bad code fence would otherwise reach a learner
// as a broken page. Throws one line per problem, naming file and line.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractCodeBlocks } from './code-meta.ts';

function markdownFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'README.md' ? [path] : [];
  });
}

export function lessonCodeBlockProblems(contentDir: string, root: string = process.cwd()): string[] {
  const problems: string[] = [];
  for (const file of markdownFiles(contentDir).sort()) {
    try {
      extractCodeBlocks(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${relative(root, file)}:${(error as Error).message.replace(/^line (\d+): /, '$1: ')}`);
    }
  }
  return problems;
}

/** Astro integration: fail `astro build` on bad code fences. */
export function lessonChecks(contentDir: string) {
  return {
    name: 'kubernetes-labs:lesson-checks',
    hooks: {
      'astro:build:start': () => {
        const problems = lessonCodeBlockProblems(contentDir);
        if (problems.length > 0) throw new Error(`lesson code blocks:\n${problems.join('\n')}`);
      },
    },
  };
}
