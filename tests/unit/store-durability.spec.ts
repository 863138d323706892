// The progress store under the worst a server meets: kill -9 in the middle of recording, and a
// database written by an older version (issue #12: nothing recorded is lost, nothing corrupt).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/database.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'labs-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('progress store durability', () => {
  it('kill -9 while recording: every attempt reported as recorded is there, whole, and the file is sound', async () => {
    const file = join(scratch(), 'progress.sqlite');
    const store = resolve(import.meta.dirname, '../../src/store/progress-store.ts');
    // A writer that records attempts (each with 5 task rows) as fast as it can and prints each id it committed.
    const writer = `
      const { ProgressStore } = await import(${JSON.stringify(store)});
      const s = new ProgressStore(${JSON.stringify(file)});
      for (let i = 0; ; i++) {
        const checks = Array.from({ length: 5 }, (_, t) => ({ id: 't' + t, title: 't', passed: t < i % 6, points: 1 }));
        s.record({ lab: '01-liveness', passed: false, score: 0, maxScore: 5, startedAt: new Date().toISOString(), durationMs: 1, checks }, 'learner:' + (i % 3));
        process.stdout.write('ok ' + i + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    await new Promise<void>((done, fail) => {
      const check = setInterval(() => {
        if ((out.match(/^ok /gm) ?? []).length >= 200) {
          clearInterval(check);
          child.kill('SIGKILL');
          done();
        }
      }, 5);
      child.once('exit', (code) => code !== null && fail(new Error(`writer exited ${code}: ${err}`)));
    });
    await new Promise((done) => child.once('exit', done));
    const reported = (out.match(/^ok \d+$/gm) ?? []).length;

    const db = new DatabaseSync(file);
    expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    const attempts = Number((db.prepare('SELECT COUNT(*) AS n FROM attempts').get() as { n: number }).n);
    expect(attempts).toBeGreaterThanOrEqual(reported);
    const partial = db.prepare('SELECT a.id FROM attempts a LEFT JOIN attempt_tasks t ON t.attempt_id = a.id GROUP BY a.id HAVING COUNT(t.task) <> 5').all();
    expect(partial).toEqual([]);
    db.close();
    // And the store opens it again as usual.
    const reopened = new ProgressStore(file);
    expect(reopened.progressOf(['learner:0', 'learner:1', 'learner:2']).size).toBe(3);
    reopened.close();
    // A child process and hundreds of fsyncs: generous on a loaded 2-core machine.
  }, 120_000);

  it('brings a database of the first release up to date and keeps its attempts', () => {
    const file = join(scratch(), 'progress.sqlite');
    const old = new DatabaseSync(file);
    old.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE attempts (id INTEGER PRIMARY KEY, learner TEXT NOT NULL, lab TEXT NOT NULL, passed INTEGER NOT NULL,
        score INTEGER NOT NULL, max_score INTEGER NOT NULL, started_at TEXT NOT NULL, result TEXT NOT NULL);`);
    old.prepare('INSERT INTO attempts (learner, lab, passed, score, max_score, started_at, result) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('solo', '01-liveness', 1, 5, 5, '2026-01-01T00:00:00.000Z', JSON.stringify({ checks: [{ id: 'a', passed: true }] }));
    old.close();
    const store = new ProgressStore(file);
    expect(store.progress()).toMatchObject([{ lab: '01-liveness', passed: true, attempts: 1 }]);
    expect((store.database.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(SCHEMA_VERSION);
    store.close();
  });

  it('refuses a database from a newer version instead of damaging it', () => {
    const file = join(scratch(), 'progress.sqlite');
    const newer = new DatabaseSync(file);
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => new ProgressStore(file)).toThrow(/newer than this version/);
  });
});
