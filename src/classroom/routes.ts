// Classroom mode's JSON API and live feeds under /api/classroom/. The platform server routes
// here first in classroom mode; everything else (lessons, the terminal, Check) asks
// `sessionOf(req)` who is calling.
//
//   POST /api/classroom/login            {username, password}        → instructor session cookie
//   POST /api/classroom/logout
//   GET  /api/classroom/me               who this session is (+ its CSRF token)
//   POST /api/classroom/join             {code, name}                → learner session cookie
//   POST /api/classroom/resume           {code}                      → learner session cookie
//   GET  /api/classroom/cohorts                                          instructor's cohorts
//   POST /api/classroom/cohorts          {name, labs, capacity}
//   GET  /api/classroom/cohorts/<id>     cohort, learners, grid, failure reasons, who has not started which lab, help queue
//   GET  /api/classroom/cohorts/<id>/events                              live feed (SSE)
//   GET  /api/classroom/cohorts/<id>/export.csv | export.json
//   POST /api/classroom/cohorts/<id>/broadcast   {message}
//   POST /api/classroom/cohorts/<id>/end
//   POST /api/classroom/learners/<id>/reset      {lab}
//   POST /api/classroom/learners/<id>/recreate
//   POST /api/classroom/learners/<id>/dismiss-help                   (the learner's page hears it)
//   POST /api/classroom/help             {message?}                   (learner raises a hand)
//   GET  /api/classroom/learner/events   broadcasts and "being watched" for this learner (SSE)
//
// Errors are {error, code?}: join errors carry code wrong-code | name-taken | class-full | bad-name.
// Every state-changing request needs the session's CSRF token (x-csrf-token) and this origin;
// login and join need this origin and a JSON body (no cross-site form can send one).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameOrigin } from '../server/request-guard.ts';
import type { LabResult } from '../../grader/result.ts';
import { type Accounts, type Session, SESSION_HOURS } from './accounts.ts';
import { BusyError } from './bounded-queue.ts';
import { failureReasons, grid, learnerKey, csvCell, notStarted, type LabCatalogEntry } from './board.ts';
import { CohortError, type Cohorts } from './cohorts.ts';
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import { BodyError, clientAddress, cookie, isLoopbackAddress, readJson, sendBodyError, sendJson, SESSION_COOKIE, setSessionCookie } from './http.ts';
import type { LiveFeed } from './live.ts';
import { AttemptBudget, RateLimiter } from './rate-limit.ts';
import type { ProgressStore } from '../store/progress-store.ts';

export type ClassroomDeps = {
  accounts: Accounts;
  cohorts: Cohorts;
  store: ProgressStore;
  feed: LiveFeed;
  environments: LearnerEnvironments;
  catalog: () => Promise<LabCatalogEntry[]>;
  /** Deletes what lab n created in this learner's cluster. */
  resetLab: (learner: string, lab: number) => Promise<void>;
  /** Cookies get Secure (the server runs with TLS). */
  secure: boolean;
  limits?: Partial<ClassroomLimits>;
  log?: (line: string) => void;
};

/** Attempts per address and failures across all addresses, per window (see AttemptBudget). */
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

export type Caller = Session & { token: string };

/** How often a learner's page may ask again for an environment that failed to come. */
const ENVIRONMENT_RETRY_MS = 60_000;

/** Help requests are kept in memory: they matter during the class, not after a restart. */
type HelpRequest = { learnerId: number; displayName: string; message: string; at: string };

export function createClassroomRoutes(deps: ClassroomDeps) {
  const log = deps.log ?? (() => {});
  const limits = { ...defaultLimits, ...deps.limits };
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
  const help = new Map<number, HelpRequest[]>();

  function sessionOf(req: IncomingMessage): Caller | undefined {
    const token = cookie(req, SESSION_COOKIE);
    const session = deps.accounts.session(token);
    return session && token ? { ...session, token } : undefined;
  }

  /** The calling learner's record (an ended cohort ends its learners' access). */
  function learnerOf(caller: Caller | undefined) {
    if (caller?.role !== 'learner') return undefined;
    const learner = deps.cohorts.learner(caller.subjectId);
    const cohort = learner && deps.cohorts.get(learner.cohortId);
    return learner && cohort && !cohort.endedAt ? { learner, cohort } : undefined;
  }

  const forbidden = (res: ServerResponse, why = 'forbidden') => sendJson(res, 403, { error: why });
  const tooMany = (res: ServerResponse, wait: number) => {
    res.setHeader('Retry-After', String(wait));
    sendJson(res, 429, { error: `too many attempts: wait ${wait} s` });
  };

  /**
   * Gives the learner an environment when they have none that works: at join, and when their
   * page opens or they resume after theirs was reclaimed for idleness or failed to come (the
   * machine was full, a cluster did not start). One that failed is tried again at most once a minute.
   */
  const lastAssigned = new Map<number, number>();
  function ensureEnvironment(learner: { id: number }, force = false): void {
    const { state } = deps.environments.status(learnerKey(learner));
    if (!force && state !== 'gone' && state !== 'error') return;
    if (!force && state === 'error' && Date.now() - (lastAssigned.get(learner.id) ?? 0) < ENVIRONMENT_RETRY_MS) return;
    lastAssigned.set(learner.id, Date.now());
    void deps.environments.assign(learnerKey(learner)).catch((error: unknown) => log(`classroom: environment for learner ${learner.id}: ${(error as Error).message}`));
  }

  /** A state change from this origin carrying the session's CSRF token. */
  function changeAllowed(req: IncomingMessage, caller: Caller | undefined): boolean {
    return req.method === 'POST' && sameOrigin(req) && caller !== undefined && req.headers['x-csrf-token'] === caller.csrf;
  }

  function startSession(res: ServerResponse, role: 'instructor' | 'learner', id: number) {
    const { token, session } = deps.accounts.startSession(role, id);
    setSessionCookie(res, token, deps.secure, SESSION_HOURS * 3600);
    return session;
  }

  async function snapshot(cohortId: number) {
    const cohort = deps.cohorts.get(cohortId)!;
    const learners = deps.cohorts.learners(cohortId);
    const progress = deps.store.progressOf(learners.map(learnerKey));
    const catalog = await deps.catalog();
    return {
      cohort,
      learners: learners.map((l) => ({ id: l.id, displayName: l.displayName, joinedAt: l.joinedAt, environment: deps.environments.status(learnerKey(l)) })),
      grid: grid(cohort, learners, progress, catalog),
      failures: failureReasons(cohort, learners, progress, catalog),
      notStarted: notStarted(cohort, learners, progress, catalog),
      help: help.get(cohortId) ?? [],
    };
  }

  /** After anything that changes what a cohort's dashboard shows. */
  async function publishCohort(cohortId: number): Promise<void> {
    if (deps.feed.subscribers(`cohort:${cohortId}`) === 0) return;
    deps.feed.publish(`cohort:${cohortId}`, { type: 'snapshot', ...(await snapshot(cohortId)) });
  }

  async function exportResults(res: ServerResponse, cohortId: number, format: 'csv' | 'json'): Promise<void> {
    const cohort = deps.cohorts.get(cohortId)!;
    const learners = deps.cohorts.learners(cohortId);
    const names = new Map(learners.map((l) => [learnerKey(l), l.displayName]));
    const rows: Array<{ learner: string; lab: string; task: string; points: number; passed: boolean; passedAt: string }> = [];
    // Per learner, lab and task: the points and when it first passed (empty if never).
    const best = new Map<string, { points: number; passedAt: string }>();
    for (const attempt of deps.store.attemptsOf([...names.keys()])) {
      for (const check of (attempt.result as LabResult).checks) {
        const key = `${attempt.learner}\u0000${attempt.lab}\u0000${check.id}`;
        const seen = best.get(key);
        if (!seen) best.set(key, { points: check.passed ? check.points : 0, passedAt: check.passed ? attempt.startedAt : '' });
        else if (check.passed && !seen.passedAt) best.set(key, { points: check.points, passedAt: attempt.startedAt });
      }
    }
    for (const [key, value] of best) {
      const [learner, lab, task] = key.split('\u0000') as [string, string, string];
      rows.push({ learner: names.get(learner) ?? learner, lab, task, points: value.points, passed: Boolean(value.passedAt), passedAt: value.passedAt });
    }
    const file = `${cohort.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'cohort'}-results`;
    if (format === 'json') {
      res.setHeader('Content-Disposition', `attachment; filename="${file}.json"`);
      return sendJson(res, 200, { cohort: { id: cohort.id, name: cohort.name }, results: rows });
    }
    const text = ['learner,lab,task,points,passed,passed_at', ...rows.map((r) => [r.learner, r.lab, r.task, r.points, r.passed, r.passedAt].map(csvCell).join(','))].join('\r\n') + '\r\n';
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${file}.csv"`, 'Cache-Control': 'no-store' });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!path.startsWith('/api/classroom/')) return false;
    const method = req.method ?? 'GET';
    const caller = sessionOf(req);
    const instructor = caller?.role === 'instructor' ? caller : undefined;

    try {
      if (path === '/api/classroom/login' && method === 'POST') {
        if (!sameOrigin(req)) return forbidden(res), true;
        const wait = logins.admit(clientAddress(req));
        if (wait > 0) return tooMany(res, wait), true;
        const body = await readJson(req);
        const id = await deps.accounts.login(String(body.username ?? ''), String(body.password ?? ''));
        if (id === undefined) return logins.failed(), sendJson(res, 401, { error: 'wrong username or password' }), true;
        const session = startSession(res, 'instructor', id);
        return sendJson(res, 200, { role: 'instructor', csrf: session.csrf }), true;
      }

      if (path === '/api/classroom/join' && method === 'POST') {
        if (!sameOrigin(req)) return forbidden(res), true;
        const wait = joins.admit(clientAddress(req));
        if (wait > 0) return tooMany(res, wait), true;
        const body = await readJson(req);
        if (!deps.cohorts.byJoinCode(String(body.code ?? ''))) joins.failed(); // a guess: it spends the class-wide budget
        const { cohort, learner } = deps.cohorts.join(String(body.code ?? ''), String(body.name ?? ''));
        const session = startSession(res, 'learner', learner.id);
        // The environment comes from the warm pool, or is made now; the page shows its state.
        ensureEnvironment(learner, true);
        void publishCohort(cohort.id);
        return sendJson(res, 200, { role: 'learner', csrf: session.csrf, displayName: learner.displayName, resumeCode: learner.resumeCode, cohort: { name: cohort.name, labs: cohort.labs } }), true;
      }

      if (path === '/api/classroom/resume' && method === 'POST') {
        if (!sameOrigin(req)) return forbidden(res), true;
        const wait = resumes.admit(clientAddress(req));
        if (wait > 0) return tooMany(res, wait), true;
        const body = await readJson(req);
        const learner = deps.cohorts.resume(String(body.code ?? ''));
        if (!learner) return resumes.failed(), sendJson(res, 404, { error: 'no learner with this resume code in an open class' }), true;
        const session = startSession(res, 'learner', learner.id);
        ensureEnvironment(learner);
        return sendJson(res, 200, { role: 'learner', csrf: session.csrf, displayName: learner.displayName }), true;
      }

      if (path === '/api/classroom/logout' && method === 'POST') {
        if (!changeAllowed(req, caller)) return forbidden(res), true;
        deps.accounts.endSession(caller!.token);
        setSessionCookie(res, '', deps.secure, 0);
        return sendJson(res, 200, { loggedOut: true }), true;
      }

      if (path === '/api/classroom/me' && method === 'GET') {
        if (!caller) return sendJson(res, 401, { error: 'not signed in' }), true;
        const mine = learnerOf(caller);
        if (caller.role === 'learner' && !mine) return sendJson(res, 401, { error: 'this class has ended' }), true;
        return sendJson(res, 200, {
          role: caller.role,
          csrf: caller.csrf,
          ...(mine ? { displayName: mine.learner.displayName, resumeCode: mine.learner.resumeCode, cohort: { name: mine.cohort.name, labs: mine.cohort.labs }, environment: deps.environments.status(learnerKey(mine.learner)) } : {}),
        }), true;
      }

      if (path === '/api/classroom/help' && method === 'POST') {
        const mine = learnerOf(caller);
        if (!mine || !changeAllowed(req, caller)) return forbidden(res), true;
        const body = await readJson(req, 4096);
        const queue = help.get(mine.cohort.id) ?? [];
        if (!queue.some((h) => h.learnerId === mine.learner.id)) {
          queue.push({ learnerId: mine.learner.id, displayName: mine.learner.displayName, message: String(body.message ?? '').slice(0, 280), at: new Date().toISOString() });
        }
        help.set(mine.cohort.id, queue);
        void publishCohort(mine.cohort.id);
        return sendJson(res, 200, { queued: true }), true;
      }

      if (path === '/api/classroom/learner/events' && method === 'GET') {
        const mine = learnerOf(caller);
        if (!mine) return forbidden(res), true;
        ensureEnvironment(mine.learner);
        deps.feed.stream(req, res, `learner:${mine.learner.id}`, { type: 'hello', environment: deps.environments.status(learnerKey(mine.learner)) });
        return true;
      }

      // Everything below is the instructor's.
      if (!instructor) return sendJson(res, caller ? 403 : 401, { error: caller ? 'instructors only' : 'not signed in' }), true;

      if (path === '/api/classroom/cohorts') {
        if (method === 'GET') return sendJson(res, 200, deps.cohorts.list(instructor.subjectId)), true;
        if (!changeAllowed(req, instructor)) return forbidden(res), true;
        const body = await readJson(req);
        const labs = Array.isArray(body.labs) ? body.labs.map(Number) : [];
        const cohort = deps.cohorts.create(instructor.subjectId, { name: String(body.name ?? ''), labs, capacity: Number(body.capacity ?? 0) });
        return sendJson(res, 201, cohort), true;
      }

      const cohortPath = /^\/api\/classroom\/cohorts\/(\d{1,9})(?:\/(events|export\.csv|export\.json|broadcast|end))?$/.exec(path);
      if (cohortPath) {
        const cohort = deps.cohorts.ownedBy(Number(cohortPath[1]), instructor.subjectId);
        if (!cohort) return sendJson(res, 404, { error: 'no such cohort' }), true;
        const action = cohortPath[2];
        if (!action && method === 'GET') return sendJson(res, 200, await snapshot(cohort.id)), true;
        if (action === 'events' && method === 'GET') return deps.feed.stream(req, res, `cohort:${cohort.id}`, { type: 'snapshot', ...(await snapshot(cohort.id)) }), true;
        if (action === 'export.csv' && method === 'GET') return await exportResults(res, cohort.id, 'csv'), true;
        if (action === 'export.json' && method === 'GET') return await exportResults(res, cohort.id, 'json'), true;
        if (!changeAllowed(req, instructor)) return forbidden(res), true;
        if (action === 'broadcast') {
          const message = String((await readJson(req, 4096)).message ?? '').trim().slice(0, 280);
          if (!message) return sendJson(res, 400, { error: 'message: type something' }), true;
          for (const learner of deps.cohorts.learners(cohort.id)) deps.feed.publish(`learner:${learner.id}`, { type: 'broadcast', message, at: new Date().toISOString() });
          return sendJson(res, 200, { sent: true }), true;
        }
        if (action === 'end') {
          deps.cohorts.end(cohort.id);
          for (const learner of deps.cohorts.learners(cohort.id)) {
            deps.accounts.endSessionsOf('learner', learner.id);
            deps.feed.publish(`learner:${learner.id}`, { type: 'ended' });
            void deps.environments.release(learnerKey(learner)).catch((error: unknown) => log(`classroom: releasing learner ${learner.id}: ${(error as Error).message}`));
          }
          return sendJson(res, 200, { ended: true }), true;
        }
      }

      const learnerPath = /^\/api\/classroom\/learners\/(\d{1,9})\/(reset|recreate|dismiss-help)$/.exec(path);
      if (learnerPath) {
        const learner = deps.cohorts.learner(Number(learnerPath[1]));
        const cohort = learner && deps.cohorts.ownedBy(learner.cohortId, instructor.subjectId);
        if (!learner || !cohort) return sendJson(res, 404, { error: 'no such learner' }), true;
        if (!changeAllowed(req, instructor)) return forbidden(res), true;
        if (learnerPath[2] === 'reset') {
          const lab = (await readJson(req)).lab;
          // The instructor's mistakes and a missing cluster are answers, not internal errors.
          if (typeof lab !== 'number' || !cohort.labs.includes(lab)) {
            return sendJson(res, 400, { error: `lab ${JSON.stringify(lab ?? null).slice(0, 20)}: not one of this class's labs (${cohort.labs.join(', ')})` }), true;
          }
          const environment = deps.environments.status(learnerKey(learner));
          if (environment.state !== 'ready' || !deps.environments.kubeconfig(learnerKey(learner))) {
            return sendJson(res, 409, { error: `${learner.displayName} has no cluster to reset (${environment.message})` }), true;
          }
          await deps.resetLab(learnerKey(learner), lab);
          // Stamped once the lab's objects are gone: its clock waits for the learner's next touch (src/store/lab-clock.ts).
          const id = (await deps.catalog()).find((entry) => entry.number === lab)?.id;
          if (id) deps.store.labReset(learnerKey(learner), id, new Date().toISOString());
        } else if (learnerPath[2] === 'recreate') {
          void deps.environments.recreate(learnerKey(learner)).catch((error: unknown) => log(`classroom: recreating learner ${learner.id}: ${(error as Error).message}`));
        } else {
          help.set(learner.cohortId, (help.get(learner.cohortId) ?? []).filter((h) => h.learnerId !== learner.id));
          deps.feed.publish(`learner:${learner.id}`, { type: 'help-dismissed' });
        }
        void publishCohort(learner.cohortId);
        return sendJson(res, 200, { done: learnerPath[2] }), true;
      }

      return sendJson(res, 404, { error: `no classroom endpoint ${method} ${path}` }), true;
    } catch (error) {
      if (error instanceof CohortError) return sendJson(res, error.status, { error: error.message, code: error.code }), true;
      if (error instanceof BodyError) return sendBodyError(res, error), true;
      if (error instanceof BusyError) return tooMany(res, error.retryAfterSeconds), true;
      log(`classroom: ${method} ${path}: ${(error as Error).message}`);
      return sendJson(res, 500, { error: 'internal error' }), true;
    }
  }

  return { handle, sessionOf, learnerOf, publishCohort };
}
