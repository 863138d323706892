// The instructor's signal (issue #21): a lab is started once the learner touched it — a Check, or
// a graded result that saw their work — and only then does it count: time on the lab from that
// first touch, "stuck" from that time, "What is failing" from started labs only (untouched labs
// are a quiet count), and the drawer's reasons are the learner's own. The grader's results here
// are real: `labs verify <n> --json` of every lab on an empty kind cluster, and of labs 4 and 7
// mid-way (tests/unit/testdata/classroom/). The store is the real one, on a temp dir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { listLabs } from '../../grader/catalog.ts';
import { failureReasons, grid, notStarted, type LabCatalogEntry } from '../../src/classroom/board.ts';
import { learnerKey } from '../../src/classroom/learner-key.ts';
import type { Cohort, Learner } from '../../src/classroom/cohorts.ts';
import { observedNothing, startsLab, touchesLab } from '../../src/store/lab-start.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const testdata = new URL('./testdata/classroom/', import.meta.url).pathname;
const fixture = (name: string) => JSON.parse(readFileSync(join(testdata, name), 'utf8')) as LabResult[];
/** Every lab graded on a cluster where the learner did nothing. */
const untouched = fixture('results-untouched.json');
/** Lab 4 with the kustomization half done; lab 7 in the middle of an upgrade to a tag that does not exist. */
const started = fixture('results-started.json');
/** Lab 2 with the source course's pod applied without -n: it landed in default (grader/near-miss.ts). */
const strayed = fixture('results-near-miss.json');

const T0 = Date.parse('2026-03-03T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const labResult = (list: LabResult[], id: string, minutes: number): LabResult => ({ ...list.find((r) => r.lab.startsWith(id))!, startedAt: at(minutes) });
/** A result of lab `id` where `passing` tasks pass and the others observe `observed`. */
function graded(id: string, minutes: number, passing: string[], observed = 'Pod "x": restartCount: 0'): LabResult {
  const lab = catalog.find((l) => l.id.startsWith(id))!;
  const checks = lab.tasks.map((task) => ({
    id: task.id, title: task.title, points: 1, passed: passing.includes(task.id),
    ...(passing.includes(task.id) ? { observed: 'Pod "x"' } : { expected: `${task.id} holds`, observed }),
  }));
  return { lab: lab.id, passed: checks.every((c) => c.passed), score: 0, maxScore: checks.length, checks, startedAt: at(minutes), durationMs: 30 };
}

let catalog: LabCatalogEntry[];
beforeAll(async () => {
  catalog = (await listLabs()).map(({ number, id, tasks }) => ({ number, id, tasks }));
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function openStore(): { store: ProgressStore; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'labs-board-'));
  dirs.push(dir);
  const file = join(dir, 'progress.sqlite');
  return { store: new ProgressStore(file), file };
}

const cohort: Cohort = { id: 1, name: 'Tuesday', joinCode: 'AAAAAA', labs: [1, 2, 3, 4, 5], capacity: 10, createdAt: at(0) };
const person = (id: number, displayName: string): Learner => ({ id, cohortId: 1, displayName, resumeCode: '', joinedAt: at(0) });
const [ana, ben, cy] = [person(1, 'Ana'), person(2, 'Ben'), person(3, 'Cy')];

describe('when a lab is started (src/store/lab-start.ts)', () => {
  it('never from what the grader reports for an untouched lab, for every lab of the course', () => {
    expect(untouched.map((r) => r.lab)).toEqual(catalog.map((l) => l.id));
    for (const result of untouched) {
      expect(touchesLab(result), result.lab).toBe(false);
      expect(startsLab(result, 'auto'), result.lab).toBe(false);
    }
  });

  it('from a result that saw the learner\'s objects, even where tasks fail or pass on absence', () => {
    for (const result of started) expect(touchesLab(result), result.lab).toBe(true);
    // Lab 4's result has tasks that pass with "none found" beside ones that saw a Pod.
    expect(started[0]!.checks.some((c) => c.passed && /none found/.test(c.observed ?? ''))).toBe(true);
  });

  it('from a Check the learner pressed, whatever it found', () => {
    expect(startsLab(untouched[0]!, 'check')).toBe(true);
  });

  it('reads "nothing there" from what a task observed, and anything else as something', () => {
    for (const nothing of [
      'not found; namespace "liveness" has no Pods',
      'the cluster does not serve Application (is its CRD installed?)',
      'no release "myapp" there',
      'no Service "readiness-http" in namespace "readiness"',
      'no Application "custom-nginx" in namespace "argocd"',
      'no Pod "slow-app"',
      undefined,
    ]) expect(observedNothing(nothing), String(nothing)).toBe(true);
    for (const something of [
      'not found; Pods there: liveness-test',
      'no release "myapp" there; releases there: mychart',
      'spec.containers[liveness].livenessProbe.httpGet.port: 8081',
      'no "Liveness probe failed" Event for this pod: the probe has not failed (yet)',
      'endpoint state of Pod "lab-nginx-1-v1": absent',
    ]) expect(observedNothing(something), something).toBe(false);
    // A task that passes only because nothing is there is no sign of work either.
    expect(touchesLab({ checks: [{ passed: true, observed: 'none found; none found' }, { passed: false, observed: 'no release "x" there' }] })).toBe(false);
  });
});

describe('the store records the first touch of each lab (migration 3)', () => {
  it('keeps the earliest start, from Checks and from results that saw work, and none for untouched labs', () => {
    const { store } = openStore();
    const key = learnerKey(ana);
    // Background grading right after the join: every lab, nothing there.
    for (const id of ['01', '02', '03']) store.record(labResult(untouched, id, 0), key, 'auto');
    store.record(graded('02', 7, []), key, 'auto');
    store.record(graded('02', 9, ['probe-configured']), key, 'check');
    store.record(labResult(untouched, '03', 11), key, 'check');
    const byLab = new Map(store.progress(key).map((p) => [p.lab.slice(0, 2), p]));
    expect(byLab.get('01')!.startedAt).toBeUndefined();
    expect(byLab.get('02')!.startedAt).toBe(at(7));
    expect(byLab.get('03')!.startedAt).toBe(at(11));
    // A result recorded late with an earlier time moves the start back, never forward.
    store.record(graded('02', 5, []), key, 'auto');
    store.record(graded('02', 20, []), key, 'check');
    expect(store.progress(key).find((p) => p.lab.startsWith('02'))!.startedAt).toBe(at(5));
    store.close();
  });

  it('fills the starts of a database recorded before it, from its attempts', () => {
    const { store, file } = openStore();
    const key = learnerKey(ben);
    store.record(labResult(untouched, '01', 0), key, 'auto');
    store.record(labResult(untouched, '02', 0), key, 'auto');
    store.record(labResult(started, '04', 3), key, 'auto');
    store.record(labResult(untouched, '02', 6), key, 'check');
    // As a database of schema 2 was: no lab_starts table.
    store.database.exec('DROP TABLE lab_starts; PRAGMA user_version = 2;');
    store.close();
    const reopened = new ProgressStore(file);
    const rows = reopened.database.prepare('SELECT lab, started_at, source FROM lab_starts ORDER BY lab').all();
    expect(rows).toEqual([
      { lab: '02-readiness', started_at: at(6), source: 'check' },
      { lab: '04-kustomize-fields', started_at: at(3), source: 'auto' },
    ]);
    reopened.close();
  });
});

describe('the dashboard from first touches', () => {
  /** The measured class: two learners joined at T0; background grading saw every lab untouched. */
  function measuredClass() {
    const { store } = openStore();
    for (const learner of [ana, ben]) for (const id of ['01', '02', '03', '04', '05']) store.record(labResult(untouched, id, 0), learnerKey(learner), 'auto');
    return store;
  }

  it('untouched labs are not started: no minutes, no state, whatever the class\'s age', () => {
    const store = measuredClass();
    const rows = grid(cohort, [ana, ben], store.progressOf([learnerKey(ana), learnerKey(ben)]), catalog, T0 + 5 * 60_000);
    for (const row of rows) {
      for (const cell of row.cells) expect(cell).toMatchObject({ started: false, minutes: 0, attempts: 0, stuck: false, reasons: [] });
    }
    store.close();
  });

  it('time on a lab counts from its first touch, to its first pass', () => {
    const store = measuredClass();
    // Ben starts lab 2 at minute 4 and passes it 40 s later.
    store.record(graded('02', 4, ['probe-configured']), learnerKey(ben), 'auto');
    store.record({ ...graded('02', 4, catalog[1]!.tasks.map((t) => t.id)), startedAt: new Date(T0 + 4 * 60_000 + 40_000).toISOString() }, learnerKey(ben), 'auto');
    // Ana starts lab 1 at minute 3 and is still on it at minute 30.
    store.record(graded('01', 3, []), learnerKey(ana), 'auto');
    const rows = grid(cohort, [ana, ben], store.progressOf([learnerKey(ana), learnerKey(ben)]), catalog, T0 + 30 * 60_000);
    expect(rows[1]!.cells[1]).toMatchObject({ lab: 2, started: true, passed: true, minutes: 1, reasons: [] });
    expect(rows[0]!.cells[0]).toMatchObject({ lab: 1, started: true, passed: false, minutes: 27 });
    expect(rows[0]!.cells[1]).toMatchObject({ lab: 2, started: false, minutes: 0 });
    store.close();
  });

  it('stuck: 15 minutes since starting the lab and 3 Checks, not 15 minutes since the join', () => {
    const store = measuredClass();
    // 20 minutes into the class Ana starts lab 3 and presses Check three times in two minutes.
    for (const minutes of [20, 21, 22]) store.record(graded('03', minutes, []), learnerKey(ana), 'check');
    const progress = () => store.progressOf([learnerKey(ana)]);
    expect(grid(cohort, [ana], progress(), catalog, T0 + 23 * 60_000)[0]!.cells[2]).toMatchObject({ started: true, attempts: 3, minutes: 3, stuck: false });
    expect(grid(cohort, [ana], progress(), catalog, T0 + 36 * 60_000)[0]!.cells[2]).toMatchObject({ minutes: 16, stuck: true });
    store.close();
  });

  it('carries the learner\'s own reasons: each failing task\'s expected and observed from the latest result', () => {
    const store = measuredClass();
    store.record(labResult(started, '04', 2), learnerKey(ana), 'auto');
    const cell = grid(cohort, [ana], store.progressOf([learnerKey(ana)]), catalog, T0 + 5 * 60_000)[0]!.cells[3]!;
    const failing = started[0]!.checks.filter((c) => !c.passed);
    expect(cell.reasons).toEqual(failing.map((c) => ({ task: c.id, expected: c.expected, observed: c.observed })));
    expect(cell.reasons.map((r) => r.task)).toEqual(['images', 'labels']);
    store.close();
  });

  it('"What is failing" lists started labs only; untouched ones are a quiet count', () => {
    const store = measuredClass();
    const learners = [ana, ben];
    const progress = () => store.progressOf(learners.map(learnerKey));
    expect(failureReasons(cohort, learners, progress(), catalog)).toEqual([]);
    expect(notStarted(cohort, learners, progress(), catalog)).toEqual([1, 2, 3, 4, 5].map((lab) => ({ lab, learners: ['Ana', 'Ben'] })));
    // One real failure by one learner: it is the whole list.
    store.record(graded('01', 6, ['probe-configured'], 'restartCount: 0'), learnerKey(ben), 'auto');
    expect(failureReasons(cohort, learners, progress(), catalog)).toEqual([
      { lab: 1, task: 'restarted-by-liveness', observed: 'restartCount: 0', learners: ['Ben'], started: 1, latestAt: at(6) },
    ]);
    expect(notStarted(cohort, learners, progress(), catalog)[0]).toEqual({ lab: 1, learners: ['Ana'] });
    store.close();
  });

  it('a near miss is one group per lab and place, whichever tasks it fails, and starts the lab', () => {
    const store = measuredClass();
    const learners = [ana, ben, cy];
    const stray = strayed.find((r) => r.lab.startsWith('02'))!;
    expect(touchesLab(stray)).toBe(true);
    store.record({ ...stray, startedAt: at(4) }, learnerKey(ana), 'auto');
    store.record({ ...stray, startedAt: at(7) }, learnerKey(ben), 'auto');
    store.record(graded('02', 9, catalog[1]!.tasks.slice(1).map((t) => t.id), 'port 8081'), learnerKey(cy), 'auto');
    const reasons = failureReasons(cohort, learners, store.progressOf(learners.map(learnerKey)), catalog);
    const said = stray.checks.find((c) => c.nearMiss)!.observed!;
    expect(said).toMatch(/^Pod "readiness-http" is in namespace "default"/);
    // Ana and Ben: one near-miss group (not one per task it fails); what the stray cannot explain
    // (no Service either) is its own group; Cy's wrong port is another.
    expect(reasons).toEqual([
      { lab: 2, task: 'probe-configured', observed: said, learners: ['Ana', 'Ben'], started: 3, latestAt: at(7), nearMiss: true },
      { lab: 2, task: 'out-of-endpoints', observed: 'not found; namespace "readiness" has no Services', learners: ['Ana', 'Ben'], started: 3, latestAt: at(7) },
      { lab: 2, task: 'probe-configured', observed: 'port 8081', learners: ['Cy'], started: 3, latestAt: at(9) },
    ]);
    // The drawer shows Ana's own reasons, the near misses marked as such.
    const cell = grid(cohort, [ana], store.progressOf([learnerKey(ana)]), catalog)[0]!.cells.find((c) => c.lab === 2)!;
    expect(cell.started).toBe(true);
    expect(cell.reasons.filter((r) => r.nearMiss).map((r) => [r.task, r.observed])).toEqual(
      ['probe-configured', 'running-not-ready', 'never-restarted'].map((task) => [task, said]),
    );
    store.close();
  });

  it('sorts by learners failing that way, then by the newest result, then course order', () => {
    const store = measuredClass();
    const learners = [ana, ben, cy];
    // Ana and Ben: lab 1's restart not seen, minutes 5 and 6. Cy: lab 2's probe wrong at minute 9;
    // Ben: lab 3's startup probe missing at minute 8.
    store.record(graded('01', 5, ['probe-configured'], 'restartCount: 0'), learnerKey(ana), 'auto');
    store.record(graded('01', 6, ['probe-configured'], 'restartCount: 0'), learnerKey(ben), 'auto');
    store.record(graded('02', 9, catalog[1]!.tasks.slice(1).map((t) => t.id), 'port 8081'), learnerKey(cy), 'auto');
    store.record(graded('03', 8, catalog[2]!.tasks.slice(0, 1).concat(catalog[2]!.tasks.slice(2)).map((t) => t.id), 'no startupProbe'), learnerKey(ben), 'auto');
    const reasons = failureReasons(cohort, learners, store.progressOf(learners.map(learnerKey)), catalog);
    expect(reasons.map((r) => [r.lab, r.task, r.learners.length, r.started])).toEqual([
      [1, 'restarted-by-liveness', 2, 2],
      [2, 'probe-configured', 1, 1],
      [3, 'startup-probe-configured', 1, 1],
    ]);
    expect(reasons[0]!.latestAt).toBe(at(6));
    store.close();
  });
});
