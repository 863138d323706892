// Classroom mode against a hostile learner (issue #20): what the API answers when a learner,
// or an instructor's slip, sends what a well-behaved page never would.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Accounts, verifyPassword } from '../../src/classroom/accounts.ts';
import { learnerKey } from '../../src/classroom/learner-key.ts';
import { BoundedQueue, BusyError } from '../../src/classroom/bounded-queue.ts';
import { nameSkeleton } from '../../src/classroom/confusables.ts';
import { AttemptBudget, RateLimiter } from '../../src/classroom/rate-limit.ts';
import { startClassroom, type ClassroomUnderTest, type Client } from './classroom-harness.ts';

// scrypt at N=2^17 is slow on purpose (~0.3 s idle, seconds on a loaded 2-core machine).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

/** A class with an instructor signed in, and its join code. */
async function classWithTeacher(classroom: ClassroomUnderTest, teacher: Client) {
  await classroom.accounts.createInstructor('teacher', 'a-long-password');
  expect((await classroom.call(teacher, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' })).status).toBe(200);
  const created = await classroom.call(teacher, 'POST', '/api/classroom/cohorts', { name: 'Tue', labs: [1, 2], capacity: 10 });
  return { cohortId: created.json.id as number, joinCode: created.json.joinCode as string };
}

describe('instructor reset of a learner lab', () => {
  let classroom: ClassroomUnderTest;
  const teacher: Client = {};
  const resets: Array<[string, number]> = [];
  let learnerId: number;

  beforeAll(async () => {
    classroom = await startClassroom({ resetLab: async (learner, lab) => void resets.push([learner, lab]) });
    const { cohortId, joinCode } = await classWithTeacher(classroom, teacher);
    expect((await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'Ana' })).status).toBe(200);
    learnerId = classroom.cohorts.learners(cohortId)[0]!.id;
  });
  afterAll(() => classroom.close());

  it('a lab that is not one of the class labs is 400 with one line, not 500', async () => {
    for (const lab of [9, 'x', null, 1.5]) {
      const answer = await classroom.call(teacher, 'POST', `/api/classroom/learners/${learnerId}/reset`, { lab });
      expect(answer.status, JSON.stringify(lab)).toBe(400);
      expect(answer.json.error).toMatch(/not one of this class's labs \(1, 2\)$/);
    }
    expect(resets).toEqual([]);
  });

  it('a learner without a cluster is 409 saying so; with one, the lab is reset', async () => {
    const key = learnerKey({ id: learnerId });
    classroom.environments.states.set(key, { state: 'error', message: 'this machine is full' });
    const answer = await classroom.call(teacher, 'POST', `/api/classroom/learners/${learnerId}/reset`, { lab: 2 });
    expect([answer.status, answer.json.error]).toEqual([409, 'Ana has no cluster to reset (this machine is full)']);
    classroom.environments.states.delete(key);
    expect((await classroom.call(teacher, 'POST', `/api/classroom/learners/${learnerId}/reset`, { lab: 2 })).status).toBe(200);
    expect(resets).toEqual([[key, 2]]);
  });
});

describe('display names that look like a classmate’s', () => {
  it('have the same skeleton: Cyrillic and Greek lookalikes, invisible characters, fullwidth, I/l/1 and O/0, case', () => {
    const learnerA = nameSkeleton('Learner A');
    for (const alike of ['L\u0435arner A', 'Le\u0430rner \u0410', 'Learner\u00a0A', 'Lear\u200bner A', '\u202eLearner A', 'Learner A\u3164', 'Ｌｅａｒｎｅｒ Ａ', 'LEARNER A', 'Learner \u0391']) {
      expect(nameSkeleton(alike), JSON.stringify(alike)).toBe(learnerA);
    }
    expect(nameSkeleton('Bo 1')).toBe(nameSkeleton('BO l'));
    expect(nameSkeleton('B0b')).toBe(nameSkeleton('Bob'));
    expect(nameSkeleton('Learner B')).not.toBe(learnerA);
    expect(nameSkeleton('José')).not.toBe(nameSkeleton('Jose'));
  });

  it('are refused at join with one message (409 name-taken); a distinct name joins', async () => {
    const classroom = await startClassroom();
    try {
      const { joinCode } = await classWithTeacher(classroom, {});
      expect((await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'Learner A' })).status).toBe(200);
      const alike = await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'L\u0435arner A' });
      expect([alike.status, alike.json.code, alike.json.error]).toEqual([409, 'name-taken', '"L\u0435arner A" is taken in this class (it looks like "Learner A"): add an initial or pick another name']);
      const invisible = await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'Learner A\u3164' });
      expect([invisible.status, invisible.json.code]).toEqual([409, 'name-taken']);
      expect((await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'Learner B' })).status).toBe(200);
    } finally {
      await classroom.close();
    }
  });
});

describe('a flood of wrong instructor logins', () => {
  it('BoundedQueue: one task at a time, three waiting, the rest refused at once with a wait', async () => {
    const queue = new BoundedQueue({ concurrency: 1, waiting: 3 });
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () => {
      peak = Math.max(peak, ++running);
      return new Promise<void>((resolve) => releases.push(() => (running--, resolve())));
    };
    const outcomes = Array.from({ length: 10 }, () => queue.run(task).then(() => 'done', (error: unknown) => error));
    const refused = (await Promise.all(outcomes.slice(4)));
    expect(refused.every((e) => e instanceof BusyError && e.retryAfterSeconds >= 1)).toBe(true);
    for (let i = 0; i < 4; i++) {
      await vi.waitFor(() => expect(releases).toHaveLength(i + 1));
      releases[i]!();
    }
    expect(await Promise.all(outcomes.slice(0, 4))).toEqual(['done', 'done', 'done', 'done']);
    expect(peak).toBe(1);
  });

  it('from many addresses: at most one scrypt runs, the excess is 429 with Retry-After, and a page reading a file answers before any check ends', async () => {
    let running = 0;
    let peak = 0;
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const verify = async (password: string, stored: string) => {
      peak = Math.max(peak, ++running);
      firstStarted();
      try {
        return await verifyPassword(password, stored);
      } finally {
        running--;
      }
    };
    const classroom = await startClassroom({}, {
      accounts: (db) => new Accounts(db, { verify }),
      // A page: it reads a file, on the threadpool Node's async scrypt would share.
      otherRoutes: (_req, res) => void readFile(fileURLToPath(import.meta.url)).then((text) => res.end(`${text.length}`)),
    });
    try {
      await classroom.accounts.createInstructor('teacher', 'a-long-password');
      const order: string[] = [];
      const logins = Array.from({ length: 12 }, (_, i) =>
        classroom.call({}, 'POST', '/api/classroom/login', { username: 'teacher', password: `guess-${i}` }, { from: `127.0.0.${i + 2}` }).then((answer) => {
          order.push(`login ${answer.status}`);
          return answer;
        }));
      await started;
      const page = await classroom.call({}, 'GET', '/lessons/1');
      order.push('page');
      expect(page.status).toBe(200);
      const answers = await Promise.all(logins);
      expect(answers.filter((a) => a.status === 401)).toHaveLength(4); // one checking, three waiting
      const refused = answers.filter((a) => a.status === 429);
      expect(refused).toHaveLength(8);
      expect(refused.every((a) => Number(a.headers['retry-after']) >= 1)).toBe(true);
      expect(peak).toBe(1);
      expect(order.indexOf('page')).toBeLessThan(order.indexOf('login 401'));
      // The flood over, the instructor signs in.
      expect((await classroom.call({}, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' }, { from: '127.0.0.99' })).status).toBe(200);
    } finally {
      await classroom.close();
    }
  });
});

describe('rate limits a class network cannot multiply', () => {
  const windowMs = 60_000;
  const from = (i: number) => ({ from: `127.0.1.${i}` });

  it('wrong join codes from ever new addresses meet a class-wide budget (429, Retry-After); right ones never spend it; resume codes have their own', async () => {
    const classroom = await startClassroom({ limits: { windowMs, failedJoins: 3, failedResumes: 2 } });
    try {
      const { cohortId, joinCode } = await classWithTeacher(classroom, {});
      for (let i = 0; i < 5; i++) expect((await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: `Learner ${'ABCDE'[i]}` }, from(i))).status).toBe(200);
      for (let i = 10; i < 13; i++) expect((await classroom.call({}, 'POST', '/api/classroom/join', { code: 'ZZZZZZ', name: 'x' }, from(i))).status).toBe(404);
      const spent = await classroom.call({}, 'POST', '/api/classroom/join', { code: 'ZZZZZZ', name: 'x' }, from(13));
      expect(spent.status).toBe(429);
      expect(Number(spent.headers['retry-after'])).toBeGreaterThan(0);
      // The price, for up to one window: new joins wait too. Those in are not affected.
      expect((await classroom.call({}, 'POST', '/api/classroom/join', { code: joinCode, name: 'Late' }, from(14))).status).toBe(429);
      const resumeCode = classroom.cohorts.learners(cohortId)[0]!.resumeCode;
      expect((await classroom.call({}, 'POST', '/api/classroom/resume', { code: resumeCode }, from(15))).status).toBe(200);
      for (let i = 20; i < 22; i++) expect((await classroom.call({}, 'POST', '/api/classroom/resume', { code: 'WRONGWRONG' }, from(i))).status).toBe(404);
      expect((await classroom.call({}, 'POST', '/api/classroom/resume', { code: resumeCode }, from(22))).status).toBe(429);
    } finally {
      await classroom.close();
    }
  });

  it('failed logins from many addresses spend a class-wide budget; the instructor still signs in at the server machine', async () => {
    const atTheServer = '127.0.0.1';
    const classroom = await startClassroom({ limits: { windowMs, failedLogins: 2, signInAnyway: (address) => address === atTheServer } });
    try {
      await classroom.accounts.createInstructor('teacher', 'a-long-password');
      const login = (password: string, options: { from: string }) => classroom.call({}, 'POST', '/api/classroom/login', { username: 'teacher', password }, options);
      expect((await login('a-long-password', from(1))).status).toBe(200); // a success spends nothing
      expect((await login('guess-1', from(2))).status).toBe(401);
      expect((await login('guess-2', from(3))).status).toBe(401);
      const spent = await login('guess-3', from(4));
      expect([spent.status, Number(spent.headers['retry-after']) > 0]).toEqual([429, true]);
      expect((await login('a-long-password', from(5))).status).toBe(429); // locked out from the network…
      expect((await login('a-long-password', { from: atTheServer })).status).toBe(200); // …not at the server
    } finally {
      await classroom.close();
    }
  });

  it('the per-address limit counts every attempt; the global budget only failures', () => {
    const budget = new AttemptBudget({ perAddress: new RateLimiter(3, windowMs), failures: 2, windowMs });
    expect([budget.admit('a', 0), budget.admit('a', 1), budget.admit('a', 2), budget.admit('a', 3)]).toEqual([0, 0, 0, 60]);
    expect(budget.admit('b', 4)).toBe(0);
    budget.failed(5);
    budget.failed(6);
    expect(budget.admit('c', 7)).toBe(60);
    expect(budget.admit('c', windowMs + 6)).toBe(0);
  });
});
