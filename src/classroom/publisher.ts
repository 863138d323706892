// The instructor's dashboard, kept live: whatever changes what a cohort's dashboard shows (a
// grading, a join, a raised hand, an environment's state) tells the publisher, which sends open
// dashboards a fresh snapshot. A class grades in bursts (a round, a rollout's pod events, thirty
// learners pressing Check after the same hint), so changes within COALESCE_MS of the first make
// one snapshot, sent at the end of that window.
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import type { ProgressStore } from '../store/progress-store.ts';
import { failureReasons, grid, notStarted } from './board.ts';
import type { Cohorts } from './cohorts.ts';
import type { HelpQueue } from './help-queue.ts';
import type { LabCatalog } from './lab-catalog.ts';
import { learnerIdOf, learnerKey } from './learner-key.ts';
import { cohortChannel, type LiveFeed } from './live.ts';

/** Long enough to fold a burst of gradings into one snapshot, short enough that the grid still moves at once. */
export const COALESCE_MS = 150;

export type DashboardDeps = {
  cohorts: Cohorts;
  store: Pick<ProgressStore, 'progressOf'>;
  environments: Pick<LearnerEnvironments, 'status' | 'capacity' | 'onPoolChange'>;
  feed: LiveFeed;
  catalog: Pick<LabCatalog, 'entries'>;
  help: HelpQueue;
  coalesceMs?: number;
  log?: (line: string) => void;
};

export class DashboardPublisher {
  private readonly deps: DashboardDeps;
  /** Cohorts with a snapshot due at the end of their window. */
  private readonly due = new Map<number, ReturnType<typeof setTimeout>>();
  /** Each cohort's latest publish: the next waits for it, so snapshots arrive in order. */
  private readonly sending = new Map<number, Promise<void>>();
  private stopped = false;
  private readonly stopPool: () => void;

  constructor(deps: DashboardDeps) {
    this.deps = deps;
    // The machine's preparation and the warm pool show on every open class's dashboard.
    this.stopPool = deps.environments.onPoolChange?.(() => {
      for (const id of deps.cohorts.openIds()) this.changed(id);
    }) ?? (() => {});
  }

  /** Everything the dashboard shows of a cohort, as of now. */
  async snapshot(cohortId: number) {
    const { cohorts, store, environments, help } = this.deps;
    const catalog = await this.deps.catalog.entries();
    const cohort = cohorts.get(cohortId)!;
    const learners = cohorts.learners(cohortId);
    const progress = store.progressOf(learners.map(learnerKey));
    // An ended class's environments are gone (released at the end), whatever a release in flight still says.
    const ended = { state: 'gone', message: 'the class has ended' } as const;
    return {
      cohort,
      learners: learners.map((l) => ({ id: l.id, displayName: l.displayName, joinedAt: l.joinedAt, environment: cohort.endedAt ? ended : environments.status(learnerKey(l)) })),
      pool: cohort.endedAt ? undefined : await environments.capacity?.().catch(() => undefined),
      grid: grid(cohort, learners, progress, catalog),
      failures: failureReasons(cohort, learners, progress, catalog),
      notStarted: notStarted(cohort, learners, progress, catalog),
      help: help.of(cohortId),
    };
  }

  /** Something the cohort's dashboard shows changed: open dashboards get a snapshot within COALESCE_MS. */
  changed(cohortId: number): void {
    if (this.stopped || this.due.has(cohortId) || !this.watched(cohortId)) return;
    this.due.set(cohortId, setTimeout(() => {
      this.due.delete(cohortId);
      const sent = (this.sending.get(cohortId) ?? Promise.resolve()).then(() => this.publish(cohortId));
      this.sending.set(cohortId, sent);
      void sent.finally(() => this.sending.get(cohortId) === sent && this.sending.delete(cohortId));
    }, this.deps.coalesceMs ?? COALESCE_MS));
  }

  /** Something of this learner's changed (a result, a started lab, their environment): their cohort's dashboards hear of it. */
  learnerChanged(key: string): void {
    const id = learnerIdOf(key);
    const learner = id === undefined ? undefined : this.deps.cohorts.learner(id);
    if (learner) this.changed(learner.cohortId);
  }

  stop(): void {
    this.stopped = true;
    this.stopPool();
    for (const timer of this.due.values()) clearTimeout(timer);
    this.due.clear();
  }

  private watched(cohortId: number): boolean {
    return this.deps.feed.subscribers(cohortChannel(cohortId)) > 0;
  }

  private async publish(cohortId: number): Promise<void> {
    if (this.stopped || !this.watched(cohortId)) return;
    try {
      this.deps.feed.publish(cohortChannel(cohortId), { type: 'snapshot', ...(await this.snapshot(cohortId)) });
    } catch (error) {
      this.deps.log?.(`classroom: dashboard of cohort ${cohortId}: ${(error as Error).message}`);
    }
  }
}
