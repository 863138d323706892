// Labs in Korean: lab.yaml may carry `ko: { title, tasks: { <task id>: { title, hint } } }`,
// validated with the rest of the file (every task id must be one of the lab's), and the course's
// eight labs are translated in full, with the same commands and names as the English.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { listLabs } from '../../grader/catalog.ts';
import { describeIssue, labInLanguage, labSchema } from '../../grader/lab-schema.ts';

const testdata = join(import.meta.dirname, 'testdata', 'lab-translations');
const parse = (fixture: string) => labSchema.safeParse(parseYaml(readFileSync(join(testdata, fixture), 'utf8')));

describe('the ko: block of lab.yaml', () => {
  it('accepts a partial translation (valid-korean.yaml)', () => {
    const parsed = parse('valid-korean.yaml');
    expect(parsed.success).toBe(true);
    expect(parsed.data?.ko?.tasks?.['probe-configured']?.title).toBe('파드에 프로브가 있다');
  });

  const expectations: Record<string, RegExp> = {
    'invalid-unknown-task.yaml': /^ko\.tasks\.probe-configurd: no task "probe-configurd" in this lab \(tasks: probe-configured\)$/,
    'invalid-unknown-field.yaml': /^ko\.tasks\.probe-configured: .*titel/,
    'invalid-empty-title.yaml': /^ko\.title: /,
  };
  for (const fixture of readdirSync(testdata).filter((name) => name.startsWith('invalid-'))) {
    it(`rejects ${fixture}, naming the field`, () => {
      const parsed = parse(fixture);
      expect(parsed.success).toBe(false);
      expect(describeIssue(parsed.error!)).toMatch(expectations[fixture] ?? /^$/);
    });
  }

  it('gives a lab in a language field by field, English where a field is untranslated', () => {
    const lab = {
      title: 'A probe restarts a container',
      tasks: [
        { id: 'a', title: 'First', hint: 'Hint one', points: 1 },
        { id: 'b', title: 'Second', hint: 'Hint two', points: 2 },
      ],
      translations: { ko: { title: '프로브', tasks: { a: { title: '첫째' } } } },
    };
    const korean = labInLanguage(lab, 'ko');
    expect(korean.title).toBe('프로브');
    expect(korean.tasks.map((t) => [t.title, t.hint, t.points])).toEqual([['첫째', 'Hint one', 1], ['Second', 'Hint two', 2]]);
    expect(labInLanguage(lab, 'en')).toBe(lab);
  });
});

describe('the course labs in Korean', () => {
  it('translate every lab title, task title and hint', async () => {
    const labs = await listLabs();
    expect(labs).toHaveLength(8);
    for (const lab of labs) {
      expect(lab.ko?.title, lab.id).toMatch(/[가-힣]/);
      for (const task of lab.tasks) {
        const words = lab.ko?.tasks?.[task.id];
        expect(words?.title, `${lab.id} ${task.id} title`).toMatch(/[가-힣]/);
        expect(words?.hint, `${lab.id} ${task.id} hint`).toMatch(/[가-힣]/);
      }
    }
  });

  it('keep every `command` and number of the English hints and titles (same facts)', async () => {
    const code = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s+/g, ' '));
    const numbers = (text: string) => (text.match(/\d+(?:\.\d+)*/g) ?? []).sort();
    for (const lab of await listLabs()) {
      expect(numbers(lab.ko!.title!), `${lab.id} title`).toEqual(numbers(lab.title));
      for (const task of lab.tasks) {
        const words = lab.ko!.tasks![task.id]!;
        const korean = words.hint!.replace(/\s+/g, ' ');
        for (const command of code(task.hint)) expect(korean, `${lab.id} ${task.id}`).toContain(`\`${command}\``);
        expect(numbers(words.hint!), `${lab.id} ${task.id} hint numbers`).toEqual(numbers(task.hint));
        expect(numbers(words.title!), `${lab.id} ${task.id} title numbers`).toEqual(numbers(task.title));
      }
    }
  });
});
