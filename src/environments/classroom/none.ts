// Classroom mode without learner environments (`--environments none`): cohorts, joining, the
// dashboard, broadcasts and exports work; learners get no cluster and no terminal, and every page
// says so. For trying the instructor's side on a machine without Docker, and for the browser
// suite's UI tests (the cluster suite proves the real environments).
import type { EnvironmentStatus, LearnerEnvironments } from './contract.ts';

const NONE: EnvironmentStatus = { state: 'error', message: 'this class runs without learner environments (--environments none): no cluster or terminal' };

export class NoLearnerEnvironments implements LearnerEnvironments {
  async assign(): Promise<void> {}
  status(): EnvironmentStatus {
    return NONE;
  }
  kubeconfig(): undefined {
    return undefined;
  }
  shell(): undefined {
    return undefined;
  }
  async recreate(): Promise<void> {}
  async release(): Promise<void> {}
  onChange(): () => void {
    return () => {};
  }
}
