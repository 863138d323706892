import { describe, expect, it } from 'vitest';
import type { Language } from '../../content/schema.ts';
import type { EnvironmentStatus, PoolStatus } from './contract.ts';
import { WarmPool, type PoolPolicy, type PooledEnvironment, type PooledLearner, type Room } from './warm-pool.ts';

type Learner = PooledLearner<PooledEnvironment>;
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
type Create = { env: PooledEnvironment; finish: () => void; fail: (message: string) => void };

// The two providers' policies (local.ts, kubernetes.ts) on an in-memory backend whose creates the test finishes.
const local = { name: 'local', replacing: 'replacing (files kept)' };
const kubernetes = { name: 'kubernetes', replacing: 'replacing' };

class MemoryPool extends WarmPool<PooledEnvironment, Learner> {
  fit = 5;
  readonly creates: Create[] = [];
  readonly removed: string[] = [];
  readonly events: string[] = [];
  /** What hand-outs and language writes put in sandboxes: "<env> <language>", in the order they finished. */
  readonly languages: string[] = [];
  /** Holds each language write until the test lets it finish (undefined: at once). */
  languageWrites: (() => void)[] | undefined;
  /** Holds each hand-out until the test lets it finish (undefined: at once). */
  handOvers: (() => void)[] | undefined;

  constructor(policy: Omit<PoolPolicy, 'parallelCreates' | 'full'>, warm: number) {
    super({ ...policy, parallelCreates: 1, full: (c: PoolStatus) => new Error(`full: ${c.limitMessage}`) }, warm, undefined);
    this.onChange((learner: string, s: EnvironmentStatus) => this.events.push(`${learner} ${s.state}: ${s.message.replace(/lab-\w+/, 'lab-x')}`));
  }

  start(): this {
    this.replenish();
    return this;
  }

  /** Waits for the `n`th create (1-based) to start. */
  async create(n: number): Promise<Create> {
    for (let i = 0; i < 200 && this.creates.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    const c = this.creates[n - 1];
    if (!c) throw new Error(`create ${n} did not start`);
    return c;
  }

  protected newEnvironmentFields(): Record<string, never> {
    return {};
  }
  protected createEnvironment(env: PooledEnvironment): Promise<number> {
    return new Promise((resolve, reject) => this.creates.push({ env, finish: () => resolve(Date.now()), fail: (m) => reject(new Error(m)) }));
  }
  protected async removeEnvironment(env: PooledEnvironment, keepFiles: boolean): Promise<void> {
    this.removed.push(`${env.learner ?? '-'} ${keepFiles ? 'keep' : 'all'}`);
  }
  protected async handOver(_learner: string, _record: Learner, env: PooledEnvironment, language: Language | undefined): Promise<void> {
    if (this.handOvers) await new Promise<void>((resolve) => this.handOvers!.push(resolve));
    if (language) this.languages.push(`${env.name} ${language} (hand-out)`);
  }
  protected async writeLanguage(env: PooledEnvironment, language: Language): Promise<void> {
    if (this.languageWrites) await new Promise<void>((resolve) => this.languageWrites!.push(resolve));
    this.languages.push(`${env.name} ${language}`);
  }
  /** Freezes and thaws, in order: "freeze <env>", "thaw <env>". */
  readonly freezes: string[] = [];
  /** Holds each thaw until the test lets it finish (undefined: at once); `fail` makes it fail. */
  thaws: { finish: () => void; fail: (message: string) => void }[] | undefined;
  frozenCount = -1;
  protected async freezeEnvironment(env: PooledEnvironment): Promise<void> {
    this.freezes.push(`freeze ${env.name}`);
  }
  protected async thawEnvironment(env: PooledEnvironment): Promise<void> {
    if (this.thaws) await new Promise<void>((resolve, reject) => this.thaws!.push({ finish: resolve, fail: (m) => reject(new Error(m)) }));
    this.freezes.push(`thaw ${env.name}`);
  }
  protected async room(count?: { frozen: number }): Promise<Room> {
    this.frozenCount = count?.frozen ?? -1;
    return { fit: this.fit, limit: 'cap', limitMessage: `room for ${this.fit}`, availableMiB: 0, environmentMiB: 0, reserveMiB: 0 };
  }
  protected kubeconfigOf(env: PooledEnvironment): string {
    return `/kubeconfigs/${env.name}`;
  }
  protected shellOf(env: PooledEnvironment) {
    return { file: 'shell', args: [env.name], env: {}, cwd: '/' };
  }
}

describe('the warm pool', () => {
  it('hands a warm environment out at once, then refills', async () => {
    const pool = new MemoryPool(local, 1).start();
    (await pool.create(1)).finish();
    await pool.waitForWarm(1, 1000);
    await pool.assign('a');
    // A new learner's record starts pending: the first event is the hand-out.
    expect(pool.events).toEqual(['a ready: ready (cluster lab-x)']);
    expect(pool.kubeconfig('a')).toBe(`/kubeconfigs/${pool.environmentOf('a')}`);
    expect((await pool.create(2)).env.learner).toBeUndefined();
    expect(await pool.capacity()).toMatchObject({ assigned: 1, warm: 0, creating: 1, message: '1 assigned, 0 warm, 1 being made; room for 5 more (limited by room for 5)' });
    await pool.close();
  });

  it('says the provider is full when nothing is warm and nothing fits', async () => {
    for (const policy of [local, kubernetes]) {
      const pool = new MemoryPool(policy, 0);
      pool.fit = 0;
      await expect(pool.assign('a')).rejects.toThrow('full: room for 0');
      expect(pool.status('a')).toEqual({ state: 'error', message: 'full: room for 0' });
    }
  });

  it('a learner whose pool environment fails gets another made for them (both providers)', async () => {
    for (const policy of [local, kubernetes]) {
      // The pool's environment is being made when the learner comes.
      const pool = new MemoryPool(policy, 1).start();
      const forPool = await pool.create(1);
      const assigned = pool.assign('a');
      await settle();
      forPool.fail('node did not start');
      (await pool.create(2)).finish();
      await assigned;
      expect(pool.events).toEqual(['a creating: creating your cluster (about a minute)', 'a ready: ready (cluster lab-x)']);
      await pool.close();
    }
  });

  it('assign after a broken environment (the learner reopens their page) takes the broken one away (both providers)', async () => {
    for (const policy of [local, kubernetes]) {
      const pool = new MemoryPool(policy, 0);
      const first = pool.assign('a');
      (await pool.create(1)).finish();
      await first;
      pool.envs.get(pool.environmentOf('a')!)!.state = 'broken';
      pool.learners.setStatus('a', 'error', 'the cluster stopped');
      const second = pool.assign('a');
      (await pool.create(2)).finish();
      await second;
      expect(pool.status('a').state).toBe('ready');
      expect(pool.envs.size).toBe(1);
      expect(pool.removed).toEqual(['- keep']);
    }
  });

  it('recreate says so at once, before the old environment goes', async () => {
    for (const [policy, said] of [[local, 'replacing (files kept)'], [kubernetes, 'replacing']] as const) {
      const pool = new MemoryPool(policy, 0);
      const first = pool.assign('a');
      (await pool.create(1)).finish();
      await first;
      pool.events.length = 0;
      const again = pool.recreate('a');
      (await pool.create(2)).finish();
      await again;
      expect(pool.events).toEqual([`a creating: ${said}`, `a pending: ${said}`, 'a creating: creating your cluster (about a minute)', 'a ready: ready (cluster lab-x)']);
    }
  });

  it('release removes the environment (the learner’s files go with forget) and says gone', async () => {
    const pool = new MemoryPool(kubernetes, 0);
    const first = pool.assign('a');
    (await pool.create(1)).finish();
    await first;
    await pool.release('a');
    expect(pool.removed).toEqual(['a keep']);
    expect(pool.status('a')).toEqual({ state: 'gone', message: 'no environment assigned' });
    expect(pool.events.at(-1)).toBe('a gone: environment released');
  });
});

describe('the warm pool while no class is open', () => {
  it('makes none, and an ended class neither keeps nor refills warm ones', async () => {
    const pool = new MemoryPool(local, 1);
    pool.keepWarm(false);
    pool.start();
    await settle();
    expect(pool.creates).toHaveLength(0);
    expect(await pool.capacity()).toMatchObject({ warm: 0, warmTarget: 0, idle: true });

    // A class opens: the pool fills; a learner takes the warm one; another is made.
    pool.keepWarm(true);
    (await pool.create(1)).finish();
    await pool.waitForWarm(1, 1000);
    await pool.assign('a');
    const refill = await pool.create(2);

    // The class ends: its learner is released, the warm one being made is not kept, nothing new is made.
    pool.keepWarm(false);
    await pool.release('a');
    refill.finish();
    await settle();
    expect(pool.creates).toHaveLength(2);
    expect(pool.envs.size).toBe(0);
    expect(await pool.capacity()).toMatchObject({ assigned: 0, warm: 0, creating: 0, idle: true });
    await pool.close();
  });

  it('removes ready warm ones when the last class ends', async () => {
    const pool = new MemoryPool(local, 2).start();
    (await pool.create(1)).finish();
    (await pool.create(2)).finish();
    await pool.waitForWarm(2, 1000);
    const changes: number[] = [];
    pool.onPoolChange(() => changes.push(pool.envs.size));
    pool.keepWarm(false);
    await settle();
    expect(pool.removed).toEqual(['- all', '- all']);
    expect(changes.at(-1)).toBe(0);
    await pool.close();
  });
});

describe("the learner's language in their sandbox", () => {
  /** A pool with one ready warm environment. */
  async function readyPool(): Promise<MemoryPool> {
    const pool = new MemoryPool(local, 1).start();
    (await pool.create(1)).finish();
    await pool.waitForWarm(1, 1000);
    return pool;
  }
  const written = (pool: MemoryPool) => pool.languages.map((line) => line.replace(/lab-\w+/, 'env'));

  it('heard before the environment comes: written by the hand-out, with the token (no second exec)', async () => {
    const pool = await readyPool();
    await pool.setLanguage('a', 'ko');
    // No record for a learner without an environment: the assigner still sees them as having none.
    expect(pool.status('a').state).toBe('gone');
    expect(pool.languages).toEqual([]);
    await pool.assign('a');
    expect(written(pool)).toEqual(['env ko (hand-out)']);
    await pool.close();
  });

  it('heard once ready: written at once, and again only when it changes (page loads are free)', async () => {
    const pool = await readyPool();
    await pool.assign('a');
    await pool.setLanguage('a', 'ko');
    await pool.setLanguage('a', 'ko');
    await pool.setLanguage('a', 'en');
    await pool.setLanguage('a', 'en');
    expect(written(pool)).toEqual(['env ko', 'env en']);
    await pool.close();
  });

  it('switches in quick succession end in the last one (writes run one after another, each writes the latest)', async () => {
    const pool = await readyPool();
    await pool.assign('a');
    pool.languageWrites = [];
    const release = async () => {
      for (let i = 0; i < 100 && pool.languageWrites!.length < 1; i++) await settle();
      expect(pool.languageWrites).toHaveLength(1);
      pool.languageWrites!.shift()!();
    };
    const first = pool.setLanguage('a', 'ko');
    await release();
    await first;
    // en, then ko again while en is being written: ko is written after it, never before.
    const english = pool.setLanguage('a', 'en');
    await settle();
    const korean = pool.setLanguage('a', 'ko');
    await settle();
    expect(pool.languageWrites).toHaveLength(1);
    await release();
    await english;
    await release();
    await korean;
    // Both asked before the first write began: one write, of the last.
    const quick = [pool.setLanguage('a', 'en'), pool.setLanguage('a', 'ko'), pool.setLanguage('a', 'en')];
    await release();
    await Promise.all(quick);
    expect(written(pool)).toEqual(['env ko', 'env en', 'env ko', 'env en']);
    await pool.close();
  });

  it('a switch during the hand-out is written after it', async () => {
    const pool = await readyPool();
    await pool.setLanguage('a', 'ko');
    pool.handOvers = [];
    const assigned = pool.assign('a');
    for (let i = 0; i < 100 && pool.handOvers.length < 1; i++) await settle();
    await pool.setLanguage('a', 'en');
    pool.handOvers.shift()!();
    await assigned;
    expect(written(pool)).toEqual(['env ko (hand-out)', 'env en']);
    await pool.close();
  });

  it('a new environment (recreate) gets the language again', async () => {
    const pool = await readyPool();
    await pool.setLanguage('a', 'ko');
    await pool.assign('a');
    const first = pool.environmentOf('a');
    const recreated = pool.recreate('a');
    (await pool.create(2)).finish();
    await recreated;
    expect(pool.environmentOf('a')).not.toBe(first);
    expect(pool.languages).toEqual([`${first} ko (hand-out)`, `${pool.environmentOf('a')} ko (hand-out)`]);
    await pool.close();
  });

  it('refuses anything but a course language, before any write', async () => {
    const pool = await readyPool();
    await pool.assign('a');
    for (const hostile of ['fr', 'ko; touch /tmp/x', '$(id)', 'ko\nen', '', 'KO']) {
      await expect(pool.setLanguage('a', hostile as Language)).rejects.toThrow(/not a language of this course/);
    }
    expect(pool.languages).toEqual([]);
    await pool.close();
  });

  it('release forgets the language', async () => {
    const pool = await readyPool();
    await pool.setLanguage('a', 'ko');
    await pool.assign('a');
    await pool.release('a');
    pool.setWarm(1);
    (await pool.create(2)).finish();
    await pool.waitForWarm(1, 1000);
    await pool.assign('a');
    expect(pool.languages).toHaveLength(1);
    await pool.close();
  });
});

describe('freezing an idle environment', () => {
  async function assignedPool(): Promise<{ pool: MemoryPool; env: string }> {
    const pool = new MemoryPool(local, 1).start();
    (await pool.create(1)).finish();
    await pool.waitForWarm(1, 1000);
    await pool.assign('a');
    pool.events.length = 0;
    return { pool, env: pool.environmentOf('a')! };
  }

  it('says frozen, hands out no kubeconfig or shell meanwhile, and counts it in capacity', async () => {
    const { pool, env } = await assignedPool();
    expect(await pool.freeze('a', 'paused after 5 min')).toBe(true);
    expect(pool.freezes).toEqual([`freeze ${env}`]);
    expect(pool.status('a')).toEqual({ state: 'frozen', message: 'paused after 5 min' });
    expect(pool.kubeconfig('a')).toBeUndefined();
    expect(pool.shell('a')).toBeUndefined();
    const capacity = await pool.capacity();
    expect(capacity.frozen).toBe(1);
    expect(pool.frozenCount).toBe(1);
    expect(capacity.message).toMatch(/^1 assigned \(1 frozen\)/);
    await pool.close();
  });

  it('wake thaws once however many ask at once, and the environment is usable only after the thaw', async () => {
    const { pool, env } = await assignedPool();
    await pool.freeze('a', 'paused');
    pool.thaws = [];
    const wakes = [pool.wake('a'), pool.wake('a'), pool.assign('a')];
    await settle();
    // The thaw has not finished: still frozen, nothing to grade with.
    expect(pool.status('a').state).toBe('frozen');
    expect(pool.kubeconfig('a')).toBeUndefined();
    expect(pool.thaws).toHaveLength(1);
    pool.thaws[0]!.finish();
    await Promise.all(wakes);
    expect(pool.freezes).toEqual([`freeze ${env}`, `thaw ${env}`]);
    expect(pool.status('a').state).toBe('ready');
    expect(pool.kubeconfig('a')).toBe(`/kubeconfigs/${env}`);
    // assign on a frozen environment woke it: the same environment, no new one made.
    expect(pool.environmentOf('a')).toBe(env);
    expect(pool.events).toEqual(['a frozen: paused', 'a ready: ready (cluster lab-x)']);
    await pool.close();
  });

  it('a language heard while frozen (the page that wakes it) is written once it is thawed', async () => {
    const { pool, env } = await assignedPool();
    await pool.freeze('a', 'paused');
    await pool.setLanguage('a', 'ko');
    expect(pool.languages).toEqual([]);
    await pool.wake('a');
    expect(pool.languages).toEqual([`${env} ko`]);
    await pool.close();
  });

  it('a wake on an environment that is not frozen does nothing but note the activity', async () => {
    const { pool } = await assignedPool();
    const record = pool.learners.get('a')!;
    record.lastActive = 0;
    await pool.wake('a');
    expect(record.lastActive).toBeGreaterThan(0);
    await pool.wake('nobody');
    expect(pool.freezes).toEqual([]);
    await pool.close();
  });

  it('does not freeze when the learner came back meanwhile, nor an environment that is not ready', async () => {
    const { pool } = await assignedPool();
    expect(await pool.freeze('a', 'paused', () => false)).toBe(false);
    expect(await pool.freeze('b', 'paused')).toBe(false);
    await pool.freeze('a', 'paused');
    expect(await pool.freeze('a', 'paused again')).toBe(false);
    expect(pool.freezes).toHaveLength(1);
    await pool.close();
  });

  it('a thaw that fails turns the learner to error (recreate repairs it)', async () => {
    const { pool, env } = await assignedPool();
    await pool.freeze('a', 'paused');
    pool.thaws = [];
    const wake = pool.wake('a');
    await settle();
    pool.thaws[0]!.fail('node not Ready');
    await expect(wake).rejects.toThrow('node not Ready');
    expect(pool.status('a')).toEqual({ state: 'error', message: `could not resume ${env}: node not Ready; recreate it (the files in the home folder are kept)` });
    await pool.close();
  });
});
