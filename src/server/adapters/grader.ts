// The one place the web server reaches the grading library and the lab catalog: Check buttons
// call verify(); lab cards read labs() (tasks, hints, starter files), and may reset a lab or show
// its reference solution. Same verifyLab and resetLab as `labs verify <n>` / `labs reset <n>`.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GraderError, LabDefinitionError, LabNotFoundError, listLabs, NoKubeconfigError, verifyLab } from '../../../grader/index.ts';
import type { LabResult } from '../../../grader/result.ts';
import { findLab, labFiles, type Lab } from '../../../grader/catalog.ts';
import { LAB_TRANSLATIONS, labInLanguage } from '../../../grader/lab-schema.ts';
import type { LabSummary } from '../../contract/labs.ts';
import { resetLab } from '../../../labs/lifecycle.ts';
import { clusterKubeconfig } from '../../base/paths.ts';

export type GraderAdapter = {
  /** `kubeconfig`: the cluster to grade (a classroom learner's); default the solo learner cluster. */
  verify(labNumber: number, kubeconfig?: string): Promise<LabResult>;
  /** Every lab, English with its translations; with a language, that language's words (English where untranslated). */
  labs(language?: string): Promise<LabSummary[]>;
  /** Deletes what the lab created (its namespaces, its cleanup list). */
  reset?(labNumber: number, kubeconfig?: string): Promise<void>;
  /** The reference solution's steps (solve.sh without its boilerplate). */
  solution?(labNumber: number): Promise<string>;
  /** A starter file's text, or undefined when the lab has no such file. */
  file?(labNumber: number, path: string): Promise<string | undefined>;
};

/** Kinds of failure, mapped to HTTP statuses by the API. */
export type GraderFailure = 'not-found' | 'bad-lab' | 'no-cluster' | 'cluster';

export function classifyGraderError(error: unknown): GraderFailure | undefined {
  if (error instanceof LabNotFoundError) return 'not-found';
  if (error instanceof LabDefinitionError) return 'bad-lab';
  if (error instanceof NoKubeconfigError) return 'no-cluster';
  if (error instanceof GraderError) return 'cluster';
  return undefined;
}

/** Files a learner may fetch: everything under files/ except placeholders. */
async function starterFiles(lab: Lab): Promise<string[]> {
  const root = labFiles(lab).workspace;
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name !== '.gitkeep')
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** solve.sh from its first command on: the shebang, comments and the scratch-dir set-up are the harness's, not the learner's. */
export function solutionSteps(script: string): string {
  const lines = script.split('\n');
  const setup = lines.findIndex((line) => line.startsWith('mkdir -p "$work"'));
  return lines.slice(setup + 1).join('\n').trim() + '\n';
}

export function createGraderAdapter(): GraderAdapter {
  // Grade the cluster the terminal talks to: the learner cluster when it exists, else the
  // grader's documented default (KUBECONFIG, ~/.kube/config).
  const cluster = (kubeconfig?: string) => {
    if (kubeconfig) return { kubeconfig };
    const learnerCluster = clusterKubeconfig();
    return existsSync(learnerCluster) ? { kubeconfig: learnerCluster } : {};
  };
  return {
    verify: (labNumber, kubeconfig) => verifyLab(String(labNumber), cluster(kubeconfig)),
    async labs(language) {
      const labs = await listLabs();
      const summaries = await Promise.all(labs.map(async (lab): Promise<LabSummary> => ({
        number: lab.number,
        id: lab.id,
        title: lab.title,
        lesson: lab.lesson,
        maxScore: lab.maxScore,
        tasks: lab.tasks.map(({ id, title, points, hint }) => ({ id, title, points, hint })),
        files: await starterFiles(lab),
        requires: lab.setup?.requires ?? [],
        namespaces: [...new Set([lab.namespace, ...(lab.setup?.namespaces ?? [])])],
        translations: Object.fromEntries(LAB_TRANSLATIONS.flatMap((code) => (lab[code] ? [[code, lab[code]]] : []))),
      })));
      return language ? summaries.map((lab) => labInLanguage(lab, language)) : summaries;
    },
    async reset(labNumber, kubeconfig) {
      await resetLab(String(labNumber), cluster(kubeconfig));
    },
    async solution(labNumber) {
      const lab = await findLab(String(labNumber));
      return solutionSteps(await readFile(labFiles(lab).solve, 'utf8'));
    },
    async file(labNumber, path) {
      const lab = await findLab(String(labNumber));
      // Only names from the listing: a path is looked up, never joined from what the client sent.
      if (!(await starterFiles(lab)).includes(path)) return undefined;
      return readFile(join(labFiles(lab).workspace, ...path.split('/')), 'utf8');
    },
  };
}
