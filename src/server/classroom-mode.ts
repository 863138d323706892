// Classroom mode, as the platform server sees it: the classroom library (accounts, cohorts, live
// feeds, the dashboard, continuous grading) on the platform's one database, wired to the
// routes, the terminal and the lab API. Solo mode never loads this file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { labsRoot } from '../../grader/catalog.ts';
import { Accounts } from '../classroom/accounts.ts';
import { readyClusters, watchLearnerClusters } from '../classroom/cluster-watch.ts';
import { Cohorts } from '../classroom/cohorts.ts';
import { commandStarts } from '../classroom/command-starts.ts';
import { EnvironmentAssigner } from '../classroom/environment-assigner.ts';
import { startGrading } from '../classroom/grading.ts';
import { HelpQueue } from '../classroom/help-queue.ts';
import { LabCatalog } from '../classroom/lab-catalog.ts';
import { learnerIdOf } from '../classroom/learner-key.ts';
import { LiveFeed } from '../classroom/live.ts';
import { DashboardPublisher } from '../classroom/publisher.ts';
import { SandboxLanguage } from '../classroom/sandbox-language.ts';
import { keepWarmWhileOpen } from '../classroom/warm-while-open.ts';
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import type { EndReason } from '../terminal/protocol.ts';
import type { GraderAdapter } from './adapters/grader.ts';
import { classroomCallers } from './classroom-callers.ts';
import { createClassroomRoutes } from './classroom-routes.ts';

export type { ClassroomLocals } from './classroom-callers.ts';

export type ClassroomOptions = {
  environments: LearnerEnvironments;
  /** Served over TLS: cookies get Secure. */
  secure: boolean;
  /** Background grading interval (default 15 s). */
  gradeEveryMs?: number;
};

export type ClassroomModeDeps = {
  store: ProgressStore;
  grader: GraderAdapter;
  options: ClassroomOptions;
  log: (line: string) => void;
  /** The join address learners reach (what the server printed at start); undefined when none does. */
  joinAddress?: () => string | undefined;
  /** Ends a learner's terminals, saying why (the class ended): the platform's terminal sessions. */
  endTerminals?: (learner: string, reason: EndReason) => void;
  /** Whether someone looks at this owner's terminal now (a browser attached, an instructor's view): the platform's terminal sessions. */
  terminalInUse?: (owner: string) => boolean;
};

export function createClassroomMode(deps: ClassroomModeDeps) {
  const { store, grader, options, log } = deps;
  const environments = options.environments;
  const accounts = new Accounts(store.database);
  const cohorts = new Cohorts(store.database);
  const feed = new LiveFeed();
  const help = new HelpQueue();
  const catalog = new LabCatalog(async () => (await grader.labs()).map(({ number, id, tasks, namespaces }) => ({ number, id, tasks, namespaces })), { watch: labsRoot(), log });
  const dashboard = new DashboardPublisher({ cohorts, store, environments, feed, catalog, help, log });
  const language = new SandboxLanguage(environments, log);

  const routes = createClassroomRoutes({
    accounts, cohorts, store, feed, environments, dashboard, help, catalog,
    assigner: new EnvironmentAssigner(environments, log),
    language,
    secure: options.secure,
    courseLabs: (language) => grader.labs(language),
    log,
    endTerminals: deps.endTerminals,
    resetLab: async (learner, lab) => {
      // A frozen environment is thawed first (its kubeconfig is there once it is usable again).
      await environments.wake?.(learner);
      const kubeconfig = environments.kubeconfig(learner);
      if (!kubeconfig) throw new Error(`${learner} has no cluster yet`);
      await grader.reset?.(lab, kubeconfig);
    },
  });

  const grading = startGrading({
    cohorts,
    store,
    environments,
    verify: (lab, kubeconfig) => grader.verify(lab, kubeconfig),
    openCohorts: () => cohorts.openIds(),
    changed: (cohortId) => dashboard.changed(cohortId),
    everyMs: options.gradeEveryMs,
    log,
  });

  // Grading follows each learner's cluster: a pod event grades their open labs within a second.
  const clusterWatch = watchLearnerClusters({
    learners: () => readyClusters(cohorts.learnersOfOpenCohorts(), environments),
    changed: (learnerId) => grading.clusterChanged(learnerId),
    log,
  });

  environments.setPresence?.(present);

  const stopWarm = keepWarmWhileOpen(cohorts, environments);
  const stopWatching = environments.onChange((learner, status) => {
    feed.publish(learner, { type: 'environment', environment: status });
    dashboard.learnerChanged(learner);
  });

  /** The learner's shell reported a command (a mark; `owner` is the shell's): one in a lab's namespace starts the lab. */
  const shellCommandRan = commandStarts({
    store,
    labs: async () => (await catalog.entries()).map(({ id, namespaces }) => ({ id, namespaces: namespaces ?? [] })),
    started: (learner) => dashboard.learnerChanged(learner),
    log,
  });

  /** A learner ran a command: grade them within seconds instead of at the next round. */
  function commandEntered(owner: string): void {
    const id = learnerIdOf(owner);
    if (id !== undefined) grading.nudge(id);
  }

  /**
   * Who is here now, so an environment is frozen only when nobody is (the contract's setPresence):
   * a page of the learner's is open — their terminal with a browser attached, or their live feed
   * (the class strip of every lesson page) — or an instructor watches their terminal.
   */
  function present(learner: string): boolean {
    return feed.subscribers(learner) > 0 || (deps.terminalInUse?.(learner) ?? false);
  }

  /** The learner's page says when an instructor is watching their terminal. */
  function watchersChanged(owner: string, count: number): void {
    if (learnerIdOf(owner) !== undefined) feed.publish(owner, { type: 'watching', watching: count > 0 });
  }

  return {
    handle: (req: IncomingMessage, res: ServerResponse) => routes.handle(req, res),
    ...classroomCallers({ accounts, cohorts, environments, routes, language, joinAddress: deps.joinAddress }),
    watchersChanged,
    commandEntered,
    shellCommandRan,
    accounts,
    cohorts,
    feed,
    /** The cohort of a learner key changed (a Check was recorded). */
    recorded: (learner: string) => dashboard.learnerChanged(learner),
    close() {
      grading.stop();
      clusterWatch.stop();
      stopWatching();
      stopWarm();
      dashboard.stop();
      catalog.close();
    },
  };
}

export type ClassroomMode = ReturnType<typeof createClassroomMode>;
