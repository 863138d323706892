// Instructor accounts (passwords hashed with scrypt) and server-side sessions for instructors
// and learners: the browser holds only a random token (an HttpOnly cookie); the database holds
// its SHA-256, the role, who it is, a CSRF token for state-changing requests, and an expiry.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { BoundedQueue } from './bounded-queue.ts';
import { scryptOnThread as scrypt } from './scrypt-thread.ts';

/** OWASP's scrypt floor (N=2^17, r=8, p=1: ~128 MiB, ~0.3 s here) — logins are rare; guesses must be slow. */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_BYTES = 32;

export const SESSION_HOURS = 12;
export type Role = 'instructor' | 'learner';
export type Session = { role: Role; subjectId: number; csrf: string; expiresAt: string };

export class AccountError extends Error {}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_BYTES, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(actual, expected);
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * Password checks at login: one at a time (each holds ~128 MiB and a core for ~0.3 s), three
 * waiting; a fourth is refused at once (BusyError → 429 with Retry-After). A flood of wrong
 * logins then costs one core and bounded memory, and queues no one for long.
 */
export const loginChecks = () => new BoundedQueue({ concurrency: 1, waiting: 3 });

export class Accounts {
  private readonly db: DatabaseSync;
  private readonly checks: BoundedQueue;
  private readonly verify: typeof verifyPassword;

  constructor(db: DatabaseSync, options: { checks?: BoundedQueue; verify?: typeof verifyPassword } = {}) {
    this.db = db;
    this.checks = options.checks ?? loginChecks();
    this.verify = options.verify ?? verifyPassword;
  }

  hasInstructor(): boolean {
    return this.db.prepare('SELECT 1 FROM instructors LIMIT 1').get() !== undefined;
  }

  async createInstructor(username: string, password: string): Promise<number> {
    if (!/^[a-z0-9][a-z0-9._-]{1,31}$/.test(username)) throw new AccountError(`username "${username}": 2–32 lowercase letters, digits, ".", "_" or "-"`);
    if (password.length < 12) throw new AccountError('password: at least 12 characters');
    if (this.db.prepare('SELECT 1 FROM instructors WHERE username = ?').get(username)) throw new AccountError(`instructor "${username}" exists already`);
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO instructors (username, password_hash, created_at) VALUES (?, ?, ?)')
      .run(username, await hashPassword(password), new Date().toISOString());
    return Number(lastInsertRowid);
  }

  /**
   * The instructor's id when the password is right; undefined otherwise (same time either way).
   * Throws BusyError when too many checks are running or waiting already.
   */
  async login(username: string, password: string): Promise<number | undefined> {
    const row = this.db.prepare('SELECT id, password_hash FROM instructors WHERE username = ?').get(username) as { id: number; password_hash: string } | undefined;
    // An unknown name still costs a full hash, so timing does not tell which names exist.
    const ok = await this.checks.run(() => this.verify(password, row?.password_hash ?? DUMMY_HASH));
    return ok && row ? row.id : undefined;
  }

  /** A new session: the token goes to the browser (cookie), only its hash is stored. */
  startSession(role: Role, subjectId: number, hours = SESSION_HOURS): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { role, subjectId, csrf: randomBytes(24).toString('base64url'), expiresAt: new Date(Date.now() + hours * 3_600_000).toISOString() };
    this.db
      .prepare('INSERT INTO sessions (token_hash, role, subject_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(tokenHash(token), role, subjectId, session.csrf, new Date().toISOString(), session.expiresAt);
    return { token, session };
  }

  session(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const row = this.db.prepare('SELECT role, subject_id, csrf, expires_at FROM sessions WHERE token_hash = ?').get(tokenHash(token)) as
      | { role: Role; subject_id: number; csrf: string; expires_at: string }
      | undefined;
    if (!row || Date.parse(row.expires_at) <= Date.now()) return undefined;
    return { role: row.role, subjectId: row.subject_id, csrf: row.csrf, expiresAt: row.expires_at };
  }

  endSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
  }

  /** Ends every session of a subject (a learner removed, a cohort ended). */
  endSessionsOf(role: Role, subjectId: number): void {
    this.db.prepare('DELETE FROM sessions WHERE role = ? AND subject_id = ?').run(role, subjectId);
  }
}

/** A valid hash of a random password: compared against when the username does not exist. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64')}$${randomBytes(KEY_BYTES).toString('base64')}`;
