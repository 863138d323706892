// The one place the web server reaches the grading library. Check buttons call verify();
// lesson pages ask labs() for titles. Same verifyLab as `labs verify <n>`.
import { existsSync } from 'node:fs';
import { GraderError, LabDefinitionError, LabNotFoundError, listLabs, verifyLab } from '../../../grader/index.ts';
import type { LabResult } from '../../../grader/result.ts';
import { clusterKubeconfig } from '../../environments/paths.ts';

export type LabSummary = { number: number; id: string; title: string; lesson: string; maxScore: number };

export type GraderAdapter = {
  verify(labNumber: number): Promise<LabResult>;
  labs(): Promise<LabSummary[]>;
};

/** Kinds of failure, mapped to HTTP statuses by the API. */
export type GraderFailure = 'not-found' | 'bad-lab' | 'cluster';

export function classifyGraderError(error: unknown): GraderFailure | undefined {
  if (error instanceof LabNotFoundError) return 'not-found';
  if (error instanceof LabDefinitionError) return 'bad-lab';
  if (error instanceof GraderError) return 'cluster';
  return undefined;
}

/** undefined would mean "no grader yet" (the endpoint then answers 503). */
export function createGraderAdapter(): GraderAdapter | undefined {
  return {
    verify(labNumber) {
      // Grade the cluster the terminal talks to: the learner cluster when it exists, else the
      // grader's documented default (KUBECONFIG, ~/.kube/config).
      const kubeconfig = clusterKubeconfig();
      return verifyLab(String(labNumber), existsSync(kubeconfig) ? { kubeconfig } : {});
    },
    async labs() {
      const labs = await listLabs();
      return labs.map((lab) => ({
        number: lab.number,
        id: lab.id,
        title: lab.title,
        lesson: lab.lesson,
        maxScore: lab.maxScore,
      }));
    },
  };
}
