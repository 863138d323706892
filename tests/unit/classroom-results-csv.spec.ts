// The results export as a spreadsheet opens it (issue #23, item 7): Excel on Windows reads a CSV
// as UTF-8 only with a byte-order mark, and a download keeps a Korean class name only through
// Content-Disposition's filename* (RFC 6266/5987). The file is parsed here the way a
// spreadsheet does (RFC 4180: quoted cells, "" for a quote, CRLF rows), not matched as text.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import type { CourseLab } from '../../src/classroom/results-export.ts';
import { startClassroom, type ClassroomUnderTest, type Client } from './classroom-harness.ts';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const COURSE: Record<'en' | 'ko', CourseLab[]> = {
  en: [
    { number: 1, id: '01-liveness', title: 'Liveness probes', tasks: [{ id: 'probe-configured', title: 'The probe is configured' }, { id: 'restarted-by-liveness', title: 'The kubelet restarted it' }] },
    { number: 2, id: '02-readiness', title: 'Readiness', tasks: [{ id: 'probe', title: 'Ready only when it is' }] },
    { number: 3, id: '03-resources', title: 'Requests and limits', tasks: [{ id: 'limits', title: 'Limits are set' }] },
  ],
  ko: [
    { number: 1, id: '01-liveness', title: '라이브니스 프로브', tasks: [{ id: 'probe-configured', title: '프로브 설정' }, { id: 'restarted-by-liveness', title: '재시작 확인' }] },
    { number: 2, id: '02-readiness', title: '레디니스', tasks: [{ id: 'probe', title: '준비될 때만 준비됨' }] },
    { number: 3, id: '03-resources', title: '요청과 제한', tasks: [{ id: 'limits', title: '제한 설정' }] },
  ],
};

const CLASS_NAME = '쿠버네티스 기초 (화)';

/** RFC 4180 as Excel, LibreOffice and Google Sheets read it: rows of cells, quotes undone. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

const result = (lab: string, checks: Array<[string, boolean]>): LabResult => ({
  lab, passed: checks.every(([, p]) => p), score: 0, maxScore: checks.length, startedAt: new Date().toISOString(), durationMs: 5,
  checks: checks.map(([id, passed]) => ({ id, title: id, passed, points: passed ? 1 : 0 })),
});

let classroom: ClassroomUnderTest;
const teacher: Client = {};
let cohortId = 0;

beforeAll(async () => {
  classroom = await startClassroom({ courseLabs: async (language) => COURSE[language] });
  await classroom.accounts.createInstructor('teacher', 'a-long-password');
  await classroom.call(teacher, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' });
  const created = await classroom.call(teacher, 'POST', '/api/classroom/cohorts', { name: CLASS_NAME, labs: [1, 2, 3], capacity: 5 });
  cohortId = created.json.id as number;
  for (const name of ['김민지', 'Ben']) await classroom.call({}, 'POST', '/api/classroom/join', { code: created.json.joinCode, name });
  // Recorded out of course order, as a class works: lab 1, then 3, then 2.
  const [minji, ben] = classroom.cohorts.learners(cohortId).map((l) => `learner:${l.id}`);
  classroom.store.record(result('01-liveness', [['probe-configured', true], ['restarted-by-liveness', false]]), minji!);
  classroom.store.record(result('03-resources', [['limits', true]]), minji!);
  classroom.store.record(result('02-readiness', [['probe', false]]), minji!);
  classroom.store.record(result('03-resources', [['limits', false]]), ben!);
  classroom.store.record(result('01-liveness', [['probe-configured', true], ['restarted-by-liveness', true]]), ben!);
});
afterAll(() => classroom.close());

describe('the results CSV', () => {
  it('starts with a UTF-8 byte-order mark and is RFC 4180 (CRLF rows, every cell quoted)', async () => {
    const csv = await classroom.call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}/export.csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...Buffer.from(csv.text, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/);
  });

  it('has readable columns beside the ids, the class name and rows in course order; a Korean name round-trips', async () => {
    const csv = await classroom.call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}/export.csv`);
    const [header, ...rows] = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    expect(header).toEqual(['Class', 'Learner', 'Lab', 'Lab title', 'Task', 'Points', 'Passed', 'Passed at', 'Lab id', 'Task id']);
    expect(rows.map((r) => r.slice(0, 7))).toEqual([
      [CLASS_NAME, '김민지', '1', 'Liveness probes', 'The probe is configured', '1', 'true'],
      [CLASS_NAME, '김민지', '1', 'Liveness probes', 'The kubelet restarted it', '0', 'false'],
      [CLASS_NAME, '김민지', '2', 'Readiness', 'Ready only when it is', '0', 'false'],
      [CLASS_NAME, '김민지', '3', 'Requests and limits', 'Limits are set', '1', 'true'],
      [CLASS_NAME, 'Ben', '1', 'Liveness probes', 'The probe is configured', '1', 'true'],
      [CLASS_NAME, 'Ben', '1', 'Liveness probes', 'The kubelet restarted it', '1', 'true'],
      [CLASS_NAME, 'Ben', '3', 'Requests and limits', 'Limits are set', '0', 'false'],
    ]);
    expect(rows.map((r) => r.slice(8))).toContainEqual(['02-readiness', 'probe']);
    expect(rows[0]![7]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(rows[1]![7]).toBe('');
  });

  it('speaks Korean for a Korean dashboard (?lang=ko): headers and titles', async () => {
    const csv = await classroom.call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}/export.csv?lang=ko`);
    const [header, first] = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    expect(header!.slice(0, 5)).toEqual(['수업', '학습자', '실습', '실습 제목', '과제']);
    expect(first!.slice(0, 5)).toEqual([CLASS_NAME, '김민지', '1', '라이브니스 프로브', '프로브 설정']);
  });

  it('is named after the class: filename* in UTF-8 (RFC 5987) and an ASCII filename for older clients', async () => {
    const csv = await classroom.call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}/export.csv`);
    const disposition = csv.headers['content-disposition'] as string;
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(/filename="([^"]+)"/.exec(disposition)![1]).toBe(`class-${cohortId}-results.csv`);
    expect(decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(disposition)![1]!)).toBe('쿠버네티스-기초-(화)-results.csv');
  });

  it('keeps the JSON export as it was: the cohort and one row per learner and task', async () => {
    const json = await classroom.call(teacher, 'GET', `/api/classroom/cohorts/${cohortId}/export.json`);
    expect(json.json.cohort).toEqual({ id: cohortId, name: CLASS_NAME });
    const rows = json.json.results as Array<Record<string, unknown>>;
    expect(Object.keys(rows[0]!)).toEqual(['learner', 'lab', 'task', 'points', 'passed', 'passedAt']);
    expect(rows).toHaveLength(7);
    expect(decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(json.headers['content-disposition'] as string)![1]!)).toBe('쿠버네티스-기초-(화)-results.json');
  });
});
