// The lesson front matter contract, in one leaf module: Astro's content collection, the unit
// tests and the lesson authors' checks all validate against this schema.
import { z } from 'zod';

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

export const lessonSchema = z
  .object({
    title: z.string().trim().min(1, 'must not be empty'),
    order: z.number().int().min(1),
    language: z.enum(LANGUAGES),
    summary: z.string().trim().min(1, 'must not be empty'),
    /** Lab numbers this lesson links (labs/NN-name/). */
    labs: z.array(z.number().int().min(1)).default([]),
    /** Estimated minutes to work through the lesson and its labs. */
    minutes: z.number().int().min(1),
  })
  .strict();

export type LessonFrontMatter = z.infer<typeof lessonSchema>;

/** `content/<lang>/<NN-slug>.md`, relative to content/. */
export const LESSON_FILE = /^(en|ko)\/((\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;

export class LessonFileError extends Error {}

/**
 * The lesson id (`<lang>/<NN-slug>`) for a file under content/, checking that its place agrees
 * with its front matter. Throws one line naming the file and the field at fault.
 */
export function lessonIdFromPath(entry: string, data: Record<string, unknown>): string {
  const file = `content/${entry}`;
  const match = LESSON_FILE.exec(entry);
  if (!match) {
    throw new LessonFileError(`${file}: lesson files must be named content/<en|ko>/<NN>-<slug>.md (lowercase slug, two-digit number)`);
  }
  const [, language, slug, number] = match;
  if (data.language !== undefined && data.language !== language) {
    throw new LessonFileError(`${file}: field "language" is ${JSON.stringify(data.language)} but the file lives under content/${language}/`);
  }
  if (typeof data.order === 'number' && data.order !== Number(number)) {
    throw new LessonFileError(`${file}: field "order" is ${data.order} but the file name says ${number}`);
  }
  return `${language}/${slug}`;
}

/** Formats zod issues as `file: field "x": message` lines. */
export function describeIssues(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(front matter)');
    return `${file}: field "${field}": ${issue.message}`;
  });
}

export function lessonUrl(id: string): string {
  const [language, slug] = id.split('/');
  return `/${language}/lessons/${slug}/`;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}
