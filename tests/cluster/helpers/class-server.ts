// A class server on this machine's Docker for the cluster suite: classroom mode with local
// environments in a pool of the spec's own (LABS_CLASSROOM_POOL, so other pools are untouched),
// a warm pool of one and room for one, bound to loopback; and its JSON API as the pages call it.
import { startServer, type RunningServer } from '../../browser/harness.ts';

export const ADMIN = { username: 'teacher', password: 'correct-horse-battery' };

export function startClassServer(pool: string): Promise<RunningServer> {
  return startServer(
    { LABS_CLASSROOM_ADMIN: `${ADMIN.username}:${ADMIN.password}`, LABS_CLASSROOM_POOL: pool },
    undefined,
    ['--classroom', '--environments', 'local', '--warm', '1', '--max-environments', '1', '--host', '127.0.0.1'],
  );
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
