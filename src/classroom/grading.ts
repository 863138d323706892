// Continuous grading: the server grades every learner's unfinished labs in the background, so
// the dashboard's grid moves while learners work, without anyone pressing Check. The same
// verifyLab as the Check button. A result is recorded (as an 'auto' attempt) only when it differs
// from the learner's latest for that lab, so the store does not fill with repeats.
import type { LabResult } from '../../grader/result.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import { learnerKey } from './learner-key.ts';
import type { Cohorts } from './cohorts.ts';
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';

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
  /** After a learner's command, grade them after each of these delays (default NUDGE_DELAYS_MS). */
  nudgeDelaysMs?: number[];
  /** After a cluster event, grade once no other came for this long (default SETTLE_MS). */
  settleMs?: number;
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

/** A command's effect is often seen at once, sometimes after a pod starts or a probe restarts it. */
export const NUDGE_DELAYS_MS = [1000, 5000, 15_000];

/** Watch events come in bursts (a rollout: a dozen pod updates in a second): one grading after. */
export const SETTLE_MS = 300;

export type Grading = { stop(): void; round(): Promise<void>; nudge(learnerId: number): void; clusterChanged(learnerId: number): void };

export function startGrading(deps: GradingDeps): Grading {
  const everyMs = deps.everyMs ?? 15_000;
  const concurrency = deps.concurrency ?? 2;
  let stopped = false;
  let running: Promise<void> | undefined;

  async function gradeOne(cohortId: number, learnerId: number, lab: number, kubeconfig: string): Promise<boolean> {
    try {
      const result = await deps.verify(lab, kubeconfig);
      const key = learnerKey({ id: learnerId });
      const latest = deps.store.progress(key).find((p) => p.lab === result.lab);
      if (latest && sameOutcome(result.checks, latest.checks)) return false;
      deps.store.record(result, key, 'auto');
      return true;
    } catch (error) {
      deps.log?.(`grading: cohort ${cohortId}, learner ${learnerId}, lab ${lab}: ${(error as Error).message.split('\n')[0]}`);
      return false;
    }
  }

  type Job = () => Promise<void>;
  /** Learner and lab pairs being graded now: a nudge and a round never grade one twice at once. */
  const inFlight = new Set<string>();
  /** Pairs asked for while being graded: graded once more when that run ends (the cluster moved meanwhile). */
  const again = new Set<string>();

  /** The learner's labs of this cohort not passed yet, each a grading job. */
  function learnerJobs(cohortId: number, labs: number[], learner: { id: number }): Job[] {
    const key = learnerKey(learner);
    const kubeconfig = deps.environments.kubeconfig(key);
    if (!kubeconfig || deps.environments.status(key).state !== 'ready') return [];
    // Lab ids start with their number ("01-liveness"); a lab once passed stays passed.
    const passed = new Set(deps.store.progress(key).filter((p) => p.firstPassedAt).map((p) => Number(p.lab.slice(0, 2))));
    return labs.filter((n) => !passed.has(n)).map((lab) => async () => {
      const busy = `${learner.id}/${lab}`;
      if (inFlight.has(busy)) return void again.add(busy);
      inFlight.add(busy);
      try {
        do {
          again.delete(busy);
          // Dashboards hear of a change at once, not at the end of the round.
          if (await gradeOne(cohortId, learner.id, lab, kubeconfig)) deps.changed(cohortId);
        } while (again.has(busy) && !stopped);
      } finally {
        inFlight.delete(busy);
      }
    });
  }

  async function runJobs(jobs: Job[]): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (!stopped && next < jobs.length) await jobs[next++]!();
    }));
  }

  async function round(): Promise<void> {
    const jobs: Job[] = [];
    for (const cohortId of deps.openCohorts()) {
      const cohort = deps.cohorts.get(cohortId);
      if (!cohort) continue;
      for (const learner of deps.cohorts.learners(cohortId)) jobs.push(...learnerJobs(cohortId, cohort.labs, learner));
    }
    await runJobs(jobs);
  }

  /** Grades the learner's open labs now (not once their class has ended, or grading stopped). */
  function gradeLearner(learnerId: number): void {
    const learner = deps.cohorts.learner(learnerId);
    const cohort = learner && deps.cohorts.get(learner.cohortId);
    if (!learner || !cohort || cohort.endedAt || stopped) return;
    void runJobs(learnerJobs(cohort.id, cohort.labs, learner)).catch((error: unknown) => deps.log?.(`grading: ${(error as Error).message}`));
  }

  const soon = new Map<number, ReturnType<typeof setTimeout>[]>();
  /**
   * A learner just ran something in their terminal: grade their open labs shortly after, and
   * again as what they started settles (a pod starting, a probe restarting it), so the grid
   * moves within seconds rather than at the next round.
   */
  function nudge(learnerId: number): void {
    if (stopped) return;
    for (const t of soon.get(learnerId) ?? []) clearTimeout(t);
    soon.set(learnerId, (deps.nudgeDelaysMs ?? NUDGE_DELAYS_MS).map((delay) => setTimeout(() => gradeLearner(learnerId), delay)));
  }

  const settling = new Map<number, ReturnType<typeof setTimeout>>();
  /**
   * Something changed in the learner's cluster (a watch event): grade their open labs once the
   * burst of events settles (SETTLE_MS after the last), so the grid follows the cluster within
   * about a second.
   */
  function clusterChanged(learnerId: number): void {
    if (stopped) return;
    clearTimeout(settling.get(learnerId));
    settling.set(learnerId, setTimeout(() => {
      settling.delete(learnerId);
      gradeLearner(learnerId);
    }, deps.settleMs ?? SETTLE_MS));
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
      for (const timers of soon.values()) for (const t of timers) clearTimeout(t);
      for (const t of settling.values()) clearTimeout(t);
    },
    round,
    nudge,
    clusterChanged,
  };
}
