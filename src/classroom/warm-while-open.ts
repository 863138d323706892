// The warm pool follows the classes: environments are kept ready for joins only while a class is
// open. With none open (before the first class, after "End the class") the pool makes none and
// removes its unassigned ones, so an ended class leaves no cluster running on the machine; the
// machine's preparation (images) still runs at start, which is the long part.
import type { LearnerEnvironments } from '../environments/classroom/contract.ts';
import type { Cohorts } from './cohorts.ts';

/** Sets the pool by the open cohorts now and on every open or end; returns the unsubscribe. */
export function keepWarmWhileOpen(cohorts: Pick<Cohorts, 'openIds' | 'onOpenChange'>, environments: Pick<LearnerEnvironments, 'keepWarm'>): () => void {
  environments.keepWarm?.(cohorts.openIds().length > 0);
  return cohorts.onOpenChange((open) => environments.keepWarm?.(open > 0));
}
