// Issue #23 items 4–5: the dashboard shows the machine's preparation and the warm pool, an ended
// class shows its environments as ended (not "ready"), and the warm pool follows open classes.
import { describe, expect, it } from 'vitest';
import { Accounts } from '../../src/classroom/accounts.ts';
import { Cohorts } from '../../src/classroom/cohorts.ts';
import { HelpQueue } from '../../src/classroom/help-queue.ts';
import { LabCatalog } from '../../src/classroom/lab-catalog.ts';
import { cohortChannel, LiveFeed, type LiveEvent } from '../../src/classroom/live.ts';
import { DashboardPublisher } from '../../src/classroom/publisher.ts';
import { keepWarmWhileOpen } from '../../src/classroom/warm-while-open.ts';
import type { LearnerEnvironments, PoolStatus } from '../../src/environments/classroom/contract.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const pool: PoolStatus = {
  assigned: 0, warm: 0, creating: 1, warmTarget: 1, fit: 3, availableMiB: 9000, limit: 'cpu', limitMessage: '2 cores', environmentMiB: 560, reserveMiB: 2048,
  preparing: { message: 'building the sandbox image', progress: { phase: 'images', step: 3, steps: 7, startedAt: '', phaseStartedAt: '', etaSeconds: 400 } },
  message: 'preparing: building the sandbox image',
};

async function classWithDashboard() {
  const store = new ProgressStore(':memory:');
  const cohorts = new Cohorts(store.database);
  const teacher = await new Accounts(store.database).createInstructor('teacher', 'a-long-password');
  const warm: boolean[] = [];
  let poolChanged = () => {};
  const environments: Pick<LearnerEnvironments, 'status' | 'capacity' | 'onPoolChange' | 'keepWarm'> = {
    status: () => ({ state: 'ready', message: 'ready' }),
    capacity: async () => pool,
    onPoolChange: (listener) => ((poolChanged = listener), () => {}),
    keepWarm: (open) => warm.push(open),
  };
  const stopWarm = keepWarmWhileOpen(cohorts, environments);
  const cohort = cohorts.create(teacher, { name: 'Tuesday', labs: [1], capacity: 4 });
  cohorts.join(cohort.joinCode, 'Ben');
  const feed = new LiveFeed();
  const catalog = new LabCatalog(async () => [{ number: 1, id: '01-liveness', tasks: [] }]);
  const dashboard = new DashboardPublisher({ cohorts, store, environments, feed, catalog, help: new HelpQueue(), coalesceMs: 5 });
  const snapshots: LiveEvent[] = [];
  feed.subscribe(cohortChannel(cohort.id), (event) => snapshots.push(event));
  const close = () => (stopWarm(), dashboard.stop(), catalog.close(), store.close());
  return { cohorts, cohort, dashboard, snapshots, warm, poolChanged: () => poolChanged(), close };
}

describe('the machine and the warm pool on the dashboard', () => {
  it('a snapshot carries the pool and its preparation; a pool change republishes open dashboards', async () => {
    const { cohort, dashboard, snapshots, poolChanged, close } = await classWithDashboard();
    expect((await dashboard.snapshot(cohort.id)).pool).toMatchObject({ creating: 1, preparing: { message: 'building the sandbox image' } });
    poolChanged();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(snapshots).toHaveLength(1);
    close();
  });

  it('an ended class: every environment reads ended (whatever a release in flight says), no pool', async () => {
    const { cohorts, cohort, dashboard, close } = await classWithDashboard();
    cohorts.end(cohort.id);
    const snapshot = await dashboard.snapshot(cohort.id);
    expect(snapshot.learners.map((l) => l.environment)).toEqual([{ state: 'gone', message: 'the class has ended' }]);
    expect(snapshot.pool).toBeUndefined();
    close();
  });

  it('the warm pool is kept while a class is open: none before, on at the first class, off when the last ends', async () => {
    const { cohorts, cohort, warm, close } = await classWithDashboard();
    expect(warm).toEqual([false, true]);
    cohorts.end(cohort.id);
    expect(warm).toEqual([false, true, false]);
    close();
  });
});
