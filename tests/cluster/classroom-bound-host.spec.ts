// A class server bound to one address (`--host 127.0.0.1`, as an instructor who wants nothing on
// the LAN would start it) still grades from learners' sandboxes (issue #23, item 1): sandboxes
// reach it through Docker's bridge, where it also listens for this machine's containers only.
// Before, `labs verify` in every sandbox said "cannot reach the class server" while the Check
// button worked. One learner, a warm pool of one: one kind cluster and one sandbox.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPool, sandboxName } from '../../src/environments/classroom/docker-objects.ts';
import type { RunningServer } from '../browser/harness.ts';
import { ADMIN, ok, removeClassServer, startClassServer } from './helpers/class-server.ts';

const exec = promisify(execFile);
const POOL = `e2e-${randomBytes(3).toString('hex')}`;
const MINUTE = 60_000;

let server: RunningServer;

const call = (cookie: string, method: 'GET' | 'POST', path: string, body?: unknown, csrf?: string) => ok(server, cookie, method, path, body, csrf);

beforeAll(async () => {
  server = await startClassServer(POOL);
}, 30 * MINUTE);

afterAll(async () => {
  if (server) await removeClassServer(server, POOL);
}, 10 * MINUTE);

describe('a class server started with --host 127.0.0.1', () => {
  it('says where sandboxes reach it, and that no learner reaches its join address', async () => {
    // The lines after "running at" may arrive in the next chunk of its output.
    for (let i = 0; i < 50 && !server.output().includes('sandboxes:'); i++) await new Promise((done) => setTimeout(done, 100));
    expect(server.output()).toMatch(/sandboxes: \d+\.\d+\.\d+\.\d+:\d+ \(Docker's bridge; containers of this machine only\)/);
    expect(server.output()).toMatch(/learners: none: this server listens on 127\.0\.0\.1 only/);
  });

  it("grades `labs verify 1` typed in the learner's sandbox", async () => {
    const teacher = await call('', 'POST', '/api/classroom/login', ADMIN);
    const cohort = await call(teacher.cookie, 'POST', '/api/classroom/cohorts', { name: 'Bound to loopback', labs: [1], capacity: 1 }, teacher.json.csrf as string);
    const learner = await call('', 'POST', '/api/classroom/join', { code: cohort.json.joinCode, name: 'Ana' });
    // The environment comes from the warm pool (made while the server started, minutes on a cold machine).
    const deadline = Date.now() + 25 * MINUTE;
    let state = '';
    while (state !== 'ready') {
      if (Date.now() > deadline) throw new Error(`the learner's environment never became ready (last: ${state})\n${server.output().slice(-3000)}`);
      await new Promise((done) => setTimeout(done, 3000));
      state = ((await call(learner.cookie, 'GET', '/api/classroom/me')).json.environment as { state: string }).state;
    }
    const env = (await findPool(POOL)).assignments.find((a) => a.learner.startsWith('learner:'))!.env;
    const verify = await exec('docker', ['exec', sandboxName(env), 'bash', '-lc', 'labs verify 1; echo "exit $?"'], { timeout: 5 * MINUTE });
    const out = verify.stdout + verify.stderr;
    expect(out).not.toMatch(/cannot reach/);
    // Nothing was done yet: graded, not passed.
    expect(out).toMatch(/^lab 01-liveness: \d+\/\d+ not yet$/m);
    expect(out).toMatch(/^exit 1$/m);
  }, 30 * MINUTE);
});
