// What the instructor's dashboard shows, computed from the progress store: the learners × labs
// grid, cohort-wide failure reasons per task, stuck learners, and the grade export.
import type { LabProgress } from '../store/progress-store.ts';
import type { Cohort, Learner } from './cohorts.ts';

export type Cell = {
  lab: number;
  passed: boolean;
  tasksPassed: number;
  tasksTotal: number;
  /** Checks the learner pressed. */
  attempts: number;
  /** From the first result on this lab to its first pass (or now). */
  minutes: number;
  stuck: boolean;
};
export type Row = { learner: { id: number; displayName: string }; cells: Cell[] };
/** "7 learners: probe port 8081" — per lab task, learners whose latest result fails it, by what was observed. */
export type FailureReason = { lab: number; task: string; observed: string; learners: string[] };

/** Stuck: on a lab this long without passing, having pressed Check this often. */
export const STUCK_MINUTES = 15;
export const STUCK_ATTEMPTS = 3;

export const learnerKey = (learner: { id: number }): string => `learner:${learner.id}`;

export type LabCatalogEntry = { number: number; id: string; tasks: { id: string; title: string }[] };

export function grid(cohort: Cohort, learners: Learner[], progress: Map<string, LabProgress[]>, catalog: LabCatalogEntry[], now = Date.now()): Row[] {
  return learners.map((learner) => {
    const mine = progress.get(learnerKey(learner)) ?? [];
    return {
      learner: { id: learner.id, displayName: learner.displayName },
      cells: cohort.labs.map((number) => {
        const lab = catalog.find((entry) => entry.number === number);
        const entry = mine.find((p) => p.lab === lab?.id);
        const tasksTotal = lab?.tasks.length ?? 0;
        if (!entry) return { lab: number, passed: false, tasksPassed: 0, tasksTotal, attempts: 0, minutes: 0, stuck: false };
        const end = entry.firstPassedAt ? Date.parse(entry.firstPassedAt) : now;
        const minutes = Math.max(0, Math.round((end - Date.parse(entry.firstSeenAt)) / 60_000));
        const passed = Boolean(entry.firstPassedAt);
        return {
          lab: number,
          passed,
          tasksPassed: entry.checks.filter((c) => c.passed).length,
          tasksTotal,
          attempts: entry.attempts,
          minutes,
          stuck: !passed && minutes >= STUCK_MINUTES && entry.attempts >= STUCK_ATTEMPTS,
        };
      }),
    };
  });
}

export function failureReasons(cohort: Cohort, learners: Learner[], progress: Map<string, LabProgress[]>, catalog: LabCatalogEntry[]): FailureReason[] {
  const groups = new Map<string, FailureReason>();
  for (const learner of learners) {
    for (const entry of progress.get(learnerKey(learner)) ?? []) {
      const lab = catalog.find((c) => c.id === entry.lab);
      if (!lab || !cohort.labs.includes(lab.number) || entry.firstPassedAt) continue;
      for (const check of entry.checks.filter((c) => !c.passed)) {
        const observed = check.observed ?? '';
        const key = `${lab.number}\u0000${check.id}\u0000${observed}`;
        const group = groups.get(key) ?? { lab: lab.number, task: check.id, observed, learners: [] };
        group.learners.push(learner.displayName);
        groups.set(key, group);
      }
    }
  }
  return [...groups.values()].sort((a, b) => b.learners.length - a.learners.length || a.lab - b.lab);
}

/** CSV cells: quoted, and never read as a formula by a spreadsheet (=, +, -, @ at the start). */
export function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}
