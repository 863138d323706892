// A cohort's grades for the instructor to download: per learner, lab and task, the points and
// when it first passed (empty if never), as CSV or JSON rows.
import type { LabResult } from '../../grader/result.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import type { Cohorts } from './cohorts.ts';
import { learnerKey } from './learner-key.ts';

export type ResultRow = { learner: string; lab: string; task: string; points: number; passed: boolean; passedAt: string };

export function cohortResults(cohorts: Cohorts, store: Pick<ProgressStore, 'attemptsOf'>, cohortId: number): { cohort: { id: number; name: string }; file: string; rows: ResultRow[] } {
  const cohort = cohorts.get(cohortId)!;
  const names = new Map(cohorts.learners(cohortId).map((l) => [learnerKey(l), l.displayName]));
  const best = new Map<string, { points: number; passedAt: string }>();
  for (const attempt of store.attemptsOf([...names.keys()])) {
    for (const check of (attempt.result as LabResult).checks) {
      const key = `${attempt.learner}\u0000${attempt.lab}\u0000${check.id}`;
      const seen = best.get(key);
      if (!seen) best.set(key, { points: check.passed ? check.points : 0, passedAt: check.passed ? attempt.startedAt : '' });
      else if (check.passed && !seen.passedAt) best.set(key, { points: check.points, passedAt: attempt.startedAt });
    }
  }
  const rows = [...best].map(([key, value]): ResultRow => {
    const [learner, lab, task] = key.split('\u0000') as [string, string, string];
    return { learner: names.get(learner) ?? learner, lab, task, points: value.points, passed: Boolean(value.passedAt), passedAt: value.passedAt };
  });
  // A file name any system accepts, from the cohort's name.
  const file = `${cohort.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'cohort'}-results`;
  return { cohort: { id: cohort.id, name: cohort.name }, file, rows };
}

/** CRLF lines, every cell quoted and safe from spreadsheet formulas (csvCell). */
export function resultsCsv(rows: ResultRow[]): string {
  const lines = rows.map((r) => [r.learner, r.lab, r.task, r.points, r.passed, r.passedAt].map(csvCell).join(','));
  return ['learner,lab,task,points,passed,passed_at', ...lines].join('\r\n') + '\r\n';
}

/** CSV cells: quoted, and never read as a formula by a spreadsheet (=, +, -, @ at the start). */
export function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}
