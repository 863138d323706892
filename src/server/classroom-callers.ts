// Who a classroom-mode request is from, for the lab API, the pages and the terminal: a learner
// by their sandbox's bearer token or their session cookie, an instructor by theirs.
import type { IncomingMessage } from 'node:http';
import type { Accounts } from '../classroom/accounts.ts';
import type { Cohorts } from '../classroom/cohorts.ts';
import { learnerIdOf, learnerKey } from '../classroom/learner-key.ts';
import { languageOfPath, type SandboxLanguage } from '../classroom/sandbox-language.ts';
import type { ClusterStatus } from '../contract/cluster.ts';
import type { EnvironmentStatus, LearnerEnvironments } from '../environments/classroom/contract.ts';
import type { LabCaller } from './api.ts';
import type { createClassroomRoutes } from './classroom-routes.ts';
import type { TerminalAdmission } from './terminal-socket.ts';

export type ClassroomLocals = {
  role: 'instructor' | 'learner';
  displayName?: string;
  csrf: string;
  cohortName?: string;
  /** Instructors: the join address learners reach, not the one the instructor's browser uses; none when the server listens on loopback only. */
  joinAddress?: string;
};

type Sessions = Pick<ReturnType<typeof createClassroomRoutes>, 'sessionOf' | 'learnerOf'>;

const CLUSTER_STATES: Record<EnvironmentStatus['state'], ClusterStatus['state']> = {
  pending: 'creating',
  creating: 'creating',
  ready: 'running',
  // Paused for idleness: it is there, and the learner's next action (a command, Check) thaws it.
  frozen: 'paused',
  error: 'error',
  gone: 'not-created',
};

/** A learner environment's state in the words the page's cluster banner already speaks. */
function asClusterStatus(learner: string, status: EnvironmentStatus): ClusterStatus {
  return { name: learner.replace(':', '-'), state: CLUSTER_STATES[status.state] ?? 'creating', detail: status.message };
}

export function classroomCallers(deps: {
  accounts: Accounts; cohorts: Cohorts; environments: LearnerEnvironments; routes: Sessions; language: SandboxLanguage; joinAddress?: () => string | undefined;
}) {
  const { accounts, cohorts, environments, routes, language } = deps;

  /** Thaws the learner's environment if it was frozen for idleness (undefined: this provider never freezes). */
  const wakeOf = (key: string): (() => Promise<void>) | undefined => (environments.wake ? () => environments.wake!(key) : undefined);

  /** Learner from a bearer token (their sandbox's `labs`) or a session cookie (their pages). */
  function caller(req: IncomingMessage): LabCaller | undefined {
    const bearer = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '')?.[1];
    const session = bearer ? accounts.session(bearer) : routes.sessionOf(req);
    if (session?.role !== 'learner') return undefined;
    const mine = routes.learnerOf({ ...session, token: bearer ?? '' });
    if (!mine) return undefined;
    const key = learnerKey(mine.learner);
    return {
      learner: key,
      // Read when used, after `wake`: a frozen environment has no kubeconfig until it is thawed.
      get kubeconfig() {
        return environments.kubeconfig(key);
      },
      wake: wakeOf(key),
      cluster: async () => asClusterStatus(key, environments.status(key)),
      clusterName: environments.environmentOf?.(key),
      gitUser: key.replace(':', '-'),
      bearer: Boolean(bearer),
    };
  }

  /**
   * Who gets which terminal: a learner their own sandbox's shell; an instructor a read-only view
   * of a learner in one of their cohorts (?watch=learner:<id>). Nobody gets a shell on this host.
   */
  function authorizeTerminal(req: IncomingMessage, url: URL): TerminalAdmission {
    const session = routes.sessionOf(req);
    const watch = url.searchParams.get('watch');
    if (watch !== null) {
      if (session?.role !== 'instructor') return { refuse: 403, reason: 'Forbidden: only instructors watch terminals' };
      const id = learnerIdOf(watch);
      const learner = id === undefined ? undefined : cohorts.learner(id);
      if (!learner || !cohorts.ownedBy(learner.cohortId, session.subjectId)) return { refuse: 404, reason: 'Not Found: no such learner in your cohorts' };
      // The instructor's view shows a live shell: the learner's environment is thawed first.
      return { watch, prepare: wakeOf(learnerKey(learner)) };
    }
    const mine = session && routes.learnerOf(session);
    if (!mine) return { refuse: 401, reason: 'Unauthorized: join the class first' };
    // The terminal's page says its language (?lang=): `labs` in this shell speaks it.
    void language.heard(mine.learner, url.searchParams.get('lang'));
    const key = learnerKey(mine.learner);
    // Thawed before their shell is started or resumed (a frozen sandbox answers nothing).
    return { owner: key, prepare: wakeOf(key), shell: () => environments.shell(key) };
  }

  /**
   * A learner opened a page in a language (/ko/…, a language switch too): their sandbox's `labs`
   * follows it. Resolves once the sandbox has it, so the page shows after the switch took effect
   * (a write is one exec, only when the language changed); at most `waitMs` (a stuck sandbox).
   */
  async function pageOpened(req: IncomingMessage, waitMs = 2000): Promise<void> {
    const page = languageOfPath(new URL(req.url ?? '/', 'http://localhost').pathname);
    const mine = page && routes.learnerOf(routes.sessionOf(req));
    if (!mine) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([language.heard(mine.learner, page), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /** What the server-rendered pages know of the signed-in person. */
  function locals(req: IncomingMessage): ClassroomLocals | undefined {
    const session = routes.sessionOf(req);
    if (!session) return undefined;
    if (session.role === 'instructor') return { role: 'instructor', csrf: session.csrf, joinAddress: deps.joinAddress?.() };
    const mine = routes.learnerOf(session);
    return mine && { role: 'learner', displayName: mine.learner.displayName, csrf: session.csrf, cohortName: mine.cohort.name };
  }

  return { caller, authorizeTerminal, pageOpened, locals };
}
