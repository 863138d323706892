// Checks one lesson file outside Astro (unit tests, lesson authors' CI): front matter parsed
// with the same YAML rules and validated with the same schema and path rules as the build.
import { parse as parseYaml } from 'yaml';
import { describeIssues, lessonIdFromPath, lessonSchema, type LessonFrontMatter } from './schema.ts';

export type LessonFileCheck =
  | { ok: true; id: string; data: LessonFrontMatter; body: string }
  | { ok: false; errors: string[] };

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** `entry` is the path under content/, e.g. `en/01-pod-lifecycle.md`. */
export function checkLessonFile(entry: string, source: string): LessonFileCheck {
  const file = `content/${entry}`;
  const match = FRONT_MATTER.exec(source);
  if (!match) return { ok: false, errors: [`${file}: missing front matter (a --- block at the top)`] };
  let raw: unknown;
  try {
    raw = parseYaml(match[1]!);
  } catch (error) {
    return { ok: false, errors: [`${file}: front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [`${file}: front matter must be a mapping of fields`] };
  }
  const parsed = lessonSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: describeIssues(file, parsed.error) };
  try {
    const id = lessonIdFromPath(entry, parsed.data);
    return { ok: true, id, data: parsed.data, body: match[2]! };
  } catch (error) {
    return { ok: false, errors: [(error as Error).message] };
  }
}
