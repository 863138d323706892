// A lab result's words in another language, for display beside the result (issue #23): the lab's
// title, each task's title and hint from lab.yaml's translation, each check's expected and
// observed from words-ko.ts. The result itself stays as it is (English, the record).
import { labInLanguage, type LabTranslation } from './lab-schema.ts';
import type { LabResult } from './result.ts';
import { inKorean } from './words-ko.ts';

export type CheckWords = { id: string; title: string; expected?: string; observed?: string; hint?: string };
/** What `POST /api/labs/<n>/verify?lang=ko` adds as `localized`, and `labs verify --lang ko` prints. */
export type LabResultWords = { language: 'ko'; title: string; checks: CheckWords[] };

type TranslatableLab = {
  title: string;
  tasks: { id: string; title: string; hint: string }[];
  translations?: Partial<Record<string, LabTranslation>>;
};

/** `language` for a --lang value or a locale (LANG=ko_KR.UTF-8): Korean, or English for anything else. */
export const languageOf = (value: string | undefined): 'en' | 'ko' => (/^ko(?:[_.-]|$)/i.test(value ?? '') ? 'ko' : 'en');

export function resultWords(result: LabResult, lab: TranslatableLab, language: 'ko'): LabResultWords {
  const words = labInLanguage(lab, language);
  return {
    language,
    title: words.title,
    checks: result.checks.map((check) => {
      const task = words.tasks.find((t) => t.id === check.id);
      return {
        id: check.id,
        title: task?.title ?? check.title,
        ...(check.expected !== undefined && { expected: inKorean(check.expected) }),
        ...(check.observed !== undefined && { observed: inKorean(check.observed) }),
        ...(check.hint !== undefined && { hint: task?.hint.trim() ?? check.hint }),
      };
    }),
  };
}
