// Lessons: content/<lang>/<NN-slug>.md, front matter validated by src/content/schema.ts.
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { lessonIdFromPath, lessonSchema } from './content/schema.ts';

const lessons = defineCollection({
  loader: glob({
    pattern: ['**/*.md', '!**/README.md'],
    base: './content',
    generateId: ({ entry, data }) => lessonIdFromPath(entry, data),
  }),
  schema: lessonSchema,
});

export const collections = { lessons };
