// Lesson queries for pages: ordered per language, neighbours, the same lesson in another language.
import { getCollection, type CollectionEntry } from 'astro:content';
import { lessonUrl, type Language } from '../content/schema.ts';

export type Lesson = CollectionEntry<'lessons'>;

export async function lessonsIn(language: Language): Promise<Lesson[]> {
  const all: Lesson[] = await getCollection('lessons', (entry: Lesson) => entry.data.language === language);
  return all.sort((a: Lesson, b: Lesson) => a.data.order - b.data.order || a.id.localeCompare(b.id));
}

export const slugOf = (lesson: Lesson): string => lesson.id.split('/')[1]!;

export const urlOf = (lesson: Lesson): string => lessonUrl(lesson.id);

/** The lesson with the same number in `language`, if written. */
export async function translationOf(lesson: Lesson, language: Language): Promise<Lesson | undefined> {
  const candidates = await lessonsIn(language);
  return candidates.find((other) => other.data.order === lesson.data.order);
}
