// Issue #24 outside the environments: a learner's environment frozen while nobody used it is
// thawed by the next sign of the learner, before that action proceeds — their page opening, a new
// or resumed shell, a Check or reset (from the page or from `labs` in the sandbox), the
// instructor's watch, reset and recreate — and the classroom tells the environments who is here
// (a terminal attached, an instructor's view, the learner's live feed open). The real classroom
// mode, lab API and terminal sockets, over HTTP and WebSockets on loopback; the environments are
// an in-memory stand-in whose wake() takes `thawMs` and logs when it began and ended.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LabResult } from '../../grader/result.ts';
import type { LabSummary } from '../../src/contract/labs.ts';
import type { GraderAdapter } from '../../src/server/adapters/grader.ts';
import { createApi } from '../../src/server/api.ts';
import { createClassroomMode, type ClassroomMode } from '../../src/server/classroom-mode.ts';
import { createPageTokens } from '../../src/server/page-token.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import { CloseCode } from '../../src/terminal/protocol.ts';
import { callsTo, catalog, MemoryEnvironments, type Client } from './classroom-harness.ts';
import { bashFor, openedInTest, until, type Bridge } from './terminal-bridge-harness.ts';

/** A ready learner's shell is bash here; starting one is logged (after any thaw, it must be). */
class Environments extends MemoryEnvironments {
  override shell(learner: string) {
    if (this.status(learner).state !== 'ready') return undefined;
    this.log.push(`shell ${learner}`);
    return bashFor(learner);
  }
}

const environments = new Environments();
const store = new ProgressStore(':memory:');
const tokens = createPageTokens();
const grader: GraderAdapter = {
  async verify(lab, kubeconfig) {
    environments.log.push(`verify ${kubeconfig}`);
    const result: LabResult = { lab: catalog[0]!.id, passed: false, score: 0, maxScore: 1, checks: [], startedAt: new Date().toISOString(), durationMs: 1 };
    return result;
  },
  async reset(_lab, kubeconfig) {
    environments.log.push(`reset ${kubeconfig}`);
  },
  async labs() {
    return catalog as unknown as LabSummary[];
  },
};

const { bridge: openBridge, client: openTerminal, closeAll } = openedInTest();
let bridge: Bridge;
let mode: ClassroomMode;
let server: Server;
let call: ReturnType<typeof callsTo>;
const teacher: Client = {};
const ana: Client = {};
let key = '';
let anaId = 0;

beforeAll(async () => {
  bridge = await openBridge({ authorize: (req, url) => mode.authorizeTerminal(req, url) });
  mode = createClassroomMode({
    store, grader, log: () => {},
    options: { environments, secure: false, gradeEveryMs: 3_600_000 },
    terminalInUse: (owner) => bridge.sessions.inUse(owner),
  });
  const api = createApi({ grader, environments: undefined, store, tokens, caller: mode.caller });
  server = createServer(async (req, res) => {
    if (!(await mode.handle(req, res)) && !(await api(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  call = callsTo((server.address() as AddressInfo).port);
  await mode.accounts.createInstructor('teacher', 'a-long-password');
  await call(teacher, 'POST', '/api/classroom/login', { username: 'teacher', password: 'a-long-password' });
  const cohort = await call(teacher, 'POST', '/api/classroom/cohorts', { name: 'Tue', labs: [1, 2], capacity: 5 });
  const joined = await call(ana, 'POST', '/api/classroom/join', { code: cohort.json.joinCode, name: 'Ana' });
  expect(joined.status).toBe(200);
  key = environments.assigned[0]!;
  anaId = Number(key.split(':')[1]);
});
afterAll(async () => {
  await closeAll();
  mode.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  store.close();
});
beforeEach(() => {
  environments.log.length = 0;
  environments.wakes.length = 0;
  environments.thawMs = 50;
  environments.wakeFails = undefined;
});

const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const freeze = () => environments.states.set(key, { state: 'frozen', message: 'paused after 5 min without activity' });
const lab = (action: string, headers: Record<string, string> = {}) => call(ana, 'POST', `/api/labs/1/${action}`, {}, { headers: { 'x-labs-token': tokens.issue(), ...headers } });

describe('the learner acts on a frozen environment', () => {
  it('Check and reset from their page wait for the thaw, then act on the thawed cluster', async () => {
    for (const action of ['verify', 'reset']) {
      freeze();
      environments.log.length = 0;
      const answer = await lab(action);
      expect(answer.status, action).toBe(200);
      expect(environments.log, action).toEqual([`thaw ${key}`, `thawed ${key}`, `${action} /kubeconfigs/${key}`]);
    }
  });

  it('`labs verify` in their sandbox (a bearer token, no page) thaws it the same way', async () => {
    freeze();
    const bearer = mode.accounts.startSession('learner', anaId).token;
    const answer = await call({}, 'POST', '/api/labs/1/verify', {}, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(answer.status).toBe(200);
    expect(environments.log).toEqual([`thaw ${key}`, `thawed ${key}`, `verify /kubeconfigs/${key}`]);
  });

  it('a thaw that fails: the Check says the cluster could not be resumed and grades nothing', async () => {
    freeze();
    environments.wakeFails = 'docker unpause: no such container';
    const answer = await lab('verify');
    expect(answer.status).toBe(502);
    expect(answer.json).toMatchObject({ code: 'cluster-unreachable', error: expect.stringContaining('could not be resumed: docker unpause: no such container') });
    expect(environments.log).toEqual([`thaw ${key}`]);
    environments.states.delete(key);
  });

  it('a ready environment is only noted as used (wake resolves at once), and its Check goes on', async () => {
    expect((await lab('verify')).status).toBe(200);
    expect(environments.wakes).toEqual([key]);
    expect(environments.log).toEqual([`verify /kubeconfigs/${key}`]);
  });

  it("the page's cluster pill reads it as paused (not an error), and reading the state thaws nothing", async () => {
    freeze();
    const status = await call(ana, 'GET', '/api/cluster');
    expect(status.json).toMatchObject({ name: key.replace(':', '-'), state: 'paused', detail: 'paused after 5 min without activity' });
    expect(environments.wakes).toEqual([]);
    environments.states.delete(key);
  });

  it('opening their page thaws it in the background', async () => {
    freeze();
    const page = new AbortController();
    const response = await fetch(`${base()}/api/classroom/learner/events`, { headers: { Cookie: ana.cookie! }, signal: page.signal });
    expect(response.status).toBe(200);
    page.abort();
    await until(() => environments.status(key).state === 'ready', 'the thaw');
    expect(environments.wakes).toEqual([key]);
    expect(environments.assigned).toEqual([key]); // woken, not assigned a new one
  });
});

describe('the terminal on a frozen environment', () => {
  const asAna = () => ({ headers: { Cookie: ana.cookie! } });

  it("a learner's new shell starts only once the thaw is done; resuming it thaws first too", async () => {
    freeze();
    const first = await openTerminal(bridge, '', asAna());
    // Typed right after the hello, while the thaw runs: it waits, and reaches the shell after.
    first.type('echo "up-$OWNER_TAG"');
    const ready = await first.ready();
    await first.waitFor(`up-${key}`);
    expect(environments.log).toEqual([`thaw ${key}`, `thawed ${key}`, `shell ${key}`]);
    first.close();
    await first.closed;
    freeze();
    environments.log.length = 0;
    const again = await openTerminal(bridge, '', { ...asAna(), hello: { session: ready.session } });
    expect((await again.ready()).session).toBe(ready.session);
    expect(environments.log).toEqual([`thaw ${key}`, `thawed ${key}`]); // the same shell, no new one
    again.close();
    await again.closed;
  });

  it('a thaw that fails closes the socket as not ready (the page retries); the next try gets in', async () => {
    freeze();
    environments.wakeFails = 'the node did not become Ready';
    const refused = await openTerminal(bridge, '', asAna());
    expect((await refused.closed).code).toBe(CloseCode.notReady);
    expect(refused.controls).toEqual([{ t: 'error', message: expect.stringContaining('could not be resumed (the node did not become Ready)') }]);
    environments.wakeFails = undefined;
    const later = await openTerminal(bridge, '', asAna());
    await later.ready();
    later.close();
    await later.closed;
  });

  it('a flood of frames while the thaw runs closes the socket instead of piling up', async () => {
    freeze();
    environments.thawMs = 2000;
    const flood = await openTerminal(bridge, '', asAna());
    for (let i = 0; i < 600; i++) flood.type('x');
    expect((await flood.closed).code).toBe(CloseCode.protocolError);
    environments.thawMs = 50;
  });

  it("the instructor's read-only watch thaws the learner before it joins", async () => {
    freeze();
    const watcher = await openTerminal(bridge, `watch=${key}`, { headers: { Cookie: teacher.cookie! } });
    await until(() => bridge.sessions.watchers(key) === 1, 'the watcher to join');
    expect(environments.log).toEqual([`thaw ${key}`, `thawed ${key}`]);
    watcher.close();
    await watcher.closed;
  });
});

describe("the instructor's reset and recreate", () => {
  it('reset thaws first and resets the thawed cluster', async () => {
    freeze();
    const answer = await call(teacher, 'POST', `/api/classroom/learners/${anaId}/reset`, { lab: 1 });
    expect(answer.status).toBe(200);
    expect(environments.log).toEqual([`thaw ${key}`, `thawed ${key}`, `reset /kubeconfigs/${key}`]);
  });

  it('recreate thaws first, and goes ahead when the thaw fails (the environment is thrown away anyway)', async () => {
    freeze();
    environments.wakeFails = 'docker unpause: container is gone';
    expect((await call(teacher, 'POST', `/api/classroom/learners/${anaId}/recreate`, {})).status).toBe(200);
    await until(() => environments.recreated.length === 1, 'the recreate');
    expect(environments.wakes).toEqual([key]);
    expect(environments.recreated).toEqual([key]);
    environments.states.delete(key);
  });
});

describe('who is here (setPresence)', () => {
  const present = () => environments.present!(key);

  it('a terminal with a browser attached, an instructor watching it, their live feed open: present; none of them: not', async () => {
    expect(environments.present).toBeTypeOf('function');
    await until(() => !present(), 'nobody left from earlier tests');
    const terminal = await openTerminal(bridge, '', { headers: { Cookie: ana.cookie! } });
    await terminal.ready();
    expect(present()).toBe(true);
    terminal.close();
    await until(() => !present(), 'the terminal to detach');
    // The shell lives on, detached: nobody is looking at it.
    expect(bridge.sessions.sessionsOf(key).length).toBeGreaterThan(0);

    const watcher = await openTerminal(bridge, `watch=${key}`, { headers: { Cookie: teacher.cookie! } });
    await until(() => present(), 'the watcher');
    watcher.close();
    await until(() => !present(), 'the watcher to leave');

    const page = new AbortController();
    const feed = await fetch(`${base()}/api/classroom/learner/events`, { headers: { Cookie: ana.cookie! }, signal: page.signal });
    expect(feed.status).toBe(200);
    await until(() => present(), 'the live feed');
    page.abort();
    await until(() => !present(), 'the live feed to close');
    expect(environments.present!('learner:999999')).toBe(false);
  });
});
