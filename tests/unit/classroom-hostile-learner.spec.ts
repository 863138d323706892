// Classroom mode against a hostile learner (issue #20): what the API answers when a learner,
// or an instructor's slip, sends what a well-behaved page never would.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { learnerKey } from '../../src/classroom/board.ts';
import { nameSkeleton } from '../../src/classroom/confusables.ts';
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
