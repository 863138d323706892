// What the lab cards receive (GET /api/labs): the server builds it from the lab catalog
// (src/server/adapters/grader.ts), the pages render it (src/components/classroom-pages.ts, lab cards).
import type { LabTranslation, LabTranslationLanguage } from '../../grader/lab-schema.ts';

export type LabTaskSummary = { id: string; title: string; points: number; hint: string };
export type LabSummary = {
  number: number;
  id: string;
  title: string;
  lesson: string;
  maxScore: number;
  tasks: LabTaskSummary[];
  /** Starter files under the lab's files/ (downloadable from the card). */
  files: string[];
  /** Cluster add-ons the lab needs (lab.yaml setup.requires), e.g. argocd: its lesson shows the Argo CD view. */
  requires?: string[];
  /** The lab's namespaces (lab.yaml namespace, setup.namespaces): a learner's command in one starts the lab. */
  namespaces?: string[];
  /** The title, task titles and hints in other languages, as lab.yaml gives them (what is missing stays English). */
  translations?: Partial<Record<LabTranslationLanguage, LabTranslation>>;
};
