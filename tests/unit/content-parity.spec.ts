// The course in two languages, kept in step: every lesson exists in English and Korean with
// valid front matter, the same runnable commands, the same heading outline (the language switch
// maps headings by position), and only diagrams that exist in public/diagrams/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLabs } from '../../grader/catalog.ts';
import {
  COURSE_SLUGS,
  diagramsDir,
  illustrativeBlocks,
  lessonEntries,
  loadLesson,
  runnableBlocks,
  type LessonDoc,
} from '../course/lessons.ts';

const english = lessonEntries('en');
const korean = lessonEntries('ko');
const slugs = (entries: string[]) => entries.map((entry) => entry.split('/')[1]!.replace(/\.md$/, ''));

describe('the course has every lesson in both languages', () => {
  it('lists the seven lessons the labs refer to, in English', () => {
    expect(slugs(english)).toEqual([...COURSE_SLUGS]);
  });

  it('has a Korean file for every English lesson and no Korean-only lesson', () => {
    expect(slugs(korean)).toEqual(slugs(english));
  });
});

const pairs = slugs(english).map((slug) => ({ slug, en: `en/${slug}.md`, ko: `ko/${slug}.md` }));

describe.each(pairs)('lesson $slug', ({ en, ko }) => {
  const load = (entry: string): LessonDoc => loadLesson(entry);

  it('has valid front matter and code fences in English', () => {
    expect(() => load(en)).not.toThrow();
  });

  it('has valid front matter and code fences in Korean', () => {
    expect(() => load(ko)).not.toThrow();
  });

  it('has the same order, labs and minutes in both languages', () => {
    const [a, b] = [load(en), load(ko)];
    expect({ order: b.data.order, labs: b.data.labs, minutes: b.data.minutes }).toEqual({
      order: a.data.order,
      labs: a.data.labs,
      minutes: a.data.minutes,
    });
  });

  it('has identical runnable blocks in both languages', () => {
    const [a, b] = [load(en), load(ko)];
    expect(runnableBlocks(b).map((block) => block.code)).toEqual(runnableBlocks(a).map((block) => block.code));
  });

  it('has the same illustrative commands in both languages (reasons may be translated)', () => {
    const [a, b] = [load(en), load(ko)];
    expect(illustrativeBlocks(b).map((block) => block.code)).toEqual(illustrativeBlocks(a).map((block) => block.code));
  });

  it('is written in Korean in the Korean file (not an English copy)', () => {
    const prose = load(ko).body.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '');
    const letters = [...prose].filter((c) => /[A-Za-z\uac00-\ud7a3]/.test(c));
    const hangul = letters.filter((c) => /[\uac00-\ud7a3]/.test(c));
    expect(hangul.length / letters.length).toBeGreaterThan(0.4);
  });

  it('has runnable commands at all', () => {
    expect(runnableBlocks(load(en)).length).toBeGreaterThan(0);
  });

  it('has the same heading outline in both languages', () => {
    const [a, b] = [load(en), load(ko)];
    expect(b.headings.map((h) => h.depth)).toEqual(a.headings.map((h) => h.depth));
  });

  it('has the sections every lesson needs: objectives first, a self-check, and its labs last', () => {
    const doc = load(en);
    const top = doc.headings.filter((h) => h.depth === 2).map((h) => h.text);
    expect(top[0]).toBe('What you will learn');
    expect(top).toContain('Check yourself');
    expect(top.at(-1)).toMatch(/^Labs?$/);
  });

  it('references only diagrams that exist, and hot-links no images', () => {
    for (const doc of [load(en), load(ko)]) {
      for (const name of doc.diagrams) {
        expect(existsSync(join(diagramsDir, name)), `${doc.entry} uses /diagrams/${name}`).toBe(true);
      }
      expect(doc.body).not.toMatch(/!\[[^\]]*\]\(https?:/);
      expect(doc.body).not.toMatch(/<img[^>]+src=["']https?:/);
    }
  });

  it('cleans up after itself: the last runnable block deletes what the lesson created', () => {
    const blocks = runnableBlocks(load(en));
    expect(blocks.at(-1)!.code).toMatch(/kubectl delete namespace|helm uninstall/);
  });

  it('never teaches the broken "> file | kubectl apply" pipe', () => {
    for (const block of load(en).blocks.filter((b) => b.mode.kind === 'run')) {
      expect(block.code).not.toMatch(/>\s*\S+\s*\|\s*kubectl/);
    }
  });
});

describe('the course diagrams', () => {
  const required = ['pod-phases', 'probe-timeline-without-startup', 'probe-timeline-with-startup', 'kustomize-layering', 'gitops-loop'];

  it.each(required)('%s.svg exists, is a titled SVG and links nothing outside the file', (name) => {
    const svg = readFileSync(join(diagramsDir, `${name}.svg`), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/<title[^>]*>[^<]+<\/title>/);
    expect(svg).not.toMatch(/(?:href|src)=["']https?:/);
  });

  it('is used by the lessons: every required diagram appears in both languages', () => {
    const used = new Set([...english, ...korean].flatMap((entry) => loadLesson(entry).diagrams));
    for (const name of required) {
      expect(used.has(`${name}.svg`) || used.has(`${name}.ko.svg`), name).toBe(true);
      expect(used.has(`${name}.svg`), `${name}.svg in English`).toBe(true);
    }
  });
});

describe('lessons and labs point at each other', () => {
  it('every lab number in a lesson is a lab of that lesson, and every lab is listed by its lesson', async () => {
    const labs = await listLabs();
    const lessons = english.map((entry) => loadLesson(entry));
    for (const lab of labs) {
      const lesson = lessons.find((doc) => doc.slug === lab.lesson);
      expect(lesson, `labs/${lab.id}/lab.yaml names lesson ${lab.lesson}`).toBeDefined();
      expect(lesson!.data.labs, `${lesson!.entry} lists lab ${lab.number}`).toContain(lab.number);
    }
    for (const doc of lessons) {
      for (const number of doc.data.labs) {
        const lab = labs.find((candidate) => candidate.number === number);
        expect(lab, `${doc.entry} links lab ${number}, which has no folder in labs/`).toBeDefined();
        expect(lab!.lesson, `labs/${lab!.id}/lab.yaml belongs to ${doc.slug}`).toBe(doc.slug);
      }
    }
  });

});

