// Classroom mode, as the platform server sees it: the classroom library (accounts, cohorts, live
// feeds, continuous grading) on the platform's one database, and the answer to "who is this
// request from?" for the lab API, the pages and the terminal. Solo mode never loads this file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Accounts } from '../classroom/accounts.ts';
import { learnerKey, type LabCatalogEntry } from '../classroom/board.ts';
import { Cohorts } from '../classroom/cohorts.ts';
import { commandStarts } from '../classroom/command-starts.ts';
import type { EnvironmentStatus, LearnerEnvironments } from '../environments/classroom/contract.ts';
import { watchLearnerClusters } from '../classroom/cluster-watch.ts';
import { startGrading } from '../classroom/grading.ts';
import { LiveFeed } from '../classroom/live.ts';
import { createClassroomRoutes } from '../classroom/routes.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import type { GraderAdapter } from './adapters/grader.ts';
import type { ClusterStatus } from '../contract/cluster.ts';
import type { LabCaller } from './api.ts';
import type { TerminalAdmission } from './terminal-socket.ts';
import { isOwner } from './terminal-socket.ts';

export type ClassroomOptions = {
  environments: LearnerEnvironments;
  /** Served over TLS: cookies get Secure. */
  secure: boolean;
  /** Background grading interval (default 15 s). */
  gradeEveryMs?: number;
};

export type ClassroomLocals = { role: 'instructor' | 'learner'; displayName?: string; csrf: string; cohortName?: string };

/** A learner environment's state in the words the page's cluster banner already speaks. */
function asClusterStatus(learner: string, status: EnvironmentStatus): ClusterStatus {
  const state = status.state === 'ready' ? 'running' : status.state === 'error' ? 'error' : status.state === 'gone' ? 'not-created' : 'creating';
  return { name: learner.replace(':', '-'), state, detail: status.message };
}

export function createClassroomMode(deps: { store: ProgressStore; grader: GraderAdapter; options: ClassroomOptions; log: (line: string) => void }) {
  const { store, grader, options, log } = deps;
  const environments = options.environments;
  const accounts = new Accounts(store.database);
  const cohorts = new Cohorts(store.database);
  const feed = new LiveFeed();
  const catalog = async (): Promise<LabCatalogEntry[]> => (await grader.labs()).map(({ number, id, tasks }) => ({ number, id, tasks }));

  const routes = createClassroomRoutes({
    accounts,
    cohorts,
    store,
    feed,
    environments,
    catalog,
    secure: options.secure,
    log,
    resetLab: async (learner, lab) => {
      const kubeconfig = environments.kubeconfig(learner);
      if (!kubeconfig) throw new Error(`${learner} has no cluster yet`);
      await grader.reset?.(lab, kubeconfig);
    },
  });

  const cohortOfLearner = (learner: string): number | undefined => cohorts.learner(Number(learner.split(':')[1]))?.cohortId;

  const openCohorts = () => (store.database.prepare('SELECT id FROM cohorts WHERE ended_at IS NULL').all() as { id: number }[]).map((row) => row.id);
  const grading = startGrading({
    cohorts,
    store,
    environments,
    verify: (lab, kubeconfig) => grader.verify(lab, kubeconfig),
    openCohorts,
    changed: (cohortId) => void routes.publishCohort(cohortId),
    everyMs: options.gradeEveryMs,
    log,
  });

  // Grading follows each learner's cluster: a pod event grades their open labs within a second.
  const clusterWatch = watchLearnerClusters({
    learners: () => {
      return openCohorts().flatMap((id) => cohorts.learners(id)).flatMap((learner) => {
        const key = learnerKey(learner);
        const kubeconfig = environments.status(key).state === 'ready' ? environments.kubeconfig(key) : undefined;
        return kubeconfig ? [{ id: learner.id, kubeconfig }] : [];
      });
    },
    changed: (learnerId) => grading.clusterChanged(learnerId),
    log,
  });

  const stopWatching = environments.onChange((learner, status) => {
    const id = Number(learner.split(':')[1]);
    feed.publish(`learner:${id}`, { type: 'environment', environment: status });
    const cohortId = cohortOfLearner(learner);
    if (cohortId !== undefined) void routes.publishCohort(cohortId);
  });

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
      kubeconfig: environments.kubeconfig(key),
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
      const learner = isOwner(watch) && /^learner:\d{1,9}$/.test(watch) ? cohorts.learner(Number(watch.split(':')[1])) : undefined;
      if (!learner || !cohorts.ownedBy(learner.cohortId, session.subjectId)) return { refuse: 404, reason: 'Not Found: no such learner in your cohorts' };
      return { watch };
    }
    const mine = session && routes.learnerOf(session);
    if (!mine) return { refuse: 401, reason: 'Unauthorized: join the class first' };
    const key = learnerKey(mine.learner);
    return { owner: key, shell: () => environments.shell(key) };
  }

  /** The learner's shell reported a command (a mark; `owner` is the shell's): one in a lab's namespace starts the lab. */
  const shellCommandRan = commandStarts({
    store,
    labs: async () => (await grader.labs()).map(({ id, namespaces }) => ({ id, namespaces: namespaces ?? [] })),
    started: (learner) => {
      const cohortId = cohortOfLearner(learner);
      if (cohortId !== undefined) void routes.publishCohort(cohortId);
    },
    log,
  });

  /** A learner ran a command: grade them within seconds instead of at the next round. */
  function commandEntered(owner: string): void {
    if (/^learner:\d{1,9}$/.test(owner)) grading.nudge(Number(owner.split(':')[1]));
  }

  /** The learner's page says when an instructor is watching their terminal. */
  function watchersChanged(owner: string, count: number): void {
    if (/^learner:\d+$/.test(owner)) feed.publish(`learner:${owner.split(':')[1]}`, { type: 'watching', watching: count > 0 });
  }

  function locals(req: IncomingMessage): ClassroomLocals | undefined {
    const session = routes.sessionOf(req);
    if (!session) return undefined;
    if (session.role === 'instructor') return { role: 'instructor', csrf: session.csrf };
    const mine = routes.learnerOf(session);
    return mine && { role: 'learner', displayName: mine.learner.displayName, csrf: session.csrf, cohortName: mine.cohort.name };
  }

  return {
    handle: (req: IncomingMessage, res: ServerResponse) => routes.handle(req, res),
    caller,
    locals,
    authorizeTerminal,
    watchersChanged,
    commandEntered,
    shellCommandRan,
    accounts,
    cohorts,
    feed,
    /** The cohort of a learner key changed (a Check was recorded). */
    recorded: (learner: string) => {
      const cohortId = cohortOfLearner(learner);
      if (cohortId !== undefined) void routes.publishCohort(cohortId);
    },
    close() {
      grading.stop();
      clusterWatch.stop();
      stopWatching();
    },
  };
}

export type ClassroomMode = ReturnType<typeof createClassroomMode>;
