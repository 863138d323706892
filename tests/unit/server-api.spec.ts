// The JSON API's own rules, over real HTTP on loopback: concurrent Checks of one lab share one
// grading run and record one attempt (issue #10, item 4); the page-token renewal endpoint.
// The grader here is a stand-in for the grading library (not for a Kubernetes API): what is
// under test is the API layer's bookkeeping around it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import type { GraderAdapter } from '../../src/server/adapters/grader.ts';
import { createApi } from '../../src/server/api.ts';
import { createPageTokens } from '../../src/server/page-token.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

let server: Server;
let base: string;
let gradingRuns = 0;
const store = new ProgressStore(':memory:');
const tokens = createPageTokens();

const grader: GraderAdapter = {
  async verify(lab) {
    gradingRuns++;
    await new Promise((resolve) => setTimeout(resolve, 150));
    const result: LabResult = { lab: String(lab), passed: true, score: 1, maxScore: 1, checks: [], startedAt: new Date().toISOString(), durationMs: 150 };
    return result;
  },
  async labs() {
    return [];
  },
};

beforeAll(async () => {
  const api = createApi({ grader, environments: undefined, store, tokens });
  server = createServer((req, res) => void api(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  store.close();
});

const check = (lab: number) => fetch(`${base}/api/labs/${lab}/verify`, { method: 'POST', headers: { Origin: base, 'x-labs-token': tokens.issue() } });

describe('concurrent Checks', () => {
  it('five at once: one grading run, one recorded attempt, five answers', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => check(3)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(gradingRuns).toBe(1);
    expect(store.progress().find((p) => p.lab === '3')?.attempts).toBe(1);
  });

  it('a later Check is a new attempt', async () => {
    await check(3);
    expect(store.progress().find((p) => p.lab === '3')?.attempts).toBe(2);
  });
});

describe('page-token renewal', () => {
  it('gives a same-origin page a token the server accepts', async () => {
    const response = await fetch(`${base}/api/page-token`, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(tokens.verify(((await response.json()) as { token: string }).token)).toBe(true);
  });

  it('refuses a fetch the browser marks as cross-site or same-site', async () => {
    for (const site of ['cross-site', 'same-site']) {
      expect((await fetch(`${base}/api/page-token`, { headers: { 'sec-fetch-site': site } })).status).toBe(403);
    }
  });
});
