// A lab's clock (issue #21): it starts at the learner's first touch of the lab (lab-start.ts: a
// Check, a result that saw their work; or a command in the lab's namespace) and restarts after a
// reset: the lab is not started again until the next touch, and Checks pressed before the reset
// no longer count toward "stuck". A pass stays a pass, and so does its time: a passed lab keeps
// the start its first pass was timed from.
//
// The SQL here runs on the tables of migrations 3 (lab_starts) and 4 (lab_resets). Migration 3
// uses database.ts's START_LAB, which must keep working on a schema without lab_resets.
import type { DatabaseSync } from 'node:sqlite';

export type StartSource = 'check' | 'auto' | 'command';

/**
 * Records a start, keeping the earliest, unless the lab was reset at or after it: a result
 * graded while a reset was deleting the lab's objects must not start the lab again.
 */
const START_SINCE_RESET = `INSERT INTO lab_starts (learner, lab, started_at, source)
  SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM lab_resets r WHERE r.learner = ?1 AND r.lab = ?2 AND r.reset_at >= ?3)
  ON CONFLICT (learner, lab) DO UPDATE SET started_at = excluded.started_at, source = excluded.source
  WHERE excluded.started_at < lab_starts.started_at`;

/** True when this start was recorded (the lab had none, or a later one). */
export function recordStart(db: DatabaseSync, learner: string, lab: string, at: string, source: StartSource): boolean {
  return Number(db.prepare(START_SINCE_RESET).run(learner, lab, at, source).changes) > 0;
}

/** The lab was reset at `at` (once its objects were gone): its clock waits for the next touch. */
export function recordReset(db: DatabaseSync, learner: string, lab: string, at: string): void {
  db.prepare(
    `INSERT INTO lab_resets (learner, lab, reset_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (learner, lab) DO UPDATE SET reset_at = max(reset_at, excluded.reset_at)`,
  ).run(learner, lab, at);
  db.prepare(
    `DELETE FROM lab_starts WHERE learner = ?1 AND lab = ?2 AND started_at <= ?3
       AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.learner = ?1 AND a.lab = ?2 AND a.passed = 1)`,
  ).run(learner, lab, at);
}
