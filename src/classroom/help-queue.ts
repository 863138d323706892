// Raised hands, per cohort, oldest first. Kept in memory: they matter during the class, not
// after a restart.

export type HelpRequest = { learnerId: number; displayName: string; message: string; at: string };

/** What a learner may say with a raised hand. */
const MAX_MESSAGE = 280;

export class HelpQueue {
  private readonly byCohort = new Map<number, HelpRequest[]>();

  of(cohortId: number): HelpRequest[] {
    return this.byCohort.get(cohortId) ?? [];
  }

  /** A learner already waiting keeps their place (and their first message). */
  raise(cohortId: number, learner: { id: number; displayName: string }, message: string): void {
    const queue = this.of(cohortId);
    if (queue.some((h) => h.learnerId === learner.id)) return;
    this.byCohort.set(cohortId, [...queue, { learnerId: learner.id, displayName: learner.displayName, message: message.slice(0, MAX_MESSAGE), at: new Date().toISOString() }]);
  }

  dismiss(cohortId: number, learnerId: number): void {
    this.byCohort.set(cohortId, this.of(cohortId).filter((h) => h.learnerId !== learnerId));
  }
}
