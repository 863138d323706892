// Lesson front matter: every valid-*.md fixture passes, every invalid-*.md fails with a message
// naming the file and the field at fault (the same schema and rules the Astro build uses).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLessonFile } from '../../src/content/lesson-file.ts';
import { LessonFileError, lessonIdFromPath, lessonUrl } from '../../src/content/schema.ts';

const testdata = join(import.meta.dirname, 'testdata');
const fixtures = readdirSync(testdata).filter((name) => /^(valid|invalid)-lesson-.*\.md$/.test(name));
const read = (name: string) => readFileSync(join(testdata, name), 'utf8');

/** Where a fixture pretends to live under content/: its front matter's language and order. */
function entryFor(name: string, source: string): string {
  const language = /language:\s*(\w+)/.exec(source)?.[1] ?? 'en';
  const order = Number(/order:\s*(\d+)/.exec(source)?.[1] ?? 1);
  return `${language === 'ko' ? 'ko' : 'en'}/${String(Math.max(order, 1)).padStart(2, '0')}-${name.replace(/\.md$/, '')}.md`;
}

describe('lesson front matter fixtures', () => {
  it('has both valid and invalid fixtures', () => {
    expect(fixtures.filter((f) => f.startsWith('valid-')).length).toBeGreaterThanOrEqual(2);
    expect(fixtures.filter((f) => f.startsWith('invalid-')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtures.filter((f) => f.startsWith('valid-')))('%s is accepted', (name) => {
    const source = read(name);
    const result = checkLessonFile(entryFor(name, source), source);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  const expectedField: Record<string, string> = {
    'invalid-lesson-missing-title.md': 'field "title"',
    'invalid-lesson-order-zero.md': 'field "order"',
    'invalid-lesson-language.md': 'field "language"',
    'invalid-lesson-minutes-text.md': 'field "minutes"',
    'invalid-lesson-labs-not-numbers.md': 'field "labs.0"',
    'invalid-lesson-unknown-field.md': 'field "minute"',
    'invalid-lesson-no-front-matter.md': 'missing front matter',
    'invalid-lesson-bad-yaml.md': 'not valid YAML',
  };

  it.each(fixtures.filter((f) => f.startsWith('invalid-')))('%s is rejected naming the file and field', (name) => {
    const source = read(name);
    const entry = entryFor(name, source);
    const result = checkLessonFile(entry, source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toContain(`content/${entry}`);
    expect(expectedField[name], `add ${name} to expectedField`).toBeDefined();
    expect(result.errors.join('\n')).toContain(expectedField[name]);
  });

  it('defaults labs to an empty list', () => {
    const source = read('valid-lesson-minimal.md');
    const result = checkLessonFile('en/01-pod-lifecycle.md', source);
    expect(result.ok && result.data.labs).toEqual([]);
  });
});

describe('lesson ids and paths', () => {
  it('derives the id and URL from content/<lang>/<NN-slug>.md', () => {
    expect(lessonIdFromPath('en/01-pod-lifecycle.md', { language: 'en', order: 1 })).toBe('en/01-pod-lifecycle');
    expect(lessonUrl('ko/03-kustomize')).toBe('/ko/lessons/03-kustomize/');
  });

  it.each([
    ['en/pod-lifecycle.md', {}, 'must be named'],
    ['en/1-pod.md', {}, 'must be named'],
    ['fr/01-pod.md', {}, 'must be named'],
    ['en/01-Pod_Lifecycle.md', {}, 'must be named'],
    ['ko/01-pod.md', { language: 'en' }, 'field "language" is "en" but the file lives under content/ko/'],
    ['en/02-pod.md', { order: 3 }, 'field "order" is 3 but the file name says 02'],
  ])('rejects %s', (entry, data, message) => {
    expect(() => lessonIdFromPath(entry, data)).toThrow(LessonFileError);
    expect(() => lessonIdFromPath(entry, data)).toThrow(message);
    expect(() => lessonIdFromPath(entry, data)).toThrow(`content/${entry}`);
  });
});
