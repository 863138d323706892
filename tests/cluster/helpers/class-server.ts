// A class server on this machine's Docker for the cluster suite: classroom mode with local
// environments in a pool of the spec's own (LABS_CLASSROOM_POOL, so other pools are untouched),
// a warm pool of one and room for one, bound to loopback; and its JSON API as the pages call it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { findPool } from '../../../src/environments/classroom/docker-objects.ts';
import { LocalLearnerEnvironments } from '../../../src/environments/classroom/local.ts';
import { startServer, type RunningServer } from '../../browser/harness.ts';

export const ADMIN = { username: 'teacher', password: 'correct-horse-battery' };

export function startClassServer(pool: string): Promise<RunningServer> {
  return startServer(
    { LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}`, LABS_CLASSROOM_POOL: pool },
    undefined,
    // --freeze 0: the specs reach into sandboxes with docker exec, which a frozen one refuses
    // (freezing itself: classroom-environments.spec.ts).
    ['--classroom', '--environments', 'local', '--warm', '1', '--max-environments', '1', '--host', '127.0.0.1', '--freeze', '0'],
  );
}

/**
 * Stops the class server and removes what its pool made: its learners' environments released as
 * the server would (their homes are filesystems in its data folder), the warm ones removed; Docker
 * then holds nothing of the pool.
 */
export async function removeClassServer(server: RunningServer, pool: string): Promise<void> {
  await server.stop({ keepHome: true });
  const labsHome = process.env.LABS_HOME;
  process.env.LABS_HOME = join(server.home, 'data');
  try {
    const environments = await LocalLearnerEnvironments.open({ pool, warm: 0 });
    for (const a of (await findPool(pool)).assignments) await environments.release(a.learner);
    await environments.close({ removeWarm: true });
  } finally {
    if (labsHome === undefined) delete process.env.LABS_HOME;
    else process.env.LABS_HOME = labsHome;
  }
  expect(await findPool(pool)).toEqual({ networks: [], sandboxes: [], homes: [], assignments: [] });
  rmSync(server.home, { recursive: true, force: true });
}

export type Answer = { status: number; json: Record<string, unknown>; cookie: string };

/** A JSON call as the pages make it (this origin, the session's cookie and CSRF token); any status. */
export async function call(server: RunningServer, cookie: string, method: 'GET' | 'POST', path: string, body?: unknown, csrf?: string): Promise<Answer> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: { origin: server.origin, 'content-type': 'application/json', cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? cookie };
}

/** The same call; an answer that is not 2xx throws. */
export async function ok(server: RunningServer, cookie: string, method: 'GET' | 'POST', path: string, body?: unknown, csrf?: string): Promise<Answer> {
  const answer = await call(server, cookie, method, path, body, csrf);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer;
}
