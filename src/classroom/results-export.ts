// A cohort's grades for the instructor to download: per learner, lab and task, the points and
// when it first passed (empty if never), as JSON rows or as a CSV that opens right in Excel,
// LibreOffice and Google Sheets: UTF-8 with a byte-order mark (without one Excel on Windows
// reads a Korean name as Latin-1), RFC 4180 (every cell quoted, CRLF), readable columns (the
// class, the lab's number and title, the task's title) beside the ids, rows in course order.
import type { LabResult } from '../../grader/result.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import type { Cohorts } from './cohorts.ts';
import { learnerKey } from './learner-key.ts';

export type ResultRow = { learner: string; lab: string; task: string; points: number; passed: boolean; passedAt: string };

/** The course's labs as the export names them: number, title and task titles, in the page's language. */
export type CourseLab = { number: number; id: string; title: string; tasks: { id: string; title: string }[] };

/** The cohort's rows in course order: learners as they joined, labs by number, tasks as the lab lists them. */
export function cohortResults(cohorts: Cohorts, store: Pick<ProgressStore, 'attemptsOf'>, cohortId: number, labs: CourseLab[] = []): { cohort: { id: number; name: string }; rows: ResultRow[] } {
  const cohort = cohorts.get(cohortId)!;
  const learners = cohorts.learners(cohortId);
  const names = new Map(learners.map((l) => [learnerKey(l), l.displayName]));
  const best = new Map<string, { points: number; passedAt: string }>();
  for (const attempt of store.attemptsOf([...names.keys()])) {
    for (const check of (attempt.result as LabResult).checks) {
      const key = `${attempt.learner}\u0000${attempt.lab}\u0000${check.id}`;
      const seen = best.get(key);
      if (!seen) best.set(key, { points: check.passed ? check.points : 0, passedAt: check.passed ? attempt.startedAt : '' });
      else if (check.passed && !seen.passedAt) best.set(key, { points: check.points, passedAt: attempt.startedAt });
    }
  }
  const order = courseOrder([...names.keys()], labs);
  const entries = [...best].map(([key, value]) => ({ key: key.split('\u0000') as [string, string, string], value }));
  entries.sort((a, b) => order(a.key) - order(b.key) || a.key.join('\u0000').localeCompare(b.key.join('\u0000')));
  const rows = entries.map(({ key: [learner, lab, task], value }): ResultRow => (
    { learner: names.get(learner) ?? learner, lab, task, points: value.points, passed: Boolean(value.passedAt), passedAt: value.passedAt }
  ));
  return { cohort: { id: cohort.id, name: cohort.name }, rows };
}

/** A sort key for (learner, lab id, task id): join order, then lab number, then the task's place; what the course does not know goes last. */
function courseOrder(learners: string[], labs: CourseLab[]): (key: [string, string, string]) => number {
  const unknown = 999;
  return ([learner, labId, taskId]) => {
    const who = learners.indexOf(learner);
    const lab = labs.find((entry) => entry.id === labId);
    const task = lab ? lab.tasks.findIndex((entry) => entry.id === taskId) : -1;
    return ((who < 0 ? unknown : who) * 1000 + (lab ? lab.number : unknown)) * 1000 + (task < 0 ? unknown : task);
  };
}

const HEADERS = {
  en: ['Class', 'Learner', 'Lab', 'Lab title', 'Task', 'Points', 'Passed', 'Passed at', 'Lab id', 'Task id'],
  ko: ['수업', '학습자', '실습', '실습 제목', '과제', '점수', '통과', '통과 시각', '실습 ID', '과제 ID'],
};

/** The byte-order mark that tells Excel the file is UTF-8. */
export const UTF8_BOM = '\uFEFF';

/** The CSV file: a BOM, a header row, one row per learner and task, CRLF line ends, every cell quoted (csvCell). */
export function resultsCsv(cohortName: string, rows: ResultRow[], labs: CourseLab[] = [], language: 'en' | 'ko' = 'en'): string {
  const lines = rows.map((r) => {
    const lab = labs.find((entry) => entry.id === r.lab);
    const task = lab?.tasks.find((entry) => entry.id === r.task);
    return [cohortName, r.learner, lab?.number ?? '', lab?.title ?? r.lab, task?.title ?? r.task, r.points, r.passed, r.passedAt, r.lab, r.task].map(csvCell).join(',');
  });
  return UTF8_BOM + [HEADERS[language].map(csvCell).join(','), ...lines].join('\r\n') + '\r\n';
}

/** CSV cells: quoted, and never read as a formula by a spreadsheet (=, +, -, @ at the start). */
export function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}
