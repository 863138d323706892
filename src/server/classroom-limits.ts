// How fast anyone may try to sign in, join or resume (see AttemptBudget): join codes and
// passwords cannot be guessed at network speed, and a flood of guesses costs at most a window.
import { AttemptBudget, RateLimiter } from '../classroom/rate-limit.ts';
import { isLoopbackAddress } from './classroom-http.ts';

/** Attempts per address and failures across all addresses, per window. */
export type ClassroomLimits = {
  windowMs: number;
  loginsPerAddress: number;
  /** Joins and resumes together. */
  joinsPerAddress: number;
  failedLogins: number;
  failedJoins: number;
  failedResumes: number;
  /** Addresses the failed-login budget does not stop: this machine's own (loopback). */
  signInAnyway: (address: string) => boolean;
};

const defaultLimits: ClassroomLimits = {
  windowMs: 5 * 60_000,
  loginsPerAddress: 10,
  joinsPerAddress: 20,
  // One password check runs at a time (accounts.ts); this bounds guesses per window, whatever the addresses.
  failedLogins: 30,
  // Typos of a whole class fit; 31^6 join codes do not fall to 300 guesses per 5 minutes.
  failedJoins: 300,
  failedResumes: 100,
  signInAnyway: isLoopbackAddress,
};

export function attemptBudgets(overrides: Partial<ClassroomLimits> = {}) {
  const limits = { ...defaultLimits, ...overrides };
  const { windowMs } = limits;
  // Learners who spend the failed-login budget (wrong passwords from many addresses) lock
  // everyone else out of signing in for up to one window. The instructor still gets in: a
  // signed-in instructor's session is untouched, and at the server's own machine
  // (http://localhost:<port>/classroom/) the budget does not apply — learners' sandboxes and
  // clusters reach the server from their Docker networks, never from its loopback.
  const logins = new AttemptBudget({ perAddress: new RateLimiter(limits.loginsPerAddress, windowMs), failures: limits.failedLogins, windowMs, exempt: limits.signInAnyway });
  // Spent, these hold up new joins (or resumes) for up to one window; learners already in keep
  // their sessions, and a flood of wrong join codes does not stop resume codes, nor the reverse.
  const joinsPerAddress = new RateLimiter(limits.joinsPerAddress, windowMs);
  const joins = new AttemptBudget({ perAddress: joinsPerAddress, failures: limits.failedJoins, windowMs });
  const resumes = new AttemptBudget({ perAddress: joinsPerAddress, failures: limits.failedResumes, windowMs });
  return { logins, joins, resumes };
}
