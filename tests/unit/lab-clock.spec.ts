// The dashboard's clock (issue #21) over the real store: a command in a lab's namespace starts the
// lab before any result of it exists; a reset (the instructor's or the learner's own) makes the
// lab not started until the next touch, time counts from that touch, and Checks pressed before
// the reset no longer make the learner "stuck". A pass stays a pass. Results are the grader's
// real ones for untouched labs (tests/unit/testdata/classroom/) and made-up failing ones.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { listLabs } from '../../grader/catalog.ts';
import { STUCK_ATTEMPTS, STUCK_MINUTES, failureReasons, grid, type LabCatalogEntry } from '../../src/classroom/board.ts';
import { learnerKey } from '../../src/classroom/learner-key.ts';
import type { Cohort, Learner } from '../../src/classroom/cohorts.ts';
import { createApi } from '../../src/server/api.ts';
import { createPageTokens } from '../../src/server/page-token.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import { startClassroom, type Client } from './classroom-harness.ts';

const untouched = JSON.parse(readFileSync(new URL('./testdata/classroom/results-untouched.json', import.meta.url), 'utf8')) as LabResult[];
const T0 = Date.parse('2026-03-03T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const untouchedAt = (id: string, minutes: number): LabResult => ({ ...untouched.find((r) => r.lab.startsWith(id))!, startedAt: at(minutes) });

let catalog: LabCatalogEntry[];
beforeAll(async () => {
  catalog = (await listLabs()).map(({ number, id, tasks }) => ({ number, id, tasks }));
});
/** Lab `id` graded at `minutes`: every task fails on the learner's pod (it starts the lab), or all pass. */
function graded(id: string, minutes: number, passed = false): LabResult {
  const lab = catalog.find((l) => l.id.startsWith(id))!;
  const checks = lab.tasks.map((task) => ({ id: task.id, title: task.title, points: 1, passed, ...(passed ? {} : { expected: 'ready', observed: 'Pod "x": restartCount: 0' }) }));
  return { lab: lab.id, passed, score: passed ? checks.length : 0, maxScore: checks.length, checks, startedAt: at(minutes), durationMs: 30 };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const cohort: Cohort = { id: 1, name: 'Tuesday', joinCode: 'AAAAAA', labs: [1, 2, 3], capacity: 10, createdAt: at(0) };
const ana: Learner = { id: 1, cohortId: 1, displayName: 'Ana', resumeCode: '', joinedAt: at(0) };
const key = learnerKey(ana);

/** A class at T0: background grading saw these labs untouched. */
function classStore(graded = ['01', '02', '03']): ProgressStore {
  const dir = mkdtempSync(join(tmpdir(), 'labs-clock-'));
  dirs.push(dir);
  const store = new ProgressStore(join(dir, 'progress.sqlite'));
  for (const id of graded) store.record(untouchedAt(id, 0), key, 'auto');
  return store;
}
const cellAt = (store: ProgressStore, lab: number, minutes: number) => grid(cohort, [ana], store.progressOf([key]), catalog, T0 + minutes * 60_000)[0]!.cells[lab - 1]!;

describe("a lab's clock on the dashboard", () => {
  it("a command in the lab's namespace starts it: time counts from the command", () => {
    const store = classStore();
    store.commandStarted(key, '02-readiness', at(4));
    expect(cellAt(store, 2, 10)).toMatchObject({ started: true, passed: false, minutes: 6, attempts: 0, stuck: false });
    expect(cellAt(store, 3, 10)).toMatchObject({ started: false, minutes: 0 });
    // Also before background grading recorded anything of that lab.
    const fresh = classStore(['02', '03']);
    fresh.commandStarted(key, '01-liveness', at(1));
    expect(cellAt(fresh, 1, 3)).toMatchObject({ started: true, minutes: 2, tasksPassed: 0 });
    store.close();
    fresh.close();
  });

  it('a reset: not started until the next touch, minutes from it, Checks before it not counted toward stuck', () => {
    const store = classStore();
    // Ana starts lab 3 at minute 2 and presses Check three times: stuck at minute 20.
    for (const minutes of [2, 3, 4]) store.record(graded('03', minutes), key, 'check');
    expect(STUCK_MINUTES).toBeLessThanOrEqual(18);
    expect(cellAt(store, 3, 20)).toMatchObject({ started: true, minutes: 18, attempts: STUCK_ATTEMPTS, stuck: true });

    // The instructor resets lab 3 at minute 20: it is not started, and nothing of it is failing.
    store.record(untouchedAt('03', 20), key, 'auto');
    store.labReset(key, '03-startup', at(20));
    expect(cellAt(store, 3, 24)).toMatchObject({ started: false, minutes: 0, attempts: 0, stuck: false, reasons: [] });
    store.record(graded('03', 19), key, 'auto'); // graded during the reset, recorded after it
    expect(cellAt(store, 3, 24)).toMatchObject({ started: false });
    expect(failureReasons(cohort, [ana], store.progressOf([key]), catalog).filter((r) => r.lab === 3)).toEqual([]);

    // Her next touch, a command at minute 25, starts the clock again.
    store.commandStarted(key, '03-startup', at(25));
    expect(cellAt(store, 3, 30)).toMatchObject({ started: true, minutes: 5, attempts: 0 });
    // Twenty minutes on, two Checks since the reset: not stuck; a third makes it so.
    for (const minutes of [41, 42]) store.record(graded('03', minutes), key, 'check');
    expect(cellAt(store, 3, 45)).toMatchObject({ minutes: 20, attempts: 2, stuck: false });
    store.record(graded('03', 43), key, 'check');
    expect(cellAt(store, 3, 45)).toMatchObject({ attempts: 3, stuck: true });
    store.close();
  });

  it('a passed lab reset stays passed, timed from its start to its first pass', () => {
    const store = classStore();
    store.record(graded('01', 2), key, 'check');
    store.record(graded('01', 9, true), key, 'auto');
    store.labReset(key, '01-liveness', at(15));
    store.record(untouchedAt('01', 15), key, 'auto');
    store.commandStarted(key, '01-liveness', at(16));
    expect(cellAt(store, 1, 30)).toMatchObject({ started: true, passed: true, minutes: 7, stuck: false });
    store.close();
  });
});

describe('the two resets restart the clock', () => {
  // scrypt (the instructor's password) is slow on purpose.
  vi.setConfig({ testTimeout: 60_000 });

  it("the instructor's reset of a learner's lab (POST /api/classroom/learners/<id>/reset)", async () => {
    const resets: number[] = [];
    const classroom = await startClassroom({ resetLab: async (_learner, lab) => void resets.push(lab) });
    try {
      const teacher: Client = {};
      await classroom.accounts.createInstructor('teacher', 'a-long-password');
      await classroom.call(teacher, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' });
      const { joinCode, id: cohortId } = (await classroom.call(teacher, 'POST', '/api/classroom/cohorts', { name: 'Tue', labs: [1, 2], capacity: 10 })).json as { joinCode: string; id: number };
      await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'Ana' });
      const learner = learnerKey(classroom.cohorts.learners(cohortId)[0]!);
      const before = new Date().toISOString();
      classroom.store.record({ ...graded('02', 0), startedAt: before }, learner, 'check');
      expect(classroom.store.progress(learner)[0]).toMatchObject({ startedAt: before, attempts: 1 });
      const id = learner.split(':')[1];
      expect((await classroom.call(teacher, 'POST', `/api/classroom/learners/${id}/reset`, { lab: 2 })).status).toBe(200);
      expect(resets).toEqual([2]);
      expect(classroom.store.progress(learner)[0]).toMatchObject({ attempts: 0 });
      expect(classroom.store.progress(learner)[0]!.startedAt).toBeUndefined();
    } finally {
      await classroom.close();
    }
  });

  it("the learner's own reset from the lab card (POST /api/labs/<n>/reset)", async () => {
    const store = new ProgressStore(':memory:');
    const tokens = createPageTokens();
    const reset: number[] = [];
    const api = createApi({
      grader: {
        verify: async () => { throw new Error('not here'); },
        labs: async () => [{ number: 2, id: '02-readiness', title: '', lesson: '', maxScore: 1, tasks: [], files: [] }],
        reset: async (lab) => void reset.push(lab),
      },
      environments: undefined, store, tokens,
    });
    const server = createServer((req, res) => void api(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const minutes of [1, 2, 3]) store.record(graded('02', minutes), 'solo', 'check');
      expect(store.progress()[0]).toMatchObject({ startedAt: at(1), attempts: 3 });
      const answer = await fetch(`${base}/api/labs/2/reset`, { method: 'POST', headers: { Origin: base, 'x-labs-token': tokens.issue() } });
      expect(answer.status).toBe(200);
      expect(reset).toEqual([2]);
      expect(store.progress()[0]).toMatchObject({ attempts: 0 });
      expect(store.progress()[0]!.startedAt).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      store.close();
    }
  });
});
