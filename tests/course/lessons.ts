// The course as files on disk, read outside Astro: the parity test and the cluster test both
// use it. Front matter and code fences go through the platform's own parsers
// (src/content/lesson-file.ts, src/content/code-meta.ts), so the tests judge lessons exactly as
// the build and the lesson page do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractCodeBlocks, type LessonCodeBlock } from '../../src/content/code-meta.ts';
import { checkLessonFile } from '../../src/content/lesson-file.ts';
import type { LessonFrontMatter } from '../../src/content/schema.ts';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const contentDir = join(repoRoot, 'content');
export const diagramsDir = join(repoRoot, 'public', 'diagrams');

/** The course's lessons in order; the labs refer to these slugs. */
export const COURSE_SLUGS = [
  '01-pod-lifecycle',
  '02-probes',
  '03-manifest-management',
  '04-kustomize',
  '05-helm',
  '06-gitops',
  '07-argocd',
] as const;

export type Heading = { depth: number; text: string };

export type LessonDoc = {
  /** Path under content/, e.g. `en/01-pod-lifecycle.md`. */
  entry: string;
  slug: string;
  language: string;
  data: LessonFrontMatter;
  body: string;
  blocks: LessonCodeBlock[];
  headings: Heading[];
  /** `/diagrams/<name>.svg` references in the body. */
  diagrams: string[];
};

/** Lesson files (`NN-slug.md`) present for a language. */
export function lessonEntries(language: string): string[] {
  const dir = join(contentDir, language);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d{2}-[a-z0-9-]+\.md$/.test(name))
    .sort()
    .map((name) => `${language}/${name}`);
}

/** ATX headings outside code fences. */
export function headingsOf(markdown: string): Heading[] {
  const headings: Heading[] = [];
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (!fence) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && /^ {0,3}(`{3,}|~{3,})\s*$/.test(line)) fence = undefined;
      continue;
    }
    if (fence) continue;
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match) headings.push({ depth: match[1]!.length, text: match[2]! });
  }
  return headings;
}

/** Reads and validates one lesson; throws one line naming the file on any problem. */
export function loadLesson(entry: string): LessonDoc {
  const source = readFileSync(join(contentDir, entry), 'utf8');
  const checked = checkLessonFile(entry, source);
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  let blocks: LessonCodeBlock[];
  try {
    blocks = extractCodeBlocks(source);
  } catch (error) {
    throw new Error(`content/${entry}: ${(error as Error).message}`);
  }
  const [language, file] = entry.split('/') as [string, string];
  const diagrams = [...checked.body.matchAll(/\/diagrams\/([A-Za-z0-9._-]+\.svg)/g)].map((m) => m[1]!);
  return {
    entry,
    slug: file.replace(/\.md$/, ''),
    language,
    data: checked.data,
    body: checked.body,
    blocks,
    headings: headingsOf(checked.body),
    diagrams,
  };
}

export const runnableBlocks = (lesson: LessonDoc): LessonCodeBlock[] =>
  lesson.blocks.filter((block) => block.mode.kind === 'run');

export const illustrativeBlocks = (lesson: LessonDoc): LessonCodeBlock[] =>
  lesson.blocks.filter((block) => block.mode.kind === 'illustrative');
