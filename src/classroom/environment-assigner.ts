// Gives a learner an environment when they have none that works: at join, and when their page
// opens or they resume after theirs was reclaimed for idleness or failed to come (the machine
// was full, a cluster did not start). One that failed is asked for again at most once a minute.
// One frozen while nobody used it is thawed when their page opens.
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import { learnerKey } from './learner-key.ts';

/** How often a learner's page may ask again for an environment that failed to come. */
const ENVIRONMENT_RETRY_MS = 60_000;

export class EnvironmentAssigner {
  private readonly environments: LearnerEnvironments;
  private readonly log: (line: string) => void;
  private readonly lastAssigned = new Map<number, number>();

  constructor(environments: LearnerEnvironments, log: (line: string) => void = () => {}) {
    this.environments = environments;
    this.log = log;
  }

  /**
   * `force`: assign whatever the state (a join: the environment comes from the warm pool, or is
   * made now). A frozen environment is woken, never replaced.
   */
  ensure(learner: { id: number }, force = false): void {
    const { state } = this.environments.status(learnerKey(learner));
    if (state === 'frozen') return this.wake(learner);
    if (!force && state !== 'gone' && state !== 'error') return;
    if (!force && state === 'error' && Date.now() - (this.lastAssigned.get(learner.id) ?? 0) < ENVIRONMENT_RETRY_MS) return;
    this.lastAssigned.set(learner.id, Date.now());
    void this.environments.assign(learnerKey(learner)).catch((error: unknown) => this.log(`classroom: environment for learner ${learner.id}: ${(error as Error).message}`));
  }

  /** Their environment was frozen while nobody used it: thawed in the background (about a second). */
  private wake(learner: { id: number }): void {
    void this.environments.wake?.(learnerKey(learner))?.catch((error: unknown) => this.log(`classroom: waking the environment of learner ${learner.id}: ${(error as Error).message}`));
  }
}
