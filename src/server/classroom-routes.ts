// Classroom mode's JSON API and live feeds under /api/classroom/: HTTP over the classroom
// library (src/classroom). The platform server routes here first in classroom mode; everything
// else (lessons, the terminal, Check) asks `sessionOf(req)` who is calling.
//
//   POST /api/classroom/login            {username, password}        → instructor session cookie
//   POST /api/classroom/logout
//   GET  /api/classroom/me               who this session is (+ its CSRF token)
//   POST /api/classroom/join             {code, name, lang?}         → learner session cookie
//   POST /api/classroom/resume           {code, lang?}               → learner session cookie
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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Accounts, type Session, SESSION_HOURS } from '../classroom/accounts.ts';
import { BusyError } from '../classroom/bounded-queue.ts';
import { CohortError, type Cohorts } from '../classroom/cohorts.ts';
import type { EnvironmentAssigner } from '../classroom/environment-assigner.ts';
import type { HelpQueue } from '../classroom/help-queue.ts';
import type { LabCatalog } from '../classroom/lab-catalog.ts';
import { learnerKey } from '../classroom/learner-key.ts';
import { cohortChannel, type LiveFeed } from '../classroom/live.ts';
import type { DashboardPublisher } from '../classroom/publisher.ts';
import type { SandboxLanguage } from '../classroom/sandbox-language.ts';
import { cohortResults, resultsCsv, type CourseLab } from '../classroom/results-export.ts';
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import type { EndReason } from '../terminal/protocol.ts';
import { attachment, BodyError, clientAddress, cookie, readJson, sendBodyError, sendJson, SESSION_COOKIE, setSessionCookie } from './classroom-http.ts';
import { attemptBudgets, type ClassroomLimits } from './classroom-limits.ts';
import { streamChannel } from './event-stream.ts';
import { sameOrigin } from './request-guard.ts';

export type ClassroomDeps = {
  accounts: Accounts;
  cohorts: Cohorts;
  store: ProgressStore;
  feed: LiveFeed;
  environments: LearnerEnvironments;
  assigner: EnvironmentAssigner;
  /** The join and resume pages say their language (`lang`): the learner's sandbox follows it. */
  language: SandboxLanguage;
  dashboard: DashboardPublisher;
  help: HelpQueue;
  catalog: Pick<LabCatalog, 'entries'>;
  /** The course's labs with their titles in a language, for the results export (default: the catalog, ids as titles). */
  courseLabs?: (language: 'en' | 'ko') => Promise<CourseLab[]>;
  /** Deletes what lab n created in this learner's cluster (thawing it first if it was frozen). */
  resetLab: (learner: string, lab: number) => Promise<void>;
  /** Ends the learner's terminals, saying why (before their sandbox goes, which their shells would report as an exit code). */
  endTerminals?: (learner: string, reason: EndReason) => void;
  /** Cookies get Secure (the server runs with TLS). */
  secure: boolean;
  limits?: Partial<ClassroomLimits>;
  log?: (line: string) => void;
};

export type Caller = Session & { token: string };

export function createClassroomRoutes(deps: ClassroomDeps) {
  const log = deps.log ?? (() => {});
  const { logins, joins, resumes } = attemptBudgets(deps.limits);
  const { dashboard } = deps;

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

  /** A state change from this origin carrying the session's CSRF token. */
  function changeAllowed(req: IncomingMessage, caller: Caller | undefined): boolean {
    return req.method === 'POST' && sameOrigin(req) && caller !== undefined && req.headers['x-csrf-token'] === caller.csrf;
  }

  function startSession(res: ServerResponse, role: 'instructor' | 'learner', id: number) {
    const { token, session } = deps.accounts.startSession(role, id);
    setSessionCookie(res, token, deps.secure, SESSION_HOURS * 3600);
    return session;
  }

  /** ?lang=ko: the CSV's headers and lab and task titles in Korean (the dashboard's language). */
  async function exportResults(res: ServerResponse, cohortId: number, format: 'csv' | 'json', language: 'en' | 'ko'): Promise<void> {
    const labs = deps.courseLabs ? await deps.courseLabs(language) : (await deps.catalog.entries()).map((lab) => ({ ...lab, title: lab.id }));
    const { cohort, rows } = cohortResults(deps.cohorts, deps.store, cohortId, labs);
    const file = (extension: string) => attachment(`${cohort.name}-results.${extension}`, `class-${cohort.id}-results.${extension}`);
    if (format === 'json') {
      res.setHeader('Content-Disposition', file('json'));
      return sendJson(res, 200, { cohort, results: rows });
    }
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': file('csv'), 'Cache-Control': 'no-store' });
    res.end(resultsCsv(cohort.name, rows, labs, language));
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
        // Known before the hand-out, which writes it into the sandbox with the token.
        void deps.language.heard(learner, body.lang);
        // The environment comes from the warm pool, or is made now; the page shows its state.
        deps.assigner.ensure(learner, true);
        dashboard.changed(cohort.id);
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
        void deps.language.heard(learner, body.lang);
        deps.assigner.ensure(learner);
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
        deps.help.raise(mine.cohort.id, mine.learner, String(body.message ?? ''));
        dashboard.changed(mine.cohort.id);
        return sendJson(res, 200, { queued: true }), true;
      }

      if (path === '/api/classroom/learner/events' && method === 'GET') {
        const mine = learnerOf(caller);
        if (!mine) return forbidden(res), true;
        deps.assigner.ensure(mine.learner);
        streamChannel(req, res, deps.feed, learnerKey(mine.learner), { type: 'hello', environment: deps.environments.status(learnerKey(mine.learner)) });
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
        if (!action && method === 'GET') return sendJson(res, 200, await dashboard.snapshot(cohort.id)), true;
        if (action === 'events' && method === 'GET') return streamChannel(req, res, deps.feed, cohortChannel(cohort.id), { type: 'snapshot', ...(await dashboard.snapshot(cohort.id)) }), true;
        const language = url.searchParams.get('lang') === 'ko' ? 'ko' : 'en';
        if (action === 'export.csv' && method === 'GET') return await exportResults(res, cohort.id, 'csv', language), true;
        if (action === 'export.json' && method === 'GET') return await exportResults(res, cohort.id, 'json', language), true;
        if (!changeAllowed(req, instructor)) return forbidden(res), true;
        if (action === 'broadcast') {
          const message = String((await readJson(req, 4096)).message ?? '').trim().slice(0, 280);
          if (!message) return sendJson(res, 400, { error: 'message: type something' }), true;
          for (const learner of deps.cohorts.learners(cohort.id)) deps.feed.publish(learnerKey(learner), { type: 'broadcast', message, at: new Date().toISOString() });
          return sendJson(res, 200, { sent: true }), true;
        }
        if (action === 'end') {
          deps.cohorts.end(cohort.id);
          for (const learner of deps.cohorts.learners(cohort.id)) {
            deps.accounts.endSessionsOf('learner', learner.id);
            deps.endTerminals?.(learnerKey(learner), 'class-ended');
            deps.feed.publish(learnerKey(learner), { type: 'ended' });
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
          // A frozen environment is there (resetLab thaws it first); anything else but ready is not.
          const environment = deps.environments.status(learnerKey(learner));
          const usable = environment.state === 'frozen' || (environment.state === 'ready' && deps.environments.kubeconfig(learnerKey(learner)));
          if (!usable) return sendJson(res, 409, { error: `${learner.displayName} has no cluster to reset (${environment.message})` }), true;
          await deps.resetLab(learnerKey(learner), lab);
          // Stamped once the lab's objects are gone: its clock waits for the learner's next touch (src/store/lab-clock.ts).
          const id = (await deps.catalog.entries()).find((entry) => entry.number === lab)?.id;
          if (id) deps.store.labReset(learnerKey(learner), id, new Date().toISOString());
        } else if (learnerPath[2] === 'recreate') {
          // Thawed first if it was frozen; a thaw that fails does not stop the recreate (it throws the environment away anyway).
          const key = learnerKey(learner);
          const woken = (deps.environments.wake?.(key) ?? Promise.resolve()).catch((error: unknown) => log(`classroom: waking learner ${learner.id} before recreating: ${(error as Error).message}`));
          void woken.then(() => deps.environments.recreate(key)).catch((error: unknown) => log(`classroom: recreating learner ${learner.id}: ${(error as Error).message}`));
        } else {
          deps.help.dismiss(learner.cohortId, learner.id);
          deps.feed.publish(learnerKey(learner), { type: 'help-dismissed' });
        }
        dashboard.changed(learner.cohortId);
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

  return { handle, sessionOf, learnerOf };
}
