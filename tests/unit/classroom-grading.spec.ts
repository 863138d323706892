// Continuous grading's schedule (src/classroom/grading.ts) with the real store and cohorts: a
// learner's command (Enter in their terminal) gets them graded within a second or so, not at the
// next 15 s round; an ended class, another learner and a stopped grader are left alone; a nudge
// and a round never grade the same lab at once; a learner whose environment is frozen (issue #24)
// is skipped by grading and by the cluster watch until it is thawed. What is graded is the cluster suite's business:
// here `verify` answers what the learner's cluster would, and counts its calls.
import { afterEach, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { Accounts } from '../../src/classroom/accounts.ts';
import { learnerKey } from '../../src/classroom/learner-key.ts';
import { Cohorts } from '../../src/classroom/cohorts.ts';
import type { EnvironmentState, LearnerEnvironments } from '../../src/environments/classroom/contract.ts';
import { readyClusters } from '../../src/classroom/cluster-watch.ts';
import { startGrading } from '../../src/classroom/grading.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const ready: Pick<LearnerEnvironments, 'kubeconfig' | 'status'> = { kubeconfig: () => '/dev/null', status: () => ({ state: 'ready', message: 'ready' }) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const result = (passed: boolean): LabResult => ({
  lab: '01-liveness', passed, score: passed ? 1 : 0, maxScore: 1, startedAt: new Date().toISOString(), durationMs: 1,
  checks: [{ id: 'probe-configured', title: 'probe', passed, points: passed ? 1 : 0 }],
});

let stop = () => {};
afterEach(() => stop());

async function classOfTwo() {
  const store = new ProgressStore(':memory:');
  const cohorts = new Cohorts(store.database);
  const teacher = await new Accounts(store.database).createInstructor('teacher', 'a-long-password');
  const cohort = cohorts.create(teacher, { name: 'Tuesday', labs: [1], capacity: 5 });
  const ana = cohorts.join(cohort.joinCode, 'Ana').learner;
  const ben = cohorts.join(cohort.joinCode, 'Ben').learner;
  return { store, cohorts, cohort, ana, ben };
}

describe('grading after a learner runs a command', () => {
  it('grades that learner within the first delay, far sooner than the round', async () => {
    const { store, cohorts, cohort, ana, ben } = await classOfTwo();
    const calls: string[] = [];
    let anaSolved = false;
    const changed: number[] = [];
    const grading = startGrading({
      cohorts, store, environments: ready as LearnerEnvironments, openCohorts: () => [cohort.id], changed: (id) => changed.push(id),
      everyMs: 60_000, nudgeDelaysMs: [100, 400],
      verify: async (_lab, kubeconfig) => (calls.push(kubeconfig), result(anaSolved)),
    });
    stop = () => grading.stop();
    anaSolved = true;
    grading.nudge(ana.id);
    await sleep(250);
    expect(calls.length).toBe(1);
    expect(store.progress(learnerKey(ana))[0]?.passed).toBe(true);
    expect(store.progress(learnerKey(ben))).toEqual([]);
    expect(changed).toEqual([cohort.id]);
    // The second delay finds the lab passed and does not grade it again.
    await sleep(400);
    expect(calls.length).toBe(1);
  });

  it('a new command restarts the delays; an ended class, an unknown learner and a stopped grader are not graded', async () => {
    const { store, cohorts, cohort, ana, ben } = await classOfTwo();
    let calls = 0;
    const grading = startGrading({
      cohorts, store, environments: ready as LearnerEnvironments, openCohorts: () => [cohort.id], changed: () => {},
      everyMs: 60_000, nudgeDelaysMs: [150],
      verify: async () => (calls++, result(false)),
    });
    stop = () => grading.stop();
    grading.nudge(ben.id);
    await sleep(100);
    grading.nudge(ben.id);
    await sleep(100);
    expect(calls).toBe(0);
    await sleep(150);
    expect(calls).toBe(1);
    grading.nudge(999_999);
    cohorts.end(cohort.id);
    grading.nudge(ana.id);
    await sleep(300);
    expect(calls).toBe(1);
    grading.stop();
    grading.nudge(ana.id);
    await sleep(300);
    expect(calls).toBe(1);
  });

  it('never grades one learner and lab twice at once (a nudge during a round)', async () => {
    const { store, cohorts, cohort, ana } = await classOfTwo();
    const running = new Map<string, number>();
    let most = 0;
    const grading = startGrading({
      cohorts, store, openCohorts: () => [cohort.id], changed: () => {},
      // Each learner's own cluster, so concurrent grading is counted per learner.
      environments: { ...ready, kubeconfig: (learner: string) => `/clusters/${learner}` } as LearnerEnvironments,
      everyMs: 60_000, nudgeDelaysMs: [10],
      verify: async (_lab, kubeconfig) => {
        running.set(kubeconfig, (running.get(kubeconfig) ?? 0) + 1);
        most = Math.max(most, running.get(kubeconfig)!);
        await sleep(200);
        running.set(kubeconfig, running.get(kubeconfig)! - 1);
        return result(false);
      },
    });
    stop = () => grading.stop();
    const round = grading.round();
    grading.nudge(ana.id);
    await round;
    await sleep(300);
    expect(most).toBe(1);
    // One background result recorded for Ana, not two identical ones.
    expect(store.attemptsOf([learnerKey(ana)]).length).toBe(1);
  });

  it('a burst of cluster events grades the learner once, when it settles', async () => {
    const { store, cohorts, cohort, ana } = await classOfTwo();
    let calls = 0;
    const grading = startGrading({
      cohorts, store, environments: ready as LearnerEnvironments, openCohorts: () => [cohort.id], changed: () => {},
      everyMs: 60_000, settleMs: 100, verify: async () => (calls++, result(false)),
    });
    stop = () => grading.stop();
    for (let i = 0; i < 5; i++) {
      grading.clusterChanged(ana.id);
      await sleep(30);
    }
    expect(calls).toBe(0);
    await sleep(200);
    expect(calls).toBe(1);
  });

  it('a change while that lab is being graded is graded again right after, so the grid does not miss it', async () => {
    const { store, cohorts, cohort, ana } = await classOfTwo();
    let solved = false;
    let calls = 0;
    const grading = startGrading({
      cohorts, store, openCohorts: () => [cohort.id], changed: () => {},
      environments: { ...ready, kubeconfig: (learner: string) => `/clusters/${learner}` } as LearnerEnvironments,
      everyMs: 60_000, settleMs: 10,
      verify: async (_lab, kubeconfig) => {
        if (kubeconfig !== `/clusters/${learnerKey(ana)}`) return result(false);
        calls++;
        const seen = solved; // what the grader read at the start of its run
        await sleep(200);
        return result(seen);
      },
    });
    stop = () => grading.stop();
    const round = grading.round();
    await sleep(50);
    solved = true;
    grading.clusterChanged(ana.id);
    await round;
    expect(calls).toBe(2);
    expect(store.progress(learnerKey(ana))[0]?.passed).toBe(true);
  });
});

describe('a learner whose environment is frozen (paused while nobody used it, issue #24)', () => {
  /** Every learner's cluster is theirs; `frozen` holds the learner keys whose environment is paused. Even a kubeconfig handed out while frozen must not be graded with. */
  const environmentsWith = (frozen: Set<string>) => ({
    kubeconfig: (learner: string) => `/clusters/${learner}`,
    status: (learner: string) => ({ state: (frozen.has(learner) ? 'frozen' : 'ready') as EnvironmentState, message: frozen.has(learner) ? 'paused after 5 min without activity' : 'ready' }),
  });

  it('is skipped by rounds, nudges and cluster events (not graded, nothing recorded), and graded again once thawed', async () => {
    const { store, cohorts, cohort, ana, ben } = await classOfTwo();
    const frozen = new Set([learnerKey(ana)]);
    const graded: string[] = [];
    const changed: number[] = [];
    const grading = startGrading({
      cohorts, store, environments: environmentsWith(frozen) as LearnerEnvironments, openCohorts: () => [cohort.id], changed: (id) => changed.push(id),
      everyMs: 60_000, nudgeDelaysMs: [10], settleMs: 10,
      verify: async (_lab, kubeconfig) => (graded.push(kubeconfig), result(false)),
    });
    stop = () => grading.stop();
    await grading.round();
    grading.nudge(ana.id);
    grading.clusterChanged(ana.id);
    await sleep(100);
    expect(graded).toEqual([`/clusters/${learnerKey(ben)}`]);
    expect(store.progress(learnerKey(ana))).toEqual([]);
    expect(store.attemptsOf([learnerKey(ana)])).toEqual([]);
    frozen.delete(learnerKey(ana));
    await grading.round();
    expect(graded).toContain(`/clusters/${learnerKey(ana)}`);
    expect(store.progress(learnerKey(ana))).toHaveLength(1);
  });

  it("is not watched by the cluster watch; it is again once thawed", async () => {
    const { ana, ben } = await classOfTwo();
    const frozen = new Set([learnerKey(ana)]);
    const environments = environmentsWith(frozen);
    expect(readyClusters([ana, ben], environments)).toEqual([{ id: ben.id, kubeconfig: `/clusters/${learnerKey(ben)}` }]);
    frozen.delete(learnerKey(ana));
    expect(readyClusters([ana, ben], environments).map((l) => l.id)).toEqual([ana.id, ben.id]);
  });
});
