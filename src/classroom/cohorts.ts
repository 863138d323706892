// Cohorts (a class: a name, its labs, a capacity, a short join code) and their learners (a
// display name, unique in the cohort, and a resume code to continue on another device).
import { randomInt } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { nameSkeleton } from './confusables.ts';

/** No 0/O, 1/I/L: codes are read aloud and typed from a projector. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;
const RESUME_CODE_LENGTH = 10;
export const MAX_DISPLAY_NAME = 40;

export type Cohort = { id: number; name: string; joinCode: string; labs: number[]; capacity: number; createdAt: string; endedAt?: string };
export type Learner = { id: number; cohortId: number; displayName: string; resumeCode: string; joinedAt: string };

/** What went wrong, for pages that say it in their own language. */
export type CohortErrorCode = 'wrong-code' | 'name-taken' | 'class-full' | 'bad-name' | 'bad-cohort';

export class CohortError extends Error {
  readonly status: 400 | 404 | 409;
  readonly code: CohortErrorCode;

  constructor(message: string, status: 400 | 404 | 409 = 400, code: CohortErrorCode = 'bad-cohort') {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function randomCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Codes as typed: spaces and dashes dropped, case ignored. */
export const normalizeCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');

/**
 * A display name as shown to everyone: NFC, trimmed, inner whitespace collapsed, no control or
 * invisible formatting characters, 1–40 characters. Escaping is the page's job; this keeps
 * names readable and distinct ("Ana" and "Ana\u200b" are one name).
 */
export function cleanDisplayName(raw: string): string {
  const name = raw.normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/\s+/g, ' ').trim();
  if (!name) throw new CohortError('display name: type a name (1–40 characters)', 400, 'bad-name');
  if ([...name].length > MAX_DISPLAY_NAME) throw new CohortError(`display name: at most ${MAX_DISPLAY_NAME} characters`, 400, 'bad-name');
  return name;
}

type CohortRow = { id: number; name: string; join_code: string; labs: string; capacity: number; created_at: string; ended_at: string | null };
type LearnerRow = { id: number; cohort_id: number; display_name: string; resume_code: string; joined_at: string };

const cohortOf = (row: CohortRow): Cohort => ({
  id: row.id, name: row.name, joinCode: row.join_code, labs: JSON.parse(row.labs) as number[], capacity: row.capacity, createdAt: row.created_at,
  ...(row.ended_at ? { endedAt: row.ended_at } : {}),
});
const learnerOf = (row: LearnerRow): Learner => ({ id: row.id, cohortId: row.cohort_id, displayName: row.display_name, resumeCode: row.resume_code, joinedAt: row.joined_at });

export class Cohorts {
  private readonly db: DatabaseSync;
  private readonly openListeners = new Set<(open: number) => void>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  create(instructorId: number, input: { name: string; labs: number[]; capacity: number }): Cohort {
    const name = input.name.normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
    if (!name || [...name].length > 80) throw new CohortError('cohort name: 1–80 characters');
    if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 500) throw new CohortError('capacity: a whole number from 1 to 500');
    if (input.labs.length === 0 || input.labs.some((n) => !Number.isInteger(n) || n < 1 || n > 99)) throw new CohortError('labs: pick at least one lab');
    for (let tries = 0; ; tries++) {
      const code = randomCode(JOIN_CODE_LENGTH);
      try {
        const { lastInsertRowid } = this.db
          .prepare('INSERT INTO cohorts (name, join_code, labs, capacity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(name, code, JSON.stringify([...new Set(input.labs)].sort((a, b) => a - b)), input.capacity, instructorId, new Date().toISOString());
        this.openChanged();
        return this.get(Number(lastInsertRowid))!;
      } catch (error) {
        // A join-code collision (31^6 ≈ 887 million codes): draw again.
        if (tries < 5 && /UNIQUE constraint failed: cohorts.join_code/.test((error as Error).message)) continue;
        throw error;
      }
    }
  }

  get(id: number): Cohort | undefined {
    const row = this.db.prepare('SELECT * FROM cohorts WHERE id = ?').get(id) as CohortRow | undefined;
    return row && cohortOf(row);
  }

  byJoinCode(code: string): Cohort | undefined {
    const row = this.db.prepare('SELECT * FROM cohorts WHERE join_code = ? AND ended_at IS NULL').get(normalizeCode(code)) as CohortRow | undefined;
    return row && cohortOf(row);
  }

  list(instructorId: number): Cohort[] {
    return (this.db.prepare('SELECT * FROM cohorts WHERE created_by = ? ORDER BY id DESC').all(instructorId) as CohortRow[]).map(cohortOf);
  }

  ownedBy(cohortId: number, instructorId: number): Cohort | undefined {
    const row = this.db.prepare('SELECT * FROM cohorts WHERE id = ? AND created_by = ?').get(cohortId, instructorId) as CohortRow | undefined;
    return row && cohortOf(row);
  }

  /** The cohorts not ended yet: what continuous grading follows. */
  openIds(): number[] {
    return (this.db.prepare('SELECT id FROM cohorts WHERE ended_at IS NULL').all() as { id: number }[]).map((row) => row.id);
  }

  end(cohortId: number): void {
    this.db.prepare('UPDATE cohorts SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(new Date().toISOString(), cohortId);
    this.openChanged();
  }

  /** Told how many cohorts are open whenever one opens or ends (the warm pool follows it). */
  onOpenChange(listener: (open: number) => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  private openChanged(): void {
    const open = this.openIds().length;
    for (const listener of this.openListeners) listener(open);
  }

  /** A learner joins with the cohort's code; a display name that looks like a classmate's is refused (409). */
  join(code: string, rawName: string): { cohort: Cohort; learner: Learner } {
    const cohort = this.byJoinCode(code);
    if (!cohort) throw new CohortError('no open class with this code', 404, 'wrong-code');
    const displayName = cleanDisplayName(rawName);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const count = (this.db.prepare('SELECT COUNT(*) AS n FROM learners WHERE cohort_id = ?').get(cohort.id) as { n: number }).n;
      if (count >= cohort.capacity) throw new CohortError(`this class is full (${cohort.capacity} learners)`, 409, 'class-full');
      const skeleton = nameSkeleton(displayName);
      const names = this.db.prepare('SELECT display_name FROM learners WHERE cohort_id = ?').all(cohort.id) as Array<{ display_name: string }>;
      const lookalike = names.find((row) => nameSkeleton(row.display_name) === skeleton)?.display_name;
      if (lookalike !== undefined) {
        const alike = lookalike === displayName ? '' : ` (it looks like "${lookalike}")`;
        throw new CohortError(`"${displayName}" is taken in this class${alike}: add an initial or pick another name`, 409, 'name-taken');
      }
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO learners (cohort_id, display_name, resume_code, joined_at) VALUES (?, ?, ?, ?)')
        .run(cohort.id, displayName, randomCode(RESUME_CODE_LENGTH), new Date().toISOString());
      this.db.exec('COMMIT');
      return { cohort, learner: this.learner(Number(lastInsertRowid))! };
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The learner a resume code belongs to, in an open cohort. */
  resume(code: string): Learner | undefined {
    const row = this.db
      .prepare('SELECT l.* FROM learners l JOIN cohorts c ON c.id = l.cohort_id WHERE l.resume_code = ? AND c.ended_at IS NULL')
      .get(normalizeCode(code)) as LearnerRow | undefined;
    return row && learnerOf(row);
  }

  learner(id: number): Learner | undefined {
    const row = this.db.prepare('SELECT * FROM learners WHERE id = ?').get(id) as LearnerRow | undefined;
    return row && learnerOf(row);
  }

  learners(cohortId: number): Learner[] {
    return (this.db.prepare('SELECT * FROM learners WHERE cohort_id = ? ORDER BY id').all(cohortId) as LearnerRow[]).map(learnerOf);
  }

  /** Every learner whose cohort is open (the clusters worth watching). */
  learnersOfOpenCohorts(): Learner[] {
    return (this.db.prepare('SELECT l.* FROM learners l JOIN cohorts c ON c.id = l.cohort_id WHERE c.ended_at IS NULL ORDER BY l.id').all() as LearnerRow[]).map(learnerOf);
  }
}
