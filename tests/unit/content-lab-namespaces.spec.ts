// Issue #21: the source course's manifests carry no namespace, so a learner who types its commands
// as they are lands in `default`, while every lab grades a namespace of its own. Each lab's lesson
// therefore says, in a note where the lab's objects come up, which namespace the lab grades, in
// both languages; and every lesson with labs says what happens to an object applied without one.
import { describe, expect, it } from 'vitest';
import { listLabs } from '../../grader/catalog.ts';
import { loadLesson } from '../course/lessons.ts';

/** The lesson's notes: each blockquote as one line of text. */
function notes(body: string): string[] {
  const found: string[] = [];
  let current: string[] | undefined;
  for (const line of body.replace(/```[\s\S]*?```/g, '').split('\n')) {
    if (line.startsWith('>')) (current ??= []).push(line.replace(/^>\s?/, ''));
    else if (current) {
      found.push(current.join(' '));
      current = undefined;
    }
  }
  if (current) found.push(current.join(' '));
  return found;
}

const lead = { en: (n: number) => `**For lab ${n}`, ko: (n: number) => `**실습 ${n}` } as const;

describe('lessons name the namespace each lab grades', async () => {
  const labs = await listLabs();

  describe.each(labs.map((lab) => ({ lab, name: `lab ${lab.number} (${lab.lesson}, namespace ${lab.namespace})` })))('$name', ({ lab }) => {
    it.each(['en', 'ko'] as const)('in a note of the %s lesson', (language) => {
      const doc = loadLesson(`${language}/${lab.lesson}.md`);
      const note = notes(doc.body).find((text) => text.startsWith(lead[language](lab.number)));
      expect(note, `${doc.entry}: a "> ${lead[language](lab.number)}…" note`).toBeDefined();
      for (const namespace of lab.setup?.namespaces ?? [lab.namespace]) {
        expect(note, `${doc.entry}: lab ${lab.number}'s note names namespace ${namespace}`).toContain(`\`${namespace}\``);
      }
    });
  });

  it.each(['en', 'ko'] as const)('and what happens without one: `default` (%s)', (language) => {
    for (const lesson of new Set(labs.map((lab) => lab.lesson))) {
      const doc = loadLesson(`${language}/${lesson}.md`);
      const labNotes = notes(doc.body).filter((text) => /^\*\*(For lab|실습) \d/.test(text));
      expect(labNotes.some((text) => text.includes('`default`')), `${doc.entry}: a lab note says objects without a namespace land in default`).toBe(true);
    }
  });
});
