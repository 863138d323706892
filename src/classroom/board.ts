// What the instructor's dashboard shows, computed from the progress store: the learners × labs
// grid, cohort-wide failure reasons per task, stuck learners, who has not started which lab.
import type { LabProgress } from '../store/progress-store.ts';
import type { Cohort, Learner } from './cohorts.ts';
import { learnerKey } from './learner-key.ts';

export type Cell = {
  lab: number;
  /** The learner touched this lab since its last reset (src/store/lab-start.ts, lab-clock.ts): a Check, a result that saw their work (a near miss too), or a command naming its namespace. */
  started: boolean;
  passed: boolean;
  tasksPassed: number;
  tasksTotal: number;
  /** Checks the learner pressed since the lab's last reset. */
  attempts: number;
  /** From the learner's start of this lab to its first pass (or now); 0 when not started. */
  minutes: number;
  stuck: boolean;
  /** A started lab not passed yet: what each failing task expected and observed in the latest result. */
  reasons: Reason[];
};
export type Reason = { task: string; expected?: string; observed?: string; nearMiss?: true };
export type Row = { learner: { id: number; displayName: string }; cells: Cell[] };
/**
 * "7 learners: probe port 8081" — per lab task, the learners who started the lab and whose latest
 * result fails the task, by what was observed. `started`: how many learners started that lab;
 * `latestAt`: the newest of their results (ISO).
 */
export type FailureReason = {
  lab: number; task: string; observed: string; learners: string[]; started: number; latestAt: string;
  /** What the lab looks for is elsewhere (grader/near-miss.ts): one group per lab and place, whichever tasks it fails. */
  nearMiss?: true;
};
/** Learners who have not started a lab: a quiet count, never a failure. */
export type NotStarted = { lab: number; learners: string[] };

/** Stuck: on a lab this long (since starting it) without passing, having pressed Check this often. */
export const STUCK_MINUTES = 15;
export const STUCK_ATTEMPTS = 3;

/** A lab as the classroom needs it; `namespaces`: where a learner's command starts it (command-starts.ts). */
export type LabCatalogEntry = { number: number; id: string; tasks: { id: string; title: string }[]; namespaces?: readonly string[] };

/** Started once a start was recorded; a passed lab was started at the latest when it passed. */
function startOf(entry: LabProgress | undefined): string | undefined {
  return entry?.startedAt ?? entry?.firstPassedAt;
}

/** The learner's progress on each of the cohort's labs, by lab number. */
function labsOf(cohort: Cohort, mine: LabProgress[], catalog: LabCatalogEntry[]) {
  return cohort.labs.map((number) => {
    const lab = catalog.find((entry) => entry.number === number);
    return { number, lab, entry: lab && mine.find((p) => p.lab === lab.id) };
  });
}

export function grid(cohort: Cohort, learners: Learner[], progress: Map<string, LabProgress[]>, catalog: LabCatalogEntry[], now = Date.now()): Row[] {
  return learners.map((learner) => ({
    learner: { id: learner.id, displayName: learner.displayName },
    cells: labsOf(cohort, progress.get(learnerKey(learner)) ?? [], catalog).map(({ number, lab, entry }): Cell => {
      const tasksTotal = lab?.tasks.length ?? 0;
      const start = startOf(entry);
      if (!entry || !start) return { lab: number, started: false, passed: false, tasksPassed: 0, tasksTotal, attempts: 0, minutes: 0, stuck: false, reasons: [] };
      const passed = Boolean(entry.firstPassedAt);
      const end = entry.firstPassedAt ? Date.parse(entry.firstPassedAt) : now;
      const minutes = Math.max(0, Math.round((end - Date.parse(start)) / 60_000));
      return {
        lab: number,
        started: true,
        passed,
        tasksPassed: entry.checks.filter((c) => c.passed).length,
        tasksTotal,
        attempts: entry.attempts,
        minutes,
        stuck: !passed && minutes >= STUCK_MINUTES && entry.attempts >= STUCK_ATTEMPTS,
        reasons: passed ? [] : entry.checks.filter((c) => !c.passed).map(({ id, expected, observed, nearMiss }) => ({ task: id, ...(expected ? { expected } : {}), ...(observed ? { observed } : {}), ...(nearMiss ? { nearMiss: true as const } : {}) })),
      };
    }),
  }));
}

/**
 * What is failing across the class: only labs a learner started and has not passed, grouped by
 * lab, task and what the grader observed. Most learners first; among equals, the group whose
 * newest result is newest (what is going wrong now), then course order.
 */
export function failureReasons(cohort: Cohort, learners: Learner[], progress: Map<string, LabProgress[]>, catalog: LabCatalogEntry[]): FailureReason[] {
  const groups = new Map<string, FailureReason>();
  const started = new Map<number, number>();
  for (const learner of learners) {
    for (const { number, entry } of labsOf(cohort, progress.get(learnerKey(learner)) ?? [], catalog)) {
      if (!entry || !startOf(entry)) continue;
      started.set(number, (started.get(number) ?? 0) + 1);
      if (entry.firstPassedAt) continue;
      let nearMissCounted = false;
      for (const check of entry.checks.filter((c) => !c.passed)) {
        // One stray fails several tasks: the learner is in one near-miss group per lab.
        if (check.nearMiss && nearMissCounted) continue;
        nearMissCounted ||= Boolean(check.nearMiss);
        const observed = check.observed ?? '';
        const key = check.nearMiss ? `${number}\u0000near miss\u0000${observed}` : `${number}\u0000${check.id}\u0000${observed}`;
        const group = groups.get(key) ?? { lab: number, task: check.id, observed, learners: [], started: 0, latestAt: '', ...(check.nearMiss && { nearMiss: true as const }) };
        group.learners.push(learner.displayName);
        if (entry.lastAttemptAt > group.latestAt) group.latestAt = entry.lastAttemptAt;
        groups.set(key, group);
      }
    }
  }
  const order = (lab: number, task: string) => catalog.find((c) => c.number === lab)?.tasks.findIndex((t) => t.id === task) ?? 0;
  return [...groups.values()]
    .map((group) => ({ ...group, started: started.get(group.lab) ?? 0 }))
    .sort((a, b) => b.learners.length - a.learners.length || b.latestAt.localeCompare(a.latestAt) || a.lab - b.lab || order(a.lab, a.task) - order(b.lab, b.task));
}

/** Per lab of the cohort, the learners who have not started it (labs everyone started are left out). */
export function notStarted(cohort: Cohort, learners: Learner[], progress: Map<string, LabProgress[]>, catalog: LabCatalogEntry[]): NotStarted[] {
  const byLab = new Map<number, string[]>(cohort.labs.map((n) => [n, []]));
  for (const learner of learners) {
    for (const { number, entry } of labsOf(cohort, progress.get(learnerKey(learner)) ?? [], catalog)) {
      if (!startOf(entry)) byLab.get(number)!.push(learner.displayName);
    }
  }
  return [...byLab].filter(([, names]) => names.length > 0).map(([lab, names]) => ({ lab, learners: names }));
}
