// The lab.yaml schema: the one place that says what a lab definition may contain.
// A leaf module (zod only) so the catalog, the grader, tests and the web server share it.
import { z } from 'zod';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, "-")');

export const taskSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase kebab-case'),
    title: z.string().min(1),
    hint: z.string().min(1),
    points: z.number().int().positive(),
  })
  .strict();

/** An object `labs reset` deletes besides the lab's namespaces (e.g. an Argo CD Application). */
export const cleanupSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    namespace: dnsLabel.optional(),
    name: z.string().min(1),
  })
  .strict();

export const setupSchema = z
  .object({
    /** Namespaces the lab's objects live in: solve creates them, reset deletes them. Default: [namespace]. */
    namespaces: z.array(dnsLabel).min(1).optional(),
    cleanup: z.array(cleanupSchema).optional(),
    /** The learner's repositories on the in-class git server the lab works in: reset seeds them afresh from the starter. */
    repositories: z.array(dnsLabel).optional(),
    /** Cluster add-ons the lab needs (checked by the platform, installed by `labs addon`). */
    requires: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** A lab's words in another language; anything left out stays in English. */
export const taskTranslationSchema = z
  .object({
    title: z.string().min(1).optional(),
    hint: z.string().min(1).optional(),
  })
  .strict();

export const labTranslationSchema = z
  .object({
    title: z.string().min(1).optional(),
    /** Keyed by task id; every key must be one of the lab's tasks. */
    tasks: z.record(z.string(), taskTranslationSchema).optional(),
  })
  .strict();

/** Languages a lab.yaml may translate its title, task titles and hints into (English is the lab itself). */
export const LAB_TRANSLATIONS = ['ko'] as const;
export type LabTranslationLanguage = (typeof LAB_TRANSLATIONS)[number];

export const labSchema = z
  .object({
    title: z.string().min(1),
    lesson: z.string().regex(/^\d{2}-[a-z0-9-]+$/, 'must name a lesson file like "02-probes"'),
    namespace: dnsLabel,
    tasks: z
      .array(taskSchema)
      .min(1)
      .refine((tasks) => new Set(tasks.map((t) => t.id)).size === tasks.length, 'task ids must be unique'),
    setup: setupSchema.optional(),
    ko: labTranslationSchema.optional(),
  })
  .strict()
  .superRefine((lab, ctx) => {
    const ids = new Set(lab.tasks.map((task) => task.id));
    for (const language of LAB_TRANSLATIONS) {
      for (const id of Object.keys(lab[language]?.tasks ?? {})) {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: [language, 'tasks', id], message: `no task "${id}" in this lab (tasks: ${[...ids].join(', ')})` });
      }
    }
  });

export type LabTask = z.infer<typeof taskSchema>;
export type LabSetup = z.infer<typeof setupSchema>;
export type LabDefinition = z.infer<typeof labSchema>;
export type LabTranslation = z.infer<typeof labTranslationSchema>;

type Translatable = {
  title: string;
  tasks: { id: string; title: string; hint: string }[];
  translations?: Partial<Record<string, LabTranslation>>;
};

/** A lab (or its summary) with its title, task titles and hints in `language`, English where untranslated. */
export function labInLanguage<T extends Translatable>(lab: T, language: string): T {
  const words = lab.translations?.[language];
  if (!words) return lab;
  return {
    ...lab,
    title: words.title ?? lab.title,
    tasks: lab.tasks.map((task) => ({ ...task, title: words.tasks?.[task.id]?.title ?? task.title, hint: words.tasks?.[task.id]?.hint ?? task.hint })),
  };
}

/** First problem of a failed parse as "field: message", e.g. "tasks[1].points: Too small…". */
export function describeIssue(error: z.ZodError): string {
  // A misspelt key explains the "missing" one it causes, so report it first.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  if (!issue) return 'invalid';
  const message = /received undefined$/.test(issue.message) ? 'required' : issue.message;
  const path = issue.path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`))
    .join('');
  return `${path || '(top level)'}: ${message}`;
}
