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
