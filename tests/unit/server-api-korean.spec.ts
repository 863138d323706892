// POST /api/labs/<n>/verify?lang=ko (issue #23): the result as it is (English: the record, and what
// the dashboard groups by) with its words in Korean beside it, as `localized`, for a Korean card
// and a sandbox's `labs verify`. The grader is a stand-in; the lab's words are lab.yaml's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import type { GraderAdapter } from '../../src/server/adapters/grader.ts';
import { createApi } from '../../src/server/api.ts';
import { createPageTokens } from '../../src/server/page-token.ts';

let server: Server;
let base: string;
const tokens = createPageTokens();
const result: LabResult = {
  lab: '01-liveness', passed: false, score: 0, maxScore: 2, startedAt: '', durationMs: 5,
  checks: [{ id: 'probe-configured', title: 'Pod liveness-http has the probe', passed: false, points: 0, expected: 'Pod "liveness-http" in namespace "liveness"', observed: 'not found; namespace "liveness" has no Pods', hint: 'Apply it.' }],
};
const grader: GraderAdapter = {
  verify: async () => result,
  labs: async () => [{
    number: 1, id: '01-liveness', title: 'A liveness probe', lesson: '02-probes', maxScore: 2, files: [],
    tasks: [{ id: 'probe-configured', title: 'Pod liveness-http has the probe', points: 2, hint: 'Apply it.' }],
    translations: { ko: { title: 'liveness 프로브', tasks: { 'probe-configured': { title: '파드에 프로브가 있다', hint: '적용하세요.' } } } },
  }],
};

beforeAll(async () => {
  const api = createApi({ grader, environments: undefined, store: undefined, tokens });
  server = createServer((req, res) => void api(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const check = async (query: string) =>
  (await fetch(`${base}/api/labs/1/verify${query}`, { method: 'POST', headers: { Origin: base, 'x-labs-token': tokens.issue() } })).json();

describe('a Check in Korean', () => {
  it('keeps the result English and adds its Korean words', async () => {
    const answer = await check('?lang=ko');
    expect(answer.checks).toEqual(result.checks);
    expect(answer.localized).toEqual({
      language: 'ko',
      title: 'liveness 프로브',
      checks: [{ id: 'probe-configured', title: '파드에 프로브가 있다', expected: '네임스페이스 "liveness"의 Pod "liveness-http"', observed: '찾지 못함. 네임스페이스 "liveness"에 Pod 없음', hint: '적용하세요.' }],
    });
  });

  it('adds nothing without ?lang=ko', async () => {
    expect((await check('')).localized).toBeUndefined();
    expect((await check('?lang=fr')).localized).toBeUndefined();
  });
});
