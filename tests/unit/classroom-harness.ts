// The classroom API on a loopback port for unit tests: the real routes, accounts, cohorts and
// store, with learner environments as an in-memory stand-in (clusters are the cluster suite's
// business). Requests can come from any 127.x.y.z address, as a class network's many would.
import { createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseSync } from 'node:sqlite';
import { Accounts } from '../../src/classroom/accounts.ts';
import type { LabCatalogEntry } from '../../src/classroom/board.ts';
import { Cohorts } from '../../src/classroom/cohorts.ts';
import { EnvironmentAssigner } from '../../src/classroom/environment-assigner.ts';
import { HelpQueue } from '../../src/classroom/help-queue.ts';
import { LabCatalog } from '../../src/classroom/lab-catalog.ts';
import { LiveFeed } from '../../src/classroom/live.ts';
import { DashboardPublisher } from '../../src/classroom/publisher.ts';
import { SandboxLanguage } from '../../src/classroom/sandbox-language.ts';
import type { EnvironmentStatus, LearnerEnvironments } from '../../src/environments/classroom/contract.ts';
import { createClassroomRoutes, type ClassroomDeps } from '../../src/server/classroom-routes.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';
import type { ShellCommand } from '../../src/terminal/session.ts';

export const catalog: LabCatalogEntry[] = [
  { number: 1, id: '01-liveness', tasks: [{ id: 'probe-configured', title: 'a' }, { id: 'restarted-by-liveness', title: 'b' }] },
  { number: 2, id: '02-readiness', tasks: [{ id: 'probe', title: 'c' }] },
];

export class MemoryEnvironments implements LearnerEnvironments {
  readonly assigned: string[] = [];
  readonly released: string[] = [];
  async assign(learner: string) {
    this.assigned.push(learner);
  }
  /** Learners whose environment is not ready (reclaimed, failed, frozen); everyone else's is. */
  readonly states = new Map<string, EnvironmentStatus>();
  status(learner: string): EnvironmentStatus {
    return this.states.get(learner) ?? { state: 'ready', message: 'ready' };
  }
  kubeconfig(learner: string) {
    return this.status(learner).state === 'ready' ? `/kubeconfigs/${learner}` : undefined;
  }
  shell(_learner: string): ShellCommand | undefined {
    return undefined;
  }
  readonly recreated: string[] = [];
  async recreate(learner: string) {
    this.recreated.push(learner);
  }
  /**
   * Issue #24's freezing: set a learner's state to 'frozen' and wake() thaws it (it reads ready
   * again) after `thawMs`, or rejects with `wakeFails`. `wakes` lists every call, in order; `log`
   * (shared with a test's stand-ins) says when each thaw began and ended.
   */
  readonly wakes: string[] = [];
  thawMs = 0;
  wakeFails: string | undefined;
  readonly log: string[] = [];
  async wake(learner: string) {
    this.wakes.push(learner);
    if (this.states.get(learner)?.state !== 'frozen') return;
    this.log.push(`thaw ${learner}`);
    await new Promise((resolve) => setTimeout(resolve, this.thawMs));
    if (this.wakeFails) throw new Error(this.wakeFails);
    this.states.delete(learner);
    this.log.push(`thawed ${learner}`);
  }
  /** Who is here now, as the classroom told it (setPresence). */
  present: ((learner: string) => boolean) | undefined;
  setPresence(present: (learner: string) => boolean) {
    this.present = present;
  }
  async release(learner: string) {
    this.released.push(learner);
  }
  onChange() {
    return () => {};
  }
  /** The languages sandboxes were told, as "<learner> <language>", and whether before the learner's first assign. */
  readonly languages: string[] = [];
  async setLanguage(learner: string, language: string) {
    this.languages.push(`${learner} ${language}${this.assigned.includes(learner) ? '' : ' (before assign)'}`);
  }
}

export type Client = { cookie?: string; csrf?: string };
export type Answer = { status: number; json: Record<string, unknown>; headers: Record<string, string | string[] | undefined>; text: string };

export type ClassroomUnderTest = {
  base: string;
  store: ProgressStore;
  accounts: Accounts;
  cohorts: Cohorts;
  environments: MemoryEnvironments;
  routes: ReturnType<typeof createClassroomRoutes>;
  language: SandboxLanguage;
  /** A request as this client (its cookie and CSRF token are kept), optionally from another loopback address. */
  call: (client: Client, method: string, path: string, body?: unknown, options?: { headers?: Record<string, string>; from?: string; raw?: string | Buffer }) => Promise<Answer>;
  close: () => Promise<void>;
};

export type ClassroomSetup = {
  /** Accounts on the class's database, e.g. with instrumented password checks. */
  accounts?: (db: DatabaseSync) => Accounts;
  /** What answers paths outside /api/classroom/ (the platform's pages, say). */
  otherRoutes?: RequestListener;
};

export async function startClassroom(overrides: Partial<ClassroomDeps> = {}, setup: ClassroomSetup = {}): Promise<ClassroomUnderTest> {
  const store = new ProgressStore(':memory:');
  const accounts = setup.accounts?.(store.database) ?? new Accounts(store.database);
  const cohorts = new Cohorts(store.database);
  const environments = new MemoryEnvironments();
  const feed = new LiveFeed();
  const help = new HelpQueue();
  const labs = new LabCatalog(async () => catalog);
  const dashboard = new DashboardPublisher({ cohorts, store, environments, feed, catalog: labs, help });
  const language = new SandboxLanguage(environments);
  const routes = createClassroomRoutes({
    accounts, cohorts, store, feed, environments, dashboard, help, catalog: labs, assigner: new EnvironmentAssigner(environments), language,
    resetLab: async () => {}, secure: false, ...overrides,
  });
  const server: Server = createServer(async (req, res) => {
    if (!(await routes.handle(req, res))) setup.otherRoutes?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  const call = callsTo(port);

  return {
    base, store, accounts, cohorts, environments, routes, language, call,
    close: async () => {
      dashboard.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      store.close();
    },
  };
}

/** Requests to a server on this loopback port as a browser would send them (Origin, the client's cookie and CSRF token, kept from its answers). */
export function callsTo(port: number): ClassroomUnderTest['call'] {
  const base = `http://127.0.0.1:${port}`;
  return (client, method, path, body, options = {}) =>
    new Promise((resolve, reject) => {
      const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      const req = request({
        host: '127.0.0.1', port, method, path, localAddress: options.from,
        headers: {
          Origin: base,
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(client.cookie ? { Cookie: client.cookie } : {}),
          ...(client.csrf ? { 'x-csrf-token': client.csrf } : {}),
          ...options.headers,
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0];
          if (setCookie) client.cookie = setCookie.split(';')[0];
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = { text };
          }
          if (typeof json.csrf === 'string') client.csrf = json.csrf;
          resolve({ status: res.statusCode ?? 0, json, headers: res.headers, text });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
}
