// The warm pool both classroom providers hand environments out of (local.ts: kind clusters and
// Docker sandboxes on this machine; kubernetes.ts: pods on a host cluster). Environments are
// made in advance, through a gate (making one is heavy); a learner gets a warm one, else the one
// being made for the pool, else a new one when the provider says there is room; the pool refills
// in the background. A provider extends it with its backend (the abstract members at the end):
// how to make, hand over and remove its environments, reach them, and how much room is left.
// Adoption after a restart and health checks are the provider's: they fill `envs` and `learners`.
import type { EnvironmentStatus, LearnerEnvironments, PoolStatus } from './contract.ts';
import type { Language } from '../../content/schema.ts';
import type { ShellCommand } from '../../terminal/session.ts';
import { sleep } from '../../base/exec.ts';
import { CreateGate } from './create-gate.ts';
import { languageText } from './labs-config.ts';
import { LearnerBook, type LearnerEntry } from './learner-book.ts';

export type PooledEnvironment = {
  /** The environment's name (its cluster's, its objects'). */
  name: string;
  state: 'creating' | 'ready' | 'broken';
  /** The learner it is handed (or promised) to; none while warm. */
  learner?: string;
  /** Resolves when it is made (rejects when making it failed). */
  made: Promise<unknown>;
};

export type PooledLearner<E extends PooledEnvironment> = LearnerEntry & {
  env?: E;
  /** The assign in flight: a second assign joins it. */
  assigning?: Promise<void>;
  /** When the learner last used their environment (assign, shell, hand-out, wake); freezing and idle reclaim go by it. */
  lastActive: number;
};

/** How many more environments fit and what limits them: the provider's part of PoolStatus. */
export type Room = Pick<PoolStatus, 'fit' | 'limit' | 'limitMessage' | 'availableMiB' | 'environmentMiB' | 'reserveMiB' | 'preparing'> & {
  /** What holds every environment up now ("preparing: …"), said instead of the counts. */
  busy?: string;
};

/**
 * Where the providers' pools differ: names and numbers only. Both behave alike: a waiting
 * learner's create goes ahead of the pool's, a learner whose pool environment failed gets one
 * made for them, and an unusable environment is taken away before another is handed out.
 */
export type PoolPolicy = {
  /** Names the provider in log lines ("classroom environments: lab-x ready in 40 s"). */
  name: string;
  /** Environments made at the same time. */
  parallelCreates: number;
  /** What recreate() says at once ('creating'), before the old environment goes. */
  replacing: string;
  /** The error when nothing is warm and nothing more fits. */
  full(pool: PoolStatus): Error;
};

/**
 * A learner's page language (setLanguage) and where it is written: kept apart from their record,
 * which would make a learner without an environment look "pending" to the assigner.
 */
type LanguageEntry = {
  language: Language;
  /** "<env>:<language>" once written into that environment's sandbox. */
  written?: string;
  /** The writes, one after another: the last language asked for is the one left in the file. */
  chain: Promise<unknown>;
};

const CREATING = 'creating your cluster (about a minute)';

/** A pool environment nobody needs any more (the pool closed, or no class is open): not a failure. */
class NotWanted extends Error {
  constructor() {
    super('the warm pool is not needed now');
  }
}
const randomName = (): string => `lab-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;

export abstract class WarmPool<E extends PooledEnvironment, R extends PooledLearner<E>> implements LearnerEnvironments {
  /** Every environment: warm, being made, handed out, and broken ones until they are removed. */
  readonly envs = new Map<string, E>();
  readonly learners: LearnerBook<R>;
  /** How many warm ones to keep; undefined until the provider knows (local: from what fits, at start). */
  protected warmTarget: number | undefined;
  protected readonly log: (line: string) => void;
  protected closed = false;
  /** A class is open: the pool keeps warm ones (keepWarm); with none open it makes none and holds none. */
  private classOpen = true;
  private readonly policy: PoolPolicy;
  private readonly gate: CreateGate;
  private replenishing = false;
  /** The pool's last failure, said in capacity()'s message until a make succeeds. */
  private lastPoolError = '';
  private timers: NodeJS.Timeout[] = [];
  private readonly poolListeners = new Set<() => void>();
  private readonly pageLanguages = new Map<string, LanguageEntry>();
  /** Who has a page open now (setPresence); undefined until the server says. */
  private present: ((learner: string) => boolean) | undefined;

  constructor(policy: PoolPolicy, warm: number | undefined, log: ((line: string) => void) | undefined) {
    this.policy = policy;
    this.warmTarget = warm;
    this.log = log ?? (() => {});
    this.gate = new CreateGate(policy.parallelCreates);
    this.learners = new LearnerBook<R>(() => ({ lastActive: Date.now() }) as Omit<R, 'status' | 'chain'>, (line) => this.note(line));
  }

  // --- the LearnerEnvironments interface ---

  assign(learner: string): Promise<void> {
    const record = this.learners.record(learner);
    if (this.usable(record)) {
      record.lastActive = Date.now();
      return Promise.resolve();
    }
    if (this.frozen(record)) return this.wake(learner);
    if (record.assigning) return record.assigning;
    // Cleared before the caller resumes: an assign right after this one settles starts anew.
    const assigning = this.learners.serial(learner, async () => {
      if (this.usable(record)) return;
      await this.discard(record);
      await this.giveEnvironment(learner, 'waiting for an environment');
    }).finally(() => {
      record.assigning = undefined;
    });
    record.assigning = assigning;
    return assigning;
  }

  status(learner: string): EnvironmentStatus {
    return this.learners.get(learner)?.status ?? { state: 'gone', message: 'no environment assigned' };
  }

  kubeconfig(learner: string): string | undefined {
    const record = this.learners.get(learner);
    return record && this.usable(record) && record.env ? this.kubeconfigOf(record.env) : undefined;
  }

  shell(learner: string): ShellCommand | undefined {
    const record = this.learners.get(learner);
    if (!record || !this.usable(record) || !record.env) return undefined;
    record.lastActive = Date.now();
    return this.shellOf(record.env);
  }

  recreate(learner: string): Promise<void> {
    const message = this.policy.replacing;
    return this.learners.serial(learner, async () => {
      const record = this.learners.record(learner);
      this.learners.setStatus(learner, 'creating', message);
      await this.discard(record);
      await this.giveEnvironment(learner, message);
    });
  }

  release(learner: string): Promise<void> {
    return this.learners.serial(learner, async () => {
      const record = this.learners.get(learner);
      if (!record) return;
      const env = record.env;
      record.env = undefined;
      if (env) await this.remove(env, true);
      await this.forget(learner, record);
      this.learners.setStatus(learner, 'gone', 'environment released');
      this.learners.delete(learner);
      this.pageLanguages.delete(learner);
      this.replenish();
    });
  }

  onChange(listener: (learner: string, status: EnvironmentStatus) => void): () => void {
    return this.learners.onChange(listener);
  }

  onPoolChange(listener: () => void): () => void {
    this.poolListeners.add(listener);
    return () => this.poolListeners.delete(listener);
  }

  /** The warm pool and the room left. */
  async capacity(): Promise<PoolStatus> {
    const envs = [...this.envs.values()];
    const assigned = envs.filter((e) => e.learner).length;
    const creating = envs.filter((e) => e.state === 'creating').length;
    const warm = envs.filter((e) => !e.learner && e.state === 'ready').length;
    const frozen = [...this.learners.all()].filter(([, r]) => this.frozen(r)).length;
    const { busy, ...room } = await this.room({ creating, total: envs.length, frozen });
    return {
      assigned, warm, creating, warmCreating: envs.filter((e) => !e.learner && e.state === 'creating').length, warmTarget: this.wantedWarm, ...room,
      ...(frozen ? { frozen } : {}),
      ...(this.classOpen ? {} : { idle: true }),
      message: busy || this.lastPoolError || `${assigned} assigned${frozen ? ` (${frozen} frozen)` : ''}, ${warm} warm, ${creating} being made; room for ${room.fit} more (limited by ${room.limitMessage})`,
    };
  }

  /** The learner's page language: into their sandbox now when it is ready, else at the hand-out. */
  async setLanguage(learner: string, language: Language): Promise<void> {
    languageText(language); // throws on anything but a course language, before anything is kept or written
    const entry = this.pageLanguages.get(learner) ?? { language, chain: Promise.resolve() };
    entry.language = language;
    this.pageLanguages.set(learner, entry);
    return this.syncLanguage(learner, entry);
  }

  setPresence(present: (learner: string) => boolean): void {
    this.present = present;
  }

  /** Whether a page of the learner's is open; undefined: the server never said (tests, benches). */
  presentNow(learner: string): boolean | undefined {
    return this.present?.(learner);
  }

  /** Thaws the learner's frozen environment (node Ready before it resolves); notes the activity either way. */
  async wake(learner: string): Promise<void> {
    const record = this.learners.get(learner);
    if (!record) return;
    record.lastActive = Date.now();
    if (record.status.state !== 'frozen') return;
    await this.learners.serial(learner, async () => {
      const env = record.env;
      if (!env || !this.frozen(record)) return;
      const started = Date.now();
      try {
        await this.thawEnvironment!(env);
      } catch (e) {
        this.learners.setStatus(learner, 'error', `could not resume ${env.name}: ${(e as Error).message.split('\n')[0]}; recreate it (the files in the home folder are kept)`);
        throw e;
      }
      record.lastActive = Date.now();
      this.learners.setStatus(learner, 'ready', `ready (cluster ${env.name})`);
      this.note(`${env.name} of ${learner} resumed in ${Date.now() - started} ms`);
      this.poolChanged();
    });
    // A language heard while it was frozen (the page that woke it) is written now.
    const language = this.pageLanguages.get(learner);
    if (language) await this.syncLanguage(learner, language).catch((e: unknown) => this.note(`writing ${learner}'s language: ${(e as Error).message}`));
  }

  /**
   * Freezes the learner's environment (no CPU, memory kept) unless `stillIdle` says otherwise once
   * their earlier operations are done; `why` is what their status says meanwhile. False: not
   * frozen (no such environment, not ready, busy, or this provider does not freeze).
   */
  async freeze(learner: string, why: string, stillIdle: () => boolean = () => true): Promise<boolean> {
    if (!this.freezeEnvironment || !this.thawEnvironment) return false;
    const record = this.learners.get(learner);
    if (!record) return false;
    return this.learners.serial(learner, async () => {
      const env = record.env;
      if (!env || !this.usable(record) || record.assigning || !stillIdle()) return false;
      // Said first: from now on grading and the cluster watch leave it alone, and a wake waits for this.
      this.learners.setStatus(learner, 'frozen', why);
      try {
        await this.freezeEnvironment!(env);
      } catch (e) {
        this.learners.setStatus(learner, 'ready', `ready (cluster ${env.name})`);
        throw e;
      }
      this.note(`${env.name} of ${learner} frozen (${why})`);
      this.poolChanged();
      return true;
    });
  }

  /** The learner's environment is made and frozen. */
  frozen(record: R): boolean {
    return record.env?.state === 'ready' && record.status.state === 'frozen';
  }

  /** The environment (cluster) name of a learner, for messages, tests and diagnostics. */
  environmentOf(learner: string): string | undefined {
    return this.learners.get(learner)?.env?.name;
  }

  // --- the pool ---

  /** Changes how many warm environments the pool keeps (ones beyond it stay and are handed out first). */
  setWarm(n: number): void {
    this.warmTarget = Math.max(0, Math.floor(n));
    this.replenish();
  }

  /**
   * Warm environments only while a class is open: with none open the pool makes none, removes
   * its unassigned ones (ready or, once made, being made) and an ended class's releases do not
   * refill it; opening a class fills it again. Learners' own environments are never touched.
   */
  keepWarm(open: boolean): void {
    if (this.classOpen === open) return;
    this.classOpen = open;
    this.poolChanged();
    if (open) return this.replenish();
    for (const env of [...this.envs.values()]) {
      if (!env.learner && env.state === 'ready') void this.remove(env, false).catch((e: unknown) => this.note(`removing ${env.name}: ${(e as Error).message}`));
    }
  }

  /** How many warm ones the pool keeps now: none while no class is open. */
  private get wantedWarm(): number {
    return this.classOpen ? (this.warmTarget ?? 0) : 0;
  }

  /** Resolves when the warm pool has `n` ready environments (or rejects after `timeoutMs`). */
  async waitForWarm(n = this.warmTarget ?? 0, timeoutMs = 900_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const warm = [...this.envs.values()].filter((e) => !e.learner && e.state === 'ready').length;
      if (warm >= n) return;
      if (Date.now() > deadline) throw new Error(`warm pool: ${warm} of ${n} ready after ${Math.round(timeoutMs / 1000)} s (${(await this.capacity()).message})`);
      await sleep(500);
    }
  }

  /** Stops the background work; environments stay (the next open adopts them). `removeWarm` also deletes unassigned ones. */
  async close(options: { removeWarm?: boolean } = {}): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (options.removeWarm) {
      for (const env of [...this.envs.values()]) {
        if (env.learner) continue;
        await env.made.catch(() => undefined);
        if (!env.learner) await this.remove(env, false);
      }
    }
  }

  /** Keeps `warmTarget` environments ready or being made, while there is room. */
  replenish(): void {
    if (this.replenishing || this.closed) return;
    this.replenishing = true;
    void (async () => {
      let backoffMs = 30_000;
      try {
        for (;;) {
          if (this.closed) return;
          const spare = [...this.envs.values()].filter((e) => !e.learner && e.state !== 'broken').length;
          if (spare >= this.wantedWarm) return;
          if ((await this.capacity()).fit < 1) return;
          try {
            await this.make().made;
            this.lastPoolError = '';
            backoffMs = 30_000;
          } catch {
            // A failing build or create is retried, never in a tight loop.
            await sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 600_000);
          }
        }
      } catch (e) {
        // The room could not be measured (a host cluster's API did not answer).
        this.lastPoolError = `warm pool: ${(e as Error).message.split('\n')[0]}`;
      } finally {
        this.replenishing = false;
      }
    })();
  }

  /** The learner has a ready environment whose status is ready (not stopped, not broken). */
  usable(record: R): boolean {
    return record.env?.state === 'ready' && record.status.state === 'ready';
  }

  /** Takes an environment out of the pool and removes it; `keepFiles`: its learner's files stay. */
  remove(env: E, keepFiles: boolean): Promise<void> {
    this.envs.delete(env.name);
    this.poolChanged();
    return this.removeEnvironment(env, keepFiles);
  }

  /** The pool's counts or the machine's preparation changed: the instructor's view hears of it. */
  protected poolChanged(): void {
    for (const listener of this.poolListeners) listener();
  }

  /** A log line naming the provider. */
  protected note(line: string): void {
    this.log(`${this.policy.name}: ${line}`);
  }

  /** Runs `work` every `ms` until close (it never keeps the process alive); a failure is logged as `what`. */
  protected every(ms: number, what: string, work: () => Promise<void>): void {
    const timer = setInterval(() => void work().catch((e: unknown) => this.note(`${what}: ${(e as Error).message}`)), ms);
    timer.unref();
    this.timers.push(timer);
  }

  // --- handing out ---

  /** A warm environment, the one being made for the pool, or a new one; then it is made the learner's. */
  private async giveEnvironment(learner: string, waitingMessage: string): Promise<void> {
    const record = this.learners.record(learner);
    record.lastActive = Date.now();
    this.learners.setStatus(learner, 'pending', waitingMessage);
    let env: E | undefined;
    try {
      env = this.spare('ready') ?? this.spare('creating');
      if (env) {
        env.learner = learner;
        if (env.state !== 'ready') {
          this.learners.setStatus(learner, 'creating', CREATING);
          try {
            await env.made;
          } catch {
            env = undefined; // the pool's environment failed: one is made for this learner below
          }
        }
      }
      if (!env) {
        const pool = await this.capacity();
        if (pool.fit < 1) throw this.policy.full(pool);
        this.learners.setStatus(learner, 'creating', CREATING);
        env = this.make(learner);
        await env.made;
      }
      if (env.learner !== learner) throw new Error('environment was taken away while it was being made');
      const language = this.pageLanguages.get(learner);
      const handed = language?.language;
      await this.handOver(learner, record, env, handed);
      record.env = env;
      if (language && handed) language.written = `${env.name}:${handed}`;
      record.lastActive = Date.now();
      this.learners.setStatus(learner, 'ready', `ready (cluster ${env.name})`);
      // The page switched language while the hand-out wrote the old one.
      if (language) await this.syncLanguage(learner, language).catch((e: unknown) => this.note(`writing ${learner}'s language: ${(e as Error).message}`));
      this.poolChanged();
    } catch (e) {
      // An environment given to this learner but not made theirs goes away (their own files stay).
      if (env && env.learner === learner && record.env !== env) {
        const failed = env;
        failed.learner = undefined;
        void this.remove(failed, this.holdsFilesOf(failed, record)).catch(() => undefined);
      }
      this.learners.setStatus(learner, 'error', (e as Error).message.split('\n')[0]);
      throw e;
    } finally {
      this.replenish();
    }
  }

  /** Writes the learner's language into their ready environment unless it is there already; in order. */
  private syncLanguage(learner: string, entry: LanguageEntry): Promise<void> {
    const write = async () => {
      const record = this.learners.get(learner);
      const env = record && this.usable(record) ? record.env : undefined;
      const target = env && `${env.name}:${entry.language}`;
      if (!env || !target || entry.written === target) return;
      await this.writeLanguage(env, entry.language);
      entry.written = target;
    };
    const next = entry.chain.then(write, write);
    entry.chain = next.catch(() => undefined);
    return next;
  }

  private spare(state: 'ready' | 'creating'): E | undefined {
    return [...this.envs.values()].find((e) => !e.learner && e.state === state);
  }

  /** Takes the learner's environment away (their files stay theirs): the shell at once, the rest in the background. */
  private async discard(record: R): Promise<void> {
    const old = record.env;
    if (!old) return;
    record.env = undefined;
    old.learner = undefined;
    this.envs.delete(old.name);
    await this.stopShell(old);
    void this.remove(old, true).catch((e: unknown) => this.note(`removing ${old.name}: ${(e as Error).message}`));
  }

  /** Starts making an environment, for `learner` or for the pool. */
  private make(learner?: string): E {
    const name = randomName();
    const env = { ...this.newEnvironmentFields(name), name, state: 'creating', learner } as E;
    this.envs.set(name, env);
    this.poolChanged();
    env.made = this.gate.run(learner !== undefined, async () => {
      await this.beforeCreate();
      if ((this.closed || !this.classOpen) && !env.learner) throw new NotWanted();
      const started = await this.createEnvironment(env);
      this.note(`${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s${env.learner ? ` for ${env.learner}` : ' (warm pool)'}`);
      env.state = 'ready';
      this.poolChanged();
      // Made for the pool while the last class ended: not kept.
      if (!this.classOpen && !env.learner) void this.remove(env, false).catch(() => undefined);
      return env;
    });
    env.made.catch(async (e: unknown) => {
      env.state = 'broken';
      if (e instanceof NotWanted) return void this.remove(env, false).catch(() => undefined);
      this.note(`making ${name} failed: ${(e as Error).message}`);
      if (!env.learner) this.lastPoolError = `the last warm environment failed: ${(e as Error).message.split('\n')[0]}`;
      await this.remove(env, false).catch(() => undefined);
    });
    return env;
  }

  // --- the backend: what a provider supplies ---

  /** What the provider keeps on a new environment beside the pool's fields (local: its network). */
  protected abstract newEnvironmentFields(name: string): Omit<E, keyof PooledEnvironment>;
  /** Runs in the gate before each create (local: builds images once); a closed pool stops after it. */
  protected async beforeCreate(): Promise<void> {}
  /** Makes the environment; resolves with when its making began (what "ready in N s" measures). */
  protected abstract createEnvironment(env: E): Promise<number>;
  /** Removes what the environment is made of; `keepFiles`: the learner's own files (local: the home) stay. */
  protected abstract removeEnvironment(env: E, keepFiles: boolean): Promise<void>;
  /** Ends the learner's shell at once when their environment is taken away (the rest is removed in the background). */
  protected async stopShell(_env: E): Promise<void> {}
  /** Makes a ready environment the learner's: their files, their token and `language` (their page's) for `labs`, the provider's record. */
  protected abstract handOver(learner: string, record: R, env: E, language: Language | undefined): Promise<void>;
  /** Writes the learner's language for `labs` into the environment's sandbox (~/.config/labs/lang). */
  protected abstract writeLanguage(env: E, language: Language): Promise<void>;
  /** Whether a failed hand-out left the learner's own files in `env` (then they are kept). */
  protected holdsFilesOf(_env: E, _record: R): boolean {
    return false;
  }
  /** Forgets a released learner beyond their environment (local: their home and assignment records). */
  protected async forget(_learner: string, _record: R): Promise<void> {}
  /** How many more environments fit now, given those being made, the frozen ones (memory, no CPU) and all there are. */
  protected abstract room(count: { creating: number; total: number; frozen: number }): Promise<Room>;
  /** Pauses the environment's processes, memory kept (local: docker pause); absent: this provider does not freeze. */
  protected freezeEnvironment?(env: E): Promise<void>;
  /** Resumes a frozen environment; resolves once it is usable (node Ready). */
  protected thawEnvironment?(env: E): Promise<void>;
  /** The kubeconfig this server grades with. */
  protected abstract kubeconfigOf(env: E): string | undefined;
  /** How the terminal bridge reaches the learner's shell. */
  protected abstract shellOf(env: E): ShellCommand;
}
