// The platform's one SQLite database (node:sqlite): opened in WAL mode, so a kill -9 at any
// moment loses no committed row and corrupts nothing, and brought up to date by numbered
// migrations (PRAGMA user_version counts the ones applied). A migration runs in a transaction:
// it applies whole or not at all. Never edit a released migration; add the next one.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { LabResult } from '../../grader/result.ts';
import { startsLab } from './lab-start.ts';

/** SQL, or a function for what SQL alone cannot say (it runs inside the migration's transaction). */
type Migration = string | ((db: DatabaseSync) => void);

const MIGRATIONS: readonly Migration[] = [
  // 1: solo mode's attempts (existing databases already have the table).
  `CREATE TABLE IF NOT EXISTS attempts (
     id INTEGER PRIMARY KEY,
     learner TEXT NOT NULL,
     lab TEXT NOT NULL,
     passed INTEGER NOT NULL,
     score INTEGER NOT NULL,
     max_score INTEGER NOT NULL,
     started_at TEXT NOT NULL,
     result TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS attempts_by_learner_lab ON attempts (learner, lab);`,
  // 2: classroom mode: instructors, cohorts, learners, server-side sessions, per-task results;
  //    attempts say whether a learner pressed Check or the server graded in the background.
  `ALTER TABLE attempts ADD COLUMN source TEXT NOT NULL DEFAULT 'check';
   CREATE TABLE instructors (
     id INTEGER PRIMARY KEY,
     username TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE cohorts (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     join_code TEXT NOT NULL UNIQUE,
     labs TEXT NOT NULL,
     capacity INTEGER NOT NULL,
     created_by INTEGER NOT NULL REFERENCES instructors(id),
     created_at TEXT NOT NULL,
     ended_at TEXT
   );
   CREATE TABLE learners (
     id INTEGER PRIMARY KEY,
     cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
     display_name TEXT NOT NULL,
     resume_code TEXT NOT NULL UNIQUE,
     joined_at TEXT NOT NULL,
     UNIQUE (cohort_id, display_name)
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('instructor', 'learner')),
     subject_id INTEGER NOT NULL,
     csrf TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );
   CREATE TABLE attempt_tasks (
     attempt_id INTEGER NOT NULL REFERENCES attempts(id),
     task TEXT NOT NULL,
     passed INTEGER NOT NULL,
     points INTEGER NOT NULL,
     observed TEXT,
     PRIMARY KEY (attempt_id, task)
   );`,
  // 3: when each learner started each lab (lab-start.ts: a Check, or a result that saw their
  //    work), so time on a lab counts from there and untouched labs stay "not started". Filled
  //    from the attempts already recorded.
  (db) => {
    db.exec(`CREATE TABLE lab_starts (
               learner TEXT NOT NULL,
               lab TEXT NOT NULL,
               started_at TEXT NOT NULL,
               source TEXT NOT NULL,
               PRIMARY KEY (learner, lab)
             )`);
    const start = db.prepare(START_LAB);
    for (const row of db.prepare('SELECT learner, lab, started_at, source, result FROM attempts ORDER BY id').iterate() as Iterable<{ learner: string; lab: string; started_at: string; source: string; result: string }>) {
      const source = row.source === 'auto' ? 'auto' : 'check';
      let result: Pick<LabResult, 'checks'>;
      try {
        result = JSON.parse(row.result) as LabResult;
      } catch {
        continue;
      }
      if (startsLab({ checks: result.checks ?? [] }, source)) start.run(row.learner, row.lab, row.started_at, source);
    }
  },
  // 4: when each learner's lab was last reset (lab-clock.ts): its clock restarts at the next
  //    touch, and Checks before the reset no longer count toward "stuck". (IF NOT EXISTS: a
  //    database whose user_version was set back by hand keeps the table it has.)
  `CREATE TABLE IF NOT EXISTS lab_resets (
     learner TEXT NOT NULL,
     lab TEXT NOT NULL,
     reset_at TEXT NOT NULL,
     PRIMARY KEY (learner, lab)
   );`,
];

/** Records a learner's start of a lab, keeping the earliest (migration 3's; later starts go through lab-clock.ts). */
export const START_LAB = `INSERT INTO lab_starts (learner, lab, started_at, source) VALUES (?, ?, ?, ?)
  ON CONFLICT (learner, lab) DO UPDATE SET started_at = excluded.started_at, source = excluded.source
  WHERE excluded.started_at < lab_starts.started_at`;

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  migrate(db, file);
  return db;
}

function migrate(db: DatabaseSync, file: string): void {
  const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (current > MIGRATIONS.length) {
    throw new Error(`${file}: database schema ${current} is newer than this version of the platform knows (${MIGRATIONS.length}); update the platform`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const migration = MIGRATIONS[version - 1]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`${file}: migration ${version} failed: ${(error as Error).message}`);
    }
  }
}
