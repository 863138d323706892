// The per-learner bookkeeping of the warm pool (warm-pool.ts), whatever the provider: a record
// per learner, their operations run one after another, and status changes sent to listeners
// (the dashboard).
import type { EnvironmentState, EnvironmentStatus } from './contract.ts';

export type LearnerEntry = { status: EnvironmentStatus; chain: Promise<unknown> };

export class LearnerBook<R extends LearnerEntry> {
  private readonly records = new Map<string, R>();
  private readonly listeners = new Set<(learner: string, status: EnvironmentStatus) => void>();

  private readonly fresh: () => Omit<R, 'status' | 'chain'>;
  private readonly log: (line: string) => void;

  constructor(fresh: () => Omit<R, 'status' | 'chain'>, log: (line: string) => void) {
    this.fresh = fresh;
    this.log = log;
  }

  get(learner: string): R | undefined {
    return this.records.get(learner);
  }

  /** The learner's record, made (pending) when they have none. */
  record(learner: string): R {
    let record = this.records.get(learner);
    if (!record) {
      record = { ...this.fresh(), status: { state: 'pending', message: 'waiting for an environment' }, chain: Promise.resolve() } as R;
      this.records.set(learner, record);
    }
    return record;
  }

  /** Every learner's record (health checks and idle reclaim walk them). */
  all(): IterableIterator<[string, R]> {
    return this.records.entries();
  }

  delete(learner: string): void {
    this.records.delete(learner);
  }

  /** Runs `op` after the learner's earlier operations (assign, recreate, release), whatever they ended in. */
  serial<T>(learner: string, op: () => Promise<T>): Promise<T> {
    const record = this.record(learner);
    const next = record.chain.then(op, op);
    record.chain = next.catch(() => undefined);
    return next;
  }

  setStatus(learner: string, state: EnvironmentState, message: string): void {
    const record = this.records.get(learner);
    if (!record || (record.status.state === state && record.status.message === message)) return;
    record.status = { state, message };
    for (const l of this.listeners) {
      try {
        l(learner, record.status);
      } catch (e) {
        this.log(`a status listener failed: ${(e as Error).message}`);
      }
    }
  }

  onChange(listener: (learner: string, status: EnvironmentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
