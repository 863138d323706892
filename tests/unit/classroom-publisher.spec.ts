// The dashboard publisher (src/classroom/publisher.ts) and the lab catalog it reads
// (src/classroom/lab-catalog.ts), with the real store, cohorts and continuous grading: a burst of
// gradings reaches an open dashboard as one snapshot, a change after the window as another, and
// the labs are read once per change of them, not once per snapshot.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { Accounts } from '../../src/classroom/accounts.ts';
import type { LabCatalogEntry } from '../../src/classroom/board.ts';
import { Cohorts } from '../../src/classroom/cohorts.ts';
import { startGrading } from '../../src/classroom/grading.ts';
import { HelpQueue } from '../../src/classroom/help-queue.ts';
import { LabCatalog, UNWATCHED_TTL_MS } from '../../src/classroom/lab-catalog.ts';
import { learnerKey } from '../../src/classroom/learner-key.ts';
import { cohortChannel, LiveFeed, type LiveEvent } from '../../src/classroom/live.ts';
import { COALESCE_MS, DashboardPublisher } from '../../src/classroom/publisher.ts';
import type { LearnerEnvironments } from '../../src/environments/classroom/contract.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const LABS: LabCatalogEntry[] = [{ number: 1, id: '01-liveness', tasks: [{ id: 'probe-configured', title: 'probe' }] }];
const ready: Pick<LearnerEnvironments, 'kubeconfig' | 'status'> = { kubeconfig: (learner) => `/kubeconfigs/${learner}`, status: () => ({ state: 'ready', message: 'ready' }) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const result = (passed: boolean): LabResult => ({
  lab: '01-liveness', passed, score: passed ? 1 : 0, maxScore: 1, startedAt: new Date().toISOString(), durationMs: 1,
  checks: [{ id: 'probe-configured', title: 'probe', passed, points: passed ? 1 : 0, ...(passed ? {} : { observed: 'no probe' }) }],
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A class of `size` learners whose dashboard is open: `snapshots` are what it received. */
async function openDashboard(size: number, catalog = new LabCatalog(async () => LABS)) {
  const store = new ProgressStore(':memory:');
  const cohorts = new Cohorts(store.database);
  const teacher = await new Accounts(store.database).createInstructor('teacher', 'a-long-password');
  const cohort = cohorts.create(teacher, { name: 'Tuesday', labs: [1], capacity: size });
  const learners = Array.from({ length: size }, (_, i) => cohorts.join(cohort.joinCode, `Learner ${i + 1}`).learner);
  const feed = new LiveFeed();
  const dashboard = new DashboardPublisher({ cohorts, store, environments: ready, feed, catalog, help: new HelpQueue() });
  const snapshots: LiveEvent[] = [];
  const unsubscribe = feed.subscribe(cohortChannel(cohort.id), (event) => snapshots.push(event));
  cleanups.push(() => (dashboard.stop(), unsubscribe(), catalog.close(), store.close()));
  return { store, cohorts, cohort, learners, feed, dashboard, snapshots };
}

const passedCells = (snapshot: LiveEvent | undefined) => (snapshot?.grid as Array<{ cells: Array<{ passed: boolean }> }>).filter((row) => row.cells[0]!.passed).length;

describe('the dashboard publisher', () => {
  it('a round that grades 30 learners publishes one snapshot with all of them; a change after the window publishes another', async () => {
    const { store, cohorts, cohort, learners, dashboard, snapshots } = await openDashboard(30);
    const grading = startGrading({
      cohorts, store, environments: ready as LearnerEnvironments, openCohorts: () => cohorts.openIds(), everyMs: 60_000, concurrency: 4,
      changed: (id) => dashboard.changed(id),
      verify: async () => result(true),
    });
    cleanups.push(() => grading.stop());
    const started = Date.now();
    await grading.round();
    expect(store.progressOf(learners.map(learnerKey)).size).toBe(30);
    await sleep(COALESCE_MS + 100);
    expect(snapshots).toHaveLength(1);
    expect(passedCells(snapshots[0])).toBe(30);
    console.log(`30 gradings → ${snapshots.length} snapshot, ${Date.now() - started} ms after the round began`);

    // A learner's Check after the window: their dashboard moves again.
    store.record(result(false), learnerKey(learners[0]!));
    dashboard.learnerChanged(learnerKey(learners[0]!));
    await sleep(COALESCE_MS + 100);
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]!.learners).toHaveLength(30);
    expect((snapshots[1]!.cohort as { id: number }).id).toBe(cohort.id);
  });

  it('a dashboard nobody has open is not computed; a key that is not a learner changes nothing', async () => {
    let reads = 0;
    const { cohort, dashboard, snapshots } = await openDashboard(2, new LabCatalog(async () => (reads++, LABS)));
    dashboard.changed(cohort.id + 1); // no such cohort, and nobody listening to it
    dashboard.learnerChanged('solo');
    dashboard.learnerChanged('learner:999');
    await sleep(COALESCE_MS + 100);
    expect(snapshots).toEqual([]);
    expect(reads).toBe(0);
  });
});

describe('the lab catalog', () => {
  it('is read once per change, not once per snapshot', async () => {
    let reads = 0;
    const catalog = new LabCatalog(async () => (reads++, LABS));
    const { cohort, dashboard, snapshots } = await openDashboard(3, catalog);
    for (let i = 0; i < 3; i++) {
      dashboard.changed(cohort.id);
      await sleep(COALESCE_MS + 50);
    }
    expect(snapshots).toHaveLength(3);
    expect(reads).toBe(1);
    catalog.changed();
    catalog.changed();
    dashboard.changed(cohort.id);
    await sleep(COALESCE_MS + 50);
    expect(snapshots).toHaveLength(4);
    expect(reads).toBe(2);
  });

  it('an edit under the watched lab folders reads the labs again; a failed read is tried again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-catalog-'));
    mkdirSync(join(root, '01-liveness'));
    let reads = 0;
    let fail = false;
    const catalog = new LabCatalog(async () => {
      reads++;
      if (fail) throw new Error('lab.yaml: not valid YAML');
      return LABS;
    }, { watch: root });
    cleanups.push(() => (catalog.close(), rmSync(root, { recursive: true, force: true })));
    await catalog.entries();
    await catalog.entries();
    expect(reads).toBe(1);
    fail = true;
    writeFileSync(join(root, '01-liveness', 'lab.yaml'), 'title: [');
    await expect.poll(async () => (await catalog.entries().catch(() => undefined), reads), { timeout: 5000 }).toBe(2);
    fail = false;
    expect(await catalog.entries()).toBe(LABS);
    expect(reads).toBe(3);
    await catalog.entries();
    expect(reads).toBe(3);
  });

  it('without a watch on the lab folders, a read is kept for UNWATCHED_TTL_MS', async () => {
    let reads = 0;
    let clock = 0;
    const logged: string[] = [];
    const catalog = new LabCatalog(async () => (reads++, LABS), { watch: join(tmpdir(), 'no-such-lab-folder-for-this-test'), now: () => clock, log: (line) => logged.push(line) });
    cleanups.push(() => catalog.close());
    expect(logged.join('\n')).toContain('not watching the labs');
    await catalog.entries();
    clock += UNWATCHED_TTL_MS;
    await catalog.entries();
    expect(reads).toBe(1);
    clock += 1;
    await catalog.entries();
    expect(reads).toBe(2);
  });
});
