// Classroom mode's library over real HTTP on loopback: accounts and sessions, cohorts and join
// codes, the dashboard's numbers, and the API's rules (rate limits, CSRF, who may see what).
// Learner environments here are an in-memory stand-in for the environment provider (clusters are
// the cluster suite's business); grading and the store are the real ones.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import { Accounts, hashPassword, verifyPassword } from '../../src/classroom/accounts.ts';
import { failureReasons, grid } from '../../src/classroom/board.ts';
import { learnerKey } from '../../src/classroom/learner-key.ts';
import { cleanDisplayName, Cohorts, normalizeCode } from '../../src/classroom/cohorts.ts';
import { sameOutcome } from '../../src/classroom/grading.ts';
import { RateLimiter } from '../../src/classroom/rate-limit.ts';
import { csvCell } from '../../src/classroom/results-export.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import { catalog, startClassroom, type ClassroomUnderTest, type Client, type MemoryEnvironments } from './classroom-harness.ts';

// scrypt at N=2^17 is slow on purpose (~0.3 s idle, seconds on a loaded 2-core machine).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const result = (lab: string, checks: Array<[string, boolean, string?]>, startedAt = new Date().toISOString()): LabResult => ({
  lab,
  passed: checks.every(([, passed]) => passed),
  score: checks.filter(([, p]) => p).length,
  maxScore: checks.length,
  startedAt,
  durationMs: 5,
  checks: checks.map(([id, passed, observed]) => ({ id, title: id, passed, points: passed ? 1 : 0, ...(observed ? { observed } : {}) })),
});

describe('accounts', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterz', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('keeps only a hash of session tokens, and expired sessions are gone', () => {
    const store = new ProgressStore(':memory:');
    const accounts = new Accounts(store.database);
    const { token } = accounts.startSession('learner', 7);
    expect(accounts.session(token)?.subjectId).toBe(7);
    const stored = store.database.prepare('SELECT token_hash FROM sessions').get() as { token_hash: string };
    expect(stored.token_hash).not.toContain(token);
    const old = accounts.startSession('learner', 8, -1);
    expect(accounts.session(old.token)).toBeUndefined();
    expect(accounts.session('forged-token')).toBeUndefined();
    accounts.endSession(token);
    expect(accounts.session(token)).toBeUndefined();
    store.close();
  });
});

describe('cohorts', () => {
  it('cleans display names: invisible characters, whitespace, length', () => {
    expect(cleanDisplayName('  Ana \u200b  Kim ')).toBe('Ana Kim');
    expect(cleanDisplayName('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>'); // kept as text; pages escape
    expect(() => cleanDisplayName('\u200b\u0007 ')).toThrow(/type a name/);
    expect(() => cleanDisplayName('x'.repeat(41))).toThrow(/at most 40/);
    expect(normalizeCode(' ab3-k7q ')).toBe('AB3K7Q');
  });

  it('joins with a code, refuses a taken name (any case), a full class and an ended one', () => {
    const store = new ProgressStore(':memory:');
    const accounts = new Accounts(store.database);
    const cohorts = new Cohorts(store.database);
    return accounts.createInstructor('teacher', 'a-long-password').then((id) => {
      const cohort = cohorts.create(id, { name: 'Tuesday', labs: [2, 1, 1], capacity: 2 });
      expect(cohort.labs).toEqual([1, 2]);
      expect(cohort.joinCode).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
      const { learner } = cohorts.join(cohort.joinCode.toLowerCase(), 'Ana');
      expect(() => cohorts.join(cohort.joinCode, 'ANA')).toThrow(/taken/);
      cohorts.join(cohort.joinCode, 'Ben');
      expect(() => cohorts.join(cohort.joinCode, 'Cy')).toThrow(/full/);
      expect(cohorts.resume(learner.resumeCode)?.id).toBe(learner.id);
      cohorts.end(cohort.id);
      expect(() => cohorts.join(cohort.joinCode, 'Dee')).toThrow(/no open class/);
      expect(cohorts.resume(learner.resumeCode)).toBeUndefined();
      store.close();
    });
  });
});

describe('the dashboard numbers', () => {
  it('grid, failure reasons grouped by what the grader observed, and stuck learners', () => {
    const store = new ProgressStore(':memory:');
    const cohort = { id: 1, name: 'c', joinCode: 'AAAAAA', labs: [1, 2], capacity: 10, createdAt: '' };
    const learners = [1, 2, 3].map((id) => ({ id, cohortId: 1, displayName: `L${id}`, resumeCode: '', joinedAt: '' }));
    const longAgo = new Date(Date.now() - 20 * 60_000).toISOString();
    store.record(result('01-liveness', [['probe-configured', true], ['restarted-by-liveness', true]]), 'learner:1');
    for (const id of [2, 3]) {
      for (let i = 0; i < 3; i++) store.record(result('01-liveness', [['probe-configured', false, 'port 8081'], ['restarted-by-liveness', false, 'restarts 0']], longAgo), `learner:${id}`);
    }
    const progress = store.progressOf(learners.map(learnerKey));
    const rows = grid(cohort, learners, progress, catalog);
    expect(rows[0]!.cells[0]).toMatchObject({ lab: 1, passed: true, tasksPassed: 2, tasksTotal: 2, attempts: 1, stuck: false });
    expect(rows[1]!.cells[0]).toMatchObject({ passed: false, tasksPassed: 0, attempts: 3, stuck: true });
    expect(rows[1]!.cells[1]).toMatchObject({ lab: 2, attempts: 0, tasksTotal: 1 });
    const reasons = failureReasons(cohort, learners, progress, catalog);
    expect(reasons[0]).toMatchObject({ lab: 1, task: 'probe-configured', observed: 'port 8081', learners: ['L2', 'L3'], started: 3 });
    store.close();
  });

  it('background results are not counted as Checks', () => {
    const store = new ProgressStore(':memory:');
    store.record(result('01-liveness', [['a', false]]), 'learner:1', 'auto');
    store.record(result('01-liveness', [['a', true]]), 'learner:1', 'auto');
    expect(store.progress('learner:1')[0]).toMatchObject({ attempts: 0, passed: true });
    store.close();
  });

  it('a result is new only when a task or what a failing task observed changed', () => {
    const before = result('l', [['a', false, 'port 8081'], ['b', true]]).checks;
    expect(sameOutcome(before, [{ id: 'a', passed: false, observed: 'port 8081' }, { id: 'b', passed: true }])).toBe(true);
    expect(sameOutcome(before, [{ id: 'a', passed: false, observed: 'port 8080' }, { id: 'b', passed: true }])).toBe(false);
    expect(sameOutcome(before, [{ id: 'a', passed: true }, { id: 'b', passed: true }])).toBe(false);
  });

  it('CSV cells never start a spreadsheet formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('Ana "the" Kim')).toBe('"Ana ""the"" Kim"');
  });

  it('rate limits per key within the window', () => {
    const limiter = new RateLimiter(3, 60_000);
    expect([0, 1, 2].map((i) => limiter.take('ip', 1000 + i))).toEqual([0, 0, 0]);
    expect(limiter.take('ip', 1003)).toBeGreaterThan(0);
    expect(limiter.take('other', 1003)).toBe(0);
    expect(limiter.take('ip', 62_000)).toBe(0);
  });
});

describe('classroom API over HTTP', () => {
  let classroom: ClassroomUnderTest;
  let base: string;
  let store: ProgressStore;
  let environments: MemoryEnvironments;
  let cohortId: number;
  let joinCode: string;
  const call = (client: Client, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => classroom.call(client, method, path, body, { headers });

  const teacher: Client = {};
  const ana: Client = {};
  const ben: Client = {};

  /** What ending the class did, in order: each learner's terminals ended, each environment released. */
  const endings: string[] = [];

  beforeAll(async () => {
    classroom = await startClassroom({ endTerminals: (learner, reason) => endings.push(`terminals ${learner}: ${reason}`) });
    ({ base, store, environments } = classroom);
    const release = environments.release.bind(environments);
    environments.release = (learner: string) => (endings.push(`release ${learner}`), release(learner));
    await classroom.accounts.createInstructor('teacher', 'a-long-password');
    await classroom.accounts.createInstructor('other', 'another-long-password');
  });
  afterAll(() => classroom.close());

  it('signs the instructor in with an HttpOnly, SameSite=Strict session cookie; a wrong password gets 401', async () => {
    expect((await call({}, 'POST', '/api/classroom/login', { username: 'teacher', password: 'wrong-password!' })).status).toBe(401);
    const login = await call(teacher, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Path=\//);
    expect(String(login.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('refuses a login or join from another origin, or sent as a form', async () => {
    expect((await call({}, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' }, { Origin: 'http://evil.example' })).status).toBe(403);
    const form = await fetch(`${base}/api/classroom/login`, { method: 'POST', headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'username=teacher&password=a-long-password' });
    expect(form.status).toBe(400);
  });

  it('creates a cohort only with the CSRF token', async () => {
    expect((await call({ cookie: teacher.cookie }, 'POST', '/api/classroom/cohorts', { name: 'Tue', labs: [1, 2], capacity: 3 })).status).toBe(403);
    const created = await call(teacher, 'POST', '/api/classroom/cohorts', { name: 'Tue', labs: [1, 2], capacity: 3 });
    expect(created.status).toBe(201);
    cohortId = created.json.id as number;
    joinCode = created.json.joinCode as string;
  });

  it('learners join with the code; the same name twice is refused; their environment is asked for', async () => {
    const joined = await call(ana, 'POST', '/api/classroom/join', { code: joinCode, name: 'Ana' });
    expect(joined.status).toBe(200);
    expect(joined.json.resumeCode).toMatch(/^[A-Z2-9]{10}$/);
    const taken = await call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'ana' });
    expect([taken.status, taken.json.code]).toEqual([409, 'name-taken']);
    const wrong = await call({}, 'POST', '/api/classroom/join', { code: 'ZZZZZZ', name: 'Zed' });
    expect([wrong.status, wrong.json.code]).toEqual([404, 'wrong-code']);
    expect((await call(ben, 'POST', '/api/classroom/join', { code: joinCode, name: '<b>Ben</b>' })).status).toBe(200);
    expect(environments.assigned).toHaveLength(2);
  });

  it('a learner whose environment was reclaimed or failed gets a new one when the page opens or they resume; a failed one at most once a minute', async () => {
    const me = await call(ana, 'GET', '/api/classroom/me');
    const resumeCode = me.json.resumeCode as string;
    const key = environments.assigned[0]!;
    const asked = () => environments.assigned.filter((l) => l === key).length;
    const openPage = async (client: Client) => {
      const events = new AbortController();
      const response = await fetch(`${base}/api/classroom/learner/events`, { headers: { Cookie: client.cookie! }, signal: events.signal });
      events.abort();
      return response.status;
    };
    expect(await openPage(ana)).toBe(200);
    expect(asked()).toBe(1); // ready: nothing to do
    environments.states.set(key, { state: 'gone', message: 'reclaimed after 30 min without activity' });
    const elsewhere: Client = {};
    expect((await call(elsewhere, 'POST', '/api/classroom/resume', { code: resumeCode })).status).toBe(200);
    expect(asked()).toBe(2);
    environments.states.set(key, { state: 'error', message: 'this machine is full' });
    expect(await openPage(ana)).toBe(200);
    expect(asked()).toBe(2); // it failed a moment ago: not again within the minute
    environments.states.delete(key);
  });

  it('a learner gets 403 on every instructor endpoint', async () => {
    for (const [method, path] of [
      ['GET', '/api/classroom/cohorts'],
      ['POST', '/api/classroom/cohorts'],
      ['GET', `/api/classroom/cohorts/${cohortId}`],
      ['GET', `/api/classroom/cohorts/${cohortId}/events`],
      ['GET', `/api/classroom/cohorts/${cohortId}/export.csv`],
      ['POST', `/api/classroom/cohorts/${cohortId}/broadcast`],
      ['POST', `/api/classroom/cohorts/${cohortId}/end`],
      ['POST', '/api/classroom/learners/1/reset'],
      ['POST', '/api/classroom/learners/1/recreate'],
    ] as const) {
      expect((await call(ana, method, path, method === 'POST' ? {} : undefined)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('another instructor cannot see or change this cohort', async () => {
    const other: Client = {};
    await call(other, 'POST', '/api/classroom/login', { username: 'other', password: 'another-long-password' });
    expect((await call(other, 'GET', `/api/classroom/cohorts/${cohortId}`)).status).toBe(404);
    expect((await call(other, 'POST', `/api/classroom/cohorts/${cohortId}/end`, {})).status).toBe(404);
  });

  it('the dashboard snapshot and the CSV export name every learner, HTML kept as text', async () => {
    store.record(result('01-liveness', [['probe-configured', true], ['restarted-by-liveness', false, 'restarts 0']]), 'learner:2');
    const snapshot = await call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}`);
    expect((snapshot.json.learners as Array<{ displayName: string }>).map((l) => l.displayName)).toEqual(['Ana', '<b>Ben</b>']);
    const csv = await call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}/export.csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\r\n')[0]).toBe('\uFEFF"Class","Learner","Lab","Lab title","Task","Points","Passed","Passed at","Lab id","Task id"');
    expect(csv.text).toContain('"Tue","<b>Ben</b>","1","01-liveness","a","1","true"');
  });

  it('rate-limits join attempts per client address', async () => {
    let last = 0;
    for (let i = 0; i < 25; i++) last = (await call({}, 'POST', '/api/classroom/join', { code: 'WRONG1', name: `x${i}` })).status;
    expect(last).toBe(429);
  });

  it('ending the cohort signs its learners out, ends their terminals (saying why) and then releases their environments', async () => {
    expect((await call(teacher, 'POST', `/api/classroom/cohorts/${cohortId}/end`, {})).status).toBe(200);
    expect((await call(ana, 'GET', '/api/classroom/me')).status).toBe(401);
    expect(environments.released).toHaveLength(2);
    // Before the sandbox is killed: its shell would otherwise report the kill (exit code 137).
    const [first, second] = environments.released;
    expect(endings).toEqual([`terminals ${first}: class-ended`, `release ${first}`, `terminals ${second}: class-ended`, `release ${second}`]);
  });
});
