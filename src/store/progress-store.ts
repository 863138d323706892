// Learner progress: every verify result, kept in the platform's SQLite database (database.ts).
// Solo mode has one learner ("solo"); classroom learners are "learner:<id>".
import type { DatabaseSync } from 'node:sqlite';
import type { LabResult } from '../../grader/result.ts';
import { openDatabase } from './database.ts';
import { recordReset, recordStart } from './lab-clock.ts';
import { startsLab } from './lab-start.ts';

export type LabProgress = {
  lab: string;
  passed: boolean;
  score: number;
  maxScore: number;
  /** When the first result for this lab was recorded, and the latest (ISO). */
  firstSeenAt: string;
  lastAttemptAt: string;
  /** How many times the learner pressed Check since the lab's last reset (background grading is not counted). */
  attempts: number;
  /** When the lab first passed (ISO), if ever. */
  firstPassedAt?: string;
  /**
   * When the learner started the lab (lab-start.ts: their first Check, the first result that saw
   * their work, or a command in the lab's namespace), if they have since its last reset (lab-clock.ts).
   */
  startedAt?: string;
  /** Each task's outcome in the latest result (the lab card's ✓/✗; what a failing one expected and observed). */
  checks: { id: string; passed: boolean; expected?: string; observed?: string; nearMiss?: true }[];
};

export class ProgressStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openDatabase(file);
  }

  /** The same database, for the classroom's tables (one store, one file). */
  get database(): DatabaseSync {
    return this.db;
  }

  /**
   * One attempt and its per-task rows, in one transaction (all or nothing, even on kill -9).
   * `source`: the learner pressed Check (counts as an attempt) or the server graded in the background.
   */
  record(result: LabResult, learner = 'solo', source: 'check' | 'auto' = 'check'): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO attempts (learner, lab, passed, score, max_score, started_at, result, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(learner, result.lab, result.passed ? 1 : 0, result.score, result.maxScore, result.startedAt, JSON.stringify(result), source);
      const task = this.db.prepare('INSERT INTO attempt_tasks (attempt_id, task, passed, points, observed) VALUES (?, ?, ?, ?, ?)');
      for (const check of result.checks) task.run(lastInsertRowid, check.id, check.passed ? 1 : 0, check.points, check.observed ?? null);
      if (startsLab(result, source)) recordStart(this.db, learner, result.lab, result.startedAt, source);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The learner ran a command in the lab's namespace at `at`. True when that started the lab (it had not been). */
  commandStarted(learner: string, lab: string, at: string): boolean {
    return recordStart(this.db, learner, lab, at, 'command');
  }

  /** The lab was reset for the learner at `at` (when its objects were gone): its clock restarts at the next touch. */
  labReset(learner: string, lab: string, at: string): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      recordReset(this.db, learner, lab, at);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Per lab: the latest result's outcome (per task too), Checks pressed, first seen and first pass. */
  progress(learner = 'solo'): LabProgress[] {
    return this.progressOf([learner]).get(learner) ?? [];
  }

  /**
   * progress() for many learners in one query (the cohort dashboard). A lab started by a command
   * before any result of it was recorded is there too, with no checks and no score yet.
   */
  progressOf(learners: string[]): Map<string, LabProgress[]> {
    const byLearner = new Map<string, LabProgress[]>();
    if (learners.length === 0) return byLearner;
    const list = learners.map(() => '?').join(', ');
    const rows = this.db
      .prepare(
        `WITH mine AS (SELECT * FROM attempts WHERE learner IN (${list})),
              latest AS (SELECT learner, lab, passed, score, max_score, result,
                                ROW_NUMBER() OVER (PARTITION BY learner, lab ORDER BY id DESC) AS rn FROM mine),
              totals AS (SELECT m.learner, m.lab,
                                SUM(m.source = 'check' AND (r.reset_at IS NULL OR m.started_at > r.reset_at)) AS attempts,
                                MIN(CASE WHEN m.passed = 1 THEN m.started_at END) AS first_passed_at,
                                MIN(m.started_at) AS first_seen_at, MAX(m.started_at) AS last_attempt_at
                           FROM mine m LEFT JOIN lab_resets r ON r.learner = m.learner AND r.lab = m.lab
                          GROUP BY m.learner, m.lab)
         SELECT t.learner, t.lab, t.attempts, t.first_passed_at, t.first_seen_at, t.last_attempt_at,
                l.passed, l.score, l.max_score, l.result, s.started_at
           FROM totals t JOIN latest l ON l.learner = t.learner AND l.lab = t.lab AND l.rn = 1
           LEFT JOIN lab_starts s ON s.learner = t.learner AND s.lab = t.lab
         UNION ALL
         SELECT s.learner, s.lab, 0, NULL, s.started_at, s.started_at, 0, 0, 0, NULL, s.started_at
           FROM lab_starts s
          WHERE s.learner IN (${list}) AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.learner = s.learner AND a.lab = s.lab)
          ORDER BY 1, 2`,
      )
      .all(...learners, ...learners) as Array<Record<string, string | number | null>>;
    for (const row of rows) {
      const entry: LabProgress = {
        lab: String(row.lab),
        passed: row.passed === 1,
        score: Number(row.score),
        maxScore: Number(row.max_score),
        firstSeenAt: String(row.first_seen_at),
        lastAttemptAt: String(row.last_attempt_at),
        attempts: Number(row.attempts),
        checks: (row.result === null ? [] : ((JSON.parse(String(row.result)) as LabResult).checks ?? [])).map(({ id, passed, expected, observed, nearMiss }) => ({
          id,
          passed,
          ...(expected && !passed ? { expected } : {}),
          ...(observed && !passed ? { observed } : {}),
          ...(nearMiss && !passed ? { nearMiss: true as const } : {}),
        })),
      };
      if (row.first_passed_at) entry.firstPassedAt = String(row.first_passed_at);
      if (row.started_at) entry.startedAt = String(row.started_at);
      const list = byLearner.get(String(row.learner)) ?? [];
      list.push(entry);
      byLearner.set(String(row.learner), list);
    }
    return byLearner;
  }

  /** Every attempt of these learners, oldest first (grade export). */
  attemptsOf(learners: string[]): Array<{ learner: string; lab: string; startedAt: string; source: string; result: LabResult }> {
    if (learners.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT learner, lab, started_at, source, result FROM attempts WHERE learner IN (${learners.map(() => '?').join(', ')}) ORDER BY id`)
      .all(...learners) as Array<{ learner: string; lab: string; started_at: string; source: string; result: string }>;
    return rows.map((row) => ({ learner: row.learner, lab: row.lab, startedAt: row.started_at, source: row.source, result: JSON.parse(row.result) as LabResult }));
  }

  close(): void {
    this.db.close();
  }
}
