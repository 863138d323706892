// Server side of classroom mode's pages: which language a language-neutral address (/join,
// /classroom/) lands in, the lab catalog in the page's language, and which lesson holds each lab.
import type { AstroGlobal } from 'astro';
import { labInLanguage } from '../../grader/lab-schema.ts';
import { isLanguage, type Language } from '../content/schema.ts';
import type { LabSummary } from '../contract/labs.ts';
import { lessonsIn, urlOf } from './lessons.ts';

/**
 * A classroom page's language from its address, and whether the address is valid (a known
 * language, and numeric `ids`); an invalid one answers 404 (the page then shows NotFound).
 * Instructor pages (`instructor`) get `away`, the redirect to sign-in, for anyone else.
 */
export function classroomPage(astro: AstroGlobal, ids: Array<string | undefined> = [], { instructor = false } = {}): { language: Language; valid: boolean; away?: Response } {
  const { lang } = astro.params;
  const valid = isLanguage(lang) && ids.every((id) => /^\d{1,9}$/.test(id ?? ''));
  if (!valid) {
    astro.response.status = 404;
    astro.response.statusText = 'Not Found';
  }
  const language = isLanguage(lang) ? lang : 'en';
  const away = instructor && valid && astro.locals.classroom?.role !== 'instructor' ? astro.redirect(`/${language}/classroom/`, 302) : undefined;
  return { language, valid, away };
}

/** The language of the page a visitor was heading to (`next`), else the browser's preference. */
export function preferredLanguage(request: Request, next?: string | null): Language {
  const fromNext = /^\/([a-z]{2})\//.exec(next ?? '')?.[1];
  if (fromNext && isLanguage(fromNext)) return fromNext;
  return /^ko\b/i.test(request.headers.get('accept-language') ?? '') ? 'ko' : 'en';
}

export type LabChoice = { number: number; title: string; tasks: { id: string; title: string }[] };

/** Every lab with its title and task titles in `language` (English where untranslated). */
export function labChoices(labs: LabSummary[] | undefined, language: Language): LabChoice[] {
  return (labs ?? [])
    .map((lab) => labInLanguage(lab, language))
    .map(({ number, title, tasks }) => ({ number, title, tasks: tasks.map(({ id, title: taskTitle }) => ({ id, title: taskTitle })) }))
    .sort((a, b) => a.number - b.number);
}

/** Lab number → the address of the lesson that has it (its top: the lesson comes before the lab). */
export async function labLessons(language: Language): Promise<Record<number, string>> {
  const lessons = await lessonsIn(language);
  const found: Record<number, string> = {};
  for (const lesson of lessons) for (const n of lesson.data.labs) found[n] ??= urlOf(lesson);
  return found;
}
