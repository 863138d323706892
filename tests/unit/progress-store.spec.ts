import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const result = (lab: string, passed: boolean, score: number, startedAt: string): LabResult => ({
  lab, passed, score, maxScore: 10, startedAt, durationMs: 12,
  checks: [{ id: 'a', title: 'A', passed, points: score }, { id: 'b', title: 'B', passed: true, points: 1 }],
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('progress store (node:sqlite)', () => {
  it('keeps every attempt and reports the latest outcome (per task too), attempts and first pass per lab, across reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-store-'));
    dirs.push(dir);
    const file = join(dir, 'nested', 'progress.sqlite');
    const store = new ProgressStore(file);
    store.record(result('01-liveness', false, 0, '2026-01-01T10:00:00.000Z'));
    store.record(result('01-liveness', true, 10, '2026-01-01T10:05:00.000Z'));
    store.record(result('01-liveness', false, 4, '2026-01-01T10:09:00.000Z'));
    store.record(result('02-readiness', false, 3, '2026-01-01T11:00:00.000Z'));
    store.close();

    const reopened = new ProgressStore(file);
    expect(reopened.progress()).toEqual([
      { lab: '01-liveness', passed: false, score: 4, maxScore: 10, attempts: 3, firstSeenAt: '2026-01-01T10:00:00.000Z', lastAttemptAt: '2026-01-01T10:09:00.000Z', firstPassedAt: '2026-01-01T10:05:00.000Z', startedAt: '2026-01-01T10:00:00.000Z', checks: [{ id: 'a', passed: false }, { id: 'b', passed: true }] },
      { lab: '02-readiness', passed: false, score: 3, maxScore: 10, attempts: 1, firstSeenAt: '2026-01-01T11:00:00.000Z', lastAttemptAt: '2026-01-01T11:00:00.000Z', startedAt: '2026-01-01T11:00:00.000Z', checks: [{ id: 'a', passed: false }, { id: 'b', passed: true }] },
    ]);
    expect(reopened.progress('someone-else')).toEqual([]);
    reopened.close();
  });
});

describe("a lab's clock in the store (src/store/lab-clock.ts)", () => {
  const at = (minutes: number) => new Date(Date.parse('2026-01-01T10:00:00.000Z') + minutes * 60_000).toISOString();
  /** A result of lab 02 whose task saw the learner's pod (so it starts the lab), failing unless `passed`. */
  const seen = (minutes: number, passed = false): LabResult => ({
    lab: '02-readiness', passed, score: passed ? 1 : 0, maxScore: 1, startedAt: at(minutes), durationMs: 12,
    checks: [{ id: 'a', title: 'A', passed, points: 1, observed: 'Pod "readiness-http": Ready' }],
  });
  function open(): ProgressStore {
    const dir = mkdtempSync(join(tmpdir(), 'labs-store-'));
    dirs.push(dir);
    return new ProgressStore(join(dir, 'progress.sqlite'));
  }

  it('a command in the lab\'s namespace starts it, before any result of it; the earliest start stays', () => {
    const store = open();
    expect(store.commandStarted('learner:1', '02-readiness', at(3))).toBe(true);
    expect(store.commandStarted('learner:1', '02-readiness', at(5))).toBe(false);
    expect(store.progress('learner:1')).toEqual([
      { lab: '02-readiness', passed: false, score: 0, maxScore: 0, attempts: 0, firstSeenAt: at(3), lastAttemptAt: at(3), startedAt: at(3), checks: [] },
    ]);
    store.record(seen(8), 'learner:1', 'check');
    expect(store.progress('learner:1')[0]).toMatchObject({ startedAt: at(3), attempts: 1, maxScore: 1 });
    expect(store.commandStarted('learner:1', '02-readiness', at(1))).toBe(true);
    expect(store.progress('learner:1')[0]!.startedAt).toBe(at(1));
    expect(store.database.prepare('SELECT source FROM lab_starts').get()).toEqual({ source: 'command' });
    expect(store.progress('learner:2')).toEqual([]);
    store.close();
  });

  it('a reset: not started until the next touch, time from that touch, Checks before it no longer counted', () => {
    const store = open();
    const key = 'learner:1';
    for (const minutes of [2, 4, 6]) store.record(seen(minutes), key, 'check');
    expect(store.progress(key)[0]).toMatchObject({ startedAt: at(2), attempts: 3 });

    store.labReset(key, '02-readiness', at(10));
    expect(store.progress(key)[0]).toMatchObject({ attempts: 0, firstSeenAt: at(2), lastAttemptAt: at(6) });
    expect(store.progress(key)[0]!.startedAt).toBeUndefined();
    // A result graded while the reset was deleting the lab's objects, recorded after it: no start.
    store.record(seen(9), key, 'auto');
    expect(store.commandStarted(key, '02-readiness', at(10))).toBe(false);
    expect(store.progress(key)[0]!.startedAt).toBeUndefined();

    // The next touch starts the clock again; only Checks after the reset count.
    expect(store.commandStarted(key, '02-readiness', at(12))).toBe(true);
    store.record(seen(13), key, 'check');
    expect(store.progress(key)[0]).toMatchObject({ startedAt: at(12), attempts: 1 });
    // A reset stamped before that touch (resets finishing out of order) leaves its start; a new one restarts the clock.
    store.labReset(key, '02-readiness', at(11));
    expect(store.progress(key)[0]).toMatchObject({ startedAt: at(12), attempts: 1 });
    store.labReset(key, '02-readiness', at(20));
    store.record(seen(21), key, 'check');
    expect(store.progress(key)[0]).toMatchObject({ startedAt: at(21), attempts: 1 });
    // Someone else's lab, and this learner's other labs, are untouched by it.
    store.record({ ...seen(3), lab: '03-startup' }, key, 'check');
    store.labReset('learner:2', '03-startup', at(30));
    expect(store.progress(key).find((p) => p.lab === '03-startup')).toMatchObject({ startedAt: at(3), attempts: 1 });
    store.close();
  });

  it('a passed lab stays passed after a reset, with the start its first pass was timed from', () => {
    const store = open();
    const key = 'learner:1';
    store.record(seen(2), key, 'check');
    store.record(seen(5, true), key, 'check');
    store.labReset(key, '02-readiness', at(10));
    store.record(seen(11), key, 'auto');
    expect(store.progress(key)[0]).toMatchObject({ passed: false, firstPassedAt: at(5), startedAt: at(2), attempts: 0 });
    store.close();
  });

  it('brings a database of schema 3 up to date (lab_resets), keeping its starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labs-store-'));
    dirs.push(dir);
    const file = join(dir, 'progress.sqlite');
    const store = new ProgressStore(file);
    store.record(seen(2), 'learner:1', 'check');
    store.database.exec('DROP TABLE lab_resets; PRAGMA user_version = 3;');
    store.close();
    const reopened = new ProgressStore(file);
    expect(reopened.progress('learner:1')[0]).toMatchObject({ startedAt: at(2), attempts: 1 });
    reopened.labReset('learner:1', '02-readiness', at(4));
    expect(reopened.progress('learner:1')[0]).toMatchObject({ attempts: 0 });
    reopened.close();
  });
});
