// Learner progress: every verify result, kept in one SQLite file (node:sqlite, no dependency).
// Minimal for solo mode: one learner ("solo"); the classroom issue adds cohorts.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { LabResult } from '../../grader/result.ts';

export type LabProgress = {
  lab: string;
  passed: boolean;
  score: number;
  maxScore: number;
  /** When the latest attempt started (ISO). */
  lastAttemptAt: string;
  attempts: number;
  /** When the lab first passed (ISO), if ever. */
  firstPassedAt?: string;
  /** Each task's outcome in the latest attempt (the lab card's ✓/✗). */
  checks: { id: string; passed: boolean }[];
};

export class ProgressStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS attempts (
        id INTEGER PRIMARY KEY,
        learner TEXT NOT NULL,
        lab TEXT NOT NULL,
        passed INTEGER NOT NULL,
        score INTEGER NOT NULL,
        max_score INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        result TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS attempts_by_learner_lab ON attempts (learner, lab);
    `);
  }

  record(result: LabResult, learner = 'solo'): void {
    this.db
      .prepare('INSERT INTO attempts (learner, lab, passed, score, max_score, started_at, result) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(learner, result.lab, result.passed ? 1 : 0, result.score, result.maxScore, result.startedAt, JSON.stringify(result));
  }

  /** Per lab: the latest attempt's outcome, attempt count and first pass. */
  progress(learner = 'solo'): LabProgress[] {
    const rows = this.db
      .prepare(
        `SELECT lab,
                COUNT(*) AS attempts,
                MIN(CASE WHEN passed = 1 THEN started_at END) AS first_passed_at,
                (SELECT a2.passed FROM attempts a2 WHERE a2.learner = a.learner AND a2.lab = a.lab ORDER BY a2.id DESC LIMIT 1) AS passed,
                (SELECT a2.score FROM attempts a2 WHERE a2.learner = a.learner AND a2.lab = a.lab ORDER BY a2.id DESC LIMIT 1) AS score,
                (SELECT a2.max_score FROM attempts a2 WHERE a2.learner = a.learner AND a2.lab = a.lab ORDER BY a2.id DESC LIMIT 1) AS max_score,
                (SELECT a2.result FROM attempts a2 WHERE a2.learner = a.learner AND a2.lab = a.lab ORDER BY a2.id DESC LIMIT 1) AS result,
                MAX(started_at) AS last_attempt_at
           FROM attempts a WHERE learner = ? GROUP BY lab ORDER BY lab`,
      )
      .all(learner) as Array<Record<string, string | number | null>>;
    return rows.map((row) => {
      const entry: LabProgress = {
        lab: String(row.lab),
        passed: row.passed === 1,
        score: Number(row.score),
        maxScore: Number(row.max_score),
        lastAttemptAt: String(row.last_attempt_at),
        attempts: Number(row.attempts),
        checks: ((JSON.parse(String(row.result)) as LabResult).checks ?? []).map(({ id, passed }) => ({ id, passed })),
      };
      if (row.first_passed_at) entry.firstPassedAt = String(row.first_passed_at);
      return entry;
    });
  }

  close(): void {
    this.db.close();
  }
}
