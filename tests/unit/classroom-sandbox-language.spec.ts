// The learner's sandbox follows their page's language (issue #23, item 8): what the server hears
// (join, resume, a rendered page, a terminal attach), what it refuses, and what reaches the
// environments' contract. The sandbox side (the file, `labs` reading it) is the cluster suite's
// (toolbox-labs-korean.spec.ts); the writes themselves are labs-config.spec.ts's.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { languageOfPath, SandboxLanguage } from '../../src/classroom/sandbox-language.ts';
import type { LearnerEnvironments } from '../../src/environments/classroom/contract.ts';
import { classroomCallers } from '../../src/server/classroom-callers.ts';
import { MemoryEnvironments, startClassroom, type ClassroomUnderTest, type Client } from './classroom-harness.ts';

const hostile = ['fr', 'KO', 'ko-KR', 'ko; touch /tmp/pwned', '$(id)', '`id`', 'ko\nen', '', ' ko', null, 42, ['ko'], { toString: () => 'ko' }];

describe('the language of a page', () => {
  it('is the first segment of its path, a course language only', () => {
    expect(languageOfPath('/ko/lessons/01-pods/')).toBe('ko');
    expect(languageOfPath('/en/')).toBe('en');
    expect(languageOfPath('/ko')).toBe('ko');
    for (const path of ['/', '/join', '/join/', '/classroom/', '/fr/lessons/x/', '/kor/', '/kolessons/', '/api/ko/', '//ko/']) expect(languageOfPath(path)).toBeUndefined();
  });
});

describe('SandboxLanguage', () => {
  it('passes a course language to the environments, and nothing else', async () => {
    const environments = new MemoryEnvironments();
    const language = new SandboxLanguage(environments);
    for (const value of hostile) language.heard({ id: 1 }, value);
    language.heard({ id: 1 }, 'ko');
    language.heard({ id: 2 }, 'en');
    expect(environments.languages).toEqual(['learner:1 ko (before assign)', 'learner:2 en (before assign)']);
  });

  it('asks nothing of environments without the capability, and logs a failed write', async () => {
    const without: LearnerEnvironments = Object.assign(new MemoryEnvironments(), { setLanguage: undefined });
    expect(() => new SandboxLanguage(without).heard({ id: 1 }, 'ko')).not.toThrow();
    const lines: string[] = [];
    const failing = Object.assign(new MemoryEnvironments(), { setLanguage: async () => { throw new Error('sandbox gone'); } });
    await expect(new SandboxLanguage(failing, (line) => lines.push(line)).heard({ id: 3 }, 'ko')).resolves.toBeUndefined();
    expect(lines).toEqual(["classroom: the language of learner 3's sandbox: sandbox gone"]);
  });
});

describe('where the server hears it', () => {
  let classroom: ClassroomUnderTest;
  const teacher: Client = {};
  let code = '';

  beforeAll(async () => {
    classroom = await startClassroom();
    await classroom.accounts.createInstructor('teacher', 'a-long-password');
    await classroom.call(teacher, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' });
    code = (await classroom.call(teacher, 'POST', '/api/classroom/cohorts', { name: 'Tue', labs: [1], capacity: 5 })).json.joinCode as string;
  });
  afterAll(() => classroom.close());

  const callers = () => classroomCallers({ ...classroom, environments: classroom.environments });
  const request = (client: Client, url: string) => ({ url, headers: { cookie: client.cookie ?? '' } }) as IncomingMessage;

  it('the join page: before the environment is asked for, so the hand-out writes it with the token', async () => {
    const ana: Client = {};
    expect((await classroom.call(ana, 'POST', '/api/classroom/join', { code, name: 'Ana', lang: 'ko' })).status).toBe(200);
    expect(classroom.environments.languages).toEqual(['learner:1 ko (before assign)']);
    expect(classroom.environments.assigned).toEqual(['learner:1']);
  });

  it('a join or resume with a hostile or missing lang joins all the same, and tells the sandbox nothing', async () => {
    const before = classroom.environments.languages.length;
    const ben: Client = {};
    expect((await classroom.call(ben, 'POST', '/api/classroom/join', { code, name: 'Ben', lang: 'ko; rm -rf ~' })).status).toBe(200);
    const cy: Client = {};
    const joined = await classroom.call(cy, 'POST', '/api/classroom/join', { code, name: 'Cy' });
    expect(joined.status).toBe(200);
    expect((await classroom.call({}, 'POST', '/api/classroom/resume', { code: joined.json.resumeCode, lang: '$(id)' })).status).toBe(200);
    expect(classroom.environments.languages.length).toBe(before);
    expect((await classroom.call({}, 'POST', '/api/classroom/resume', { code: joined.json.resumeCode, lang: 'en' })).status).toBe(200);
    expect(classroom.environments.languages.slice(before)).toEqual(['learner:3 en']);
  });

  it("a page the learner opens, and their terminal's ?lang=; not an instructor's, not a watch, not a path in no language", async () => {
    const dee: Client = {};
    await classroom.call(dee, 'POST', '/api/classroom/join', { code, name: 'Dee' });
    const before = classroom.environments.languages.length;
    const { pageOpened, authorizeTerminal } = callers();
    await pageOpened(request(dee, '/ko/lessons/01-pods/'));
    await pageOpened(request(dee, '/en/lessons/01-pods/?x=1'));
    await pageOpened(request(dee, '/join'));
    await pageOpened(request(dee, '/fr/lessons/01-pods/'));
    await pageOpened(request(teacher, '/ko/classroom/'));
    await pageOpened(request({}, '/ko/lessons/01-pods/'));
    const terminal = (client: Client, query: string) => authorizeTerminal(request(client, `/ws/terminal?${query}`), new URL(`http://x/ws/terminal?${query}`));
    expect(terminal(dee, 'token=t&lang=ko')).toMatchObject({ owner: 'learner:4' });
    expect(terminal(dee, 'token=t&lang=ko%3B%20id')).toMatchObject({ owner: 'learner:4' });
    expect(terminal(dee, 'token=t')).toMatchObject({ owner: 'learner:4' });
    expect(terminal(teacher, 'token=t&watch=learner:4&lang=en')).toEqual({ watch: 'learner:4', prepare: expect.any(Function) });
    expect(classroom.environments.languages.slice(before)).toEqual(['learner:4 ko', 'learner:4 en', 'learner:4 ko']);
  });

  it('a page waits for the write (a switch has taken effect when the page shows), but not for a stuck sandbox', async () => {
    const eve: Client = {};
    await classroom.call(eve, 'POST', '/api/classroom/join', { code, name: 'Eve' });
    const environments = classroom.environments;
    const original = environments.setLanguage.bind(environments);
    try {
      let written = false;
      environments.setLanguage = async (learner, language) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        written = true;
        return original(learner, language);
      };
      await callers().pageOpened(request(eve, '/ko/lessons/01-pods/'));
      expect(written).toBe(true);
      environments.setLanguage = () => new Promise(() => {});
      const started = Date.now();
      await callers().pageOpened(request(eve, '/en/lessons/01-pods/'), 200);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      environments.setLanguage = original;
    }
  });
});
