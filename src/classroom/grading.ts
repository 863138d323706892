// Continuous grading: the server grades every learner's unfinished labs in the background, so
// the dashboard's grid moves while learners work, without anyone pressing Check. The same
// verifyLab as the Check button. A result is recorded (as an 'auto' attempt) only when it differs
// from the learner's latest for that lab, so the store does not fill with repeats.
import type { LabResult } from '../../grader/result.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import { learnerKey } from './board.ts';
import type { Cohorts } from './cohorts.ts';
import type { LearnerEnvironments } from './environments.ts';

export type GradingDeps = {
  cohorts: Cohorts;
  store: ProgressStore;
  environments: LearnerEnvironments;
  /** Grades lab n on the cluster this kubeconfig reaches (verifyLab). */
  verify: (lab: number, kubeconfig: string) => Promise<LabResult>;
  /** Open cohorts right now. */
  openCohorts: () => number[];
  /** A cohort's grid changed. */
  changed: (cohortId: number) => void;
  everyMs?: number;
  /** Verifies running at once (each reads its learner's API server). */
  concurrency?: number;
  log?: (line: string) => void;
};

/** Same outcome: the same tasks pass, and the failing ones observe the same thing. */
export function sameOutcome(a: LabResult['checks'], b: { id: string; passed: boolean; observed?: string }[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((check) => {
    const other = b.find((o) => o.id === check.id);
    return other !== undefined && other.passed === check.passed && (check.passed || (other.observed ?? '') === (check.observed ?? ''));
  });
}

export function startGrading(deps: GradingDeps): { stop(): void; round(): Promise<void> } {
  const everyMs = deps.everyMs ?? 15_000;
  const concurrency = deps.concurrency ?? 2;
  let stopped = false;
  let running: Promise<void> | undefined;

  async function gradeOne(cohortId: number, learnerId: number, lab: number, kubeconfig: string): Promise<boolean> {
    try {
      const result = await deps.verify(lab, kubeconfig);
      const key = `learner:${learnerId}`;
      const latest = deps.store.progress(key).find((p) => p.lab === result.lab);
      if (latest && sameOutcome(result.checks, latest.checks)) return false;
      deps.store.record(result, key, 'auto');
      return true;
    } catch (error) {
      deps.log?.(`grading: cohort ${cohortId}, learner ${learnerId}, lab ${lab}: ${(error as Error).message.split('\n')[0]}`);
      return false;
    }
  }

  async function round(): Promise<void> {
    const jobs: Array<() => Promise<{ cohortId: number; changed: boolean }>> = [];
    for (const cohortId of deps.openCohorts()) {
      const cohort = deps.cohorts.get(cohortId);
      if (!cohort) continue;
      for (const learner of deps.cohorts.learners(cohortId)) {
        const key = learnerKey(learner);
        const kubeconfig = deps.environments.kubeconfig(key);
        if (!kubeconfig || deps.environments.status(key).state !== 'ready') continue;
        // Lab ids start with their number ("01-liveness"); a lab once passed stays passed.
        const passed = new Set(deps.store.progress(key).filter((p) => p.firstPassedAt).map((p) => Number(p.lab.slice(0, 2))));
        for (const lab of cohort.labs.filter((n) => !passed.has(n))) {
          jobs.push(async () => ({ cohortId, changed: await gradeOne(cohortId, learner.id, lab, kubeconfig) }));
        }
      }
    }
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (!stopped && next < jobs.length) {
        const outcome = await jobs[next++]!();
        // Dashboards hear of a change at once, not at the end of the round.
        if (outcome.changed) deps.changed(outcome.cohortId);
      }
    }));
  }

  const tick = async () => {
    if (stopped) return;
    running = round().catch((error: unknown) => deps.log?.(`grading: ${(error as Error).message}`));
    await running;
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  let timer = setTimeout(() => void tick(), everyMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    round,
  };
}
