// A learner's environment nobody used for a while (no keystroke or output in its tmux session,
// no attached terminal, no assign or shell()) is reclaimed on this machine: cluster and sandbox
// go, the learner's home and assignment stay, and reloading the page brings a new environment.
import type { DockerSandboxes } from './docker-sandbox.ts';
import type { LocalPool } from './local-records.ts';

export async function reclaimIdle(pool: LocalPool, sandboxes: DockerSandboxes, idleMs: number): Promise<void> {
  const now = Date.now();
  for (const [learner, record] of pool.learners.all()) {
    const env = record.env;
    if (!env || !pool.usable(record)) continue;
    const seen = await sandboxes.activity(env.name);
    if (seen) {
      if (seen.attached > 0) record.lastActive = now;
      else if (seen.lastSeconds > 0) record.lastActive = Math.max(record.lastActive, seen.lastSeconds * 1000);
    }
    if (now - record.lastActive < idleMs) continue;
    await pool.learners.serial(learner, async () => {
      if (record.env !== env || Date.now() - record.lastActive < idleMs) return;
      record.env = undefined;
      await pool.remove(env, true);
      const idle = idleMs >= 60_000 ? `${Math.round(idleMs / 60_000)} min` : `${Math.round(idleMs / 1000)} s`;
      pool.learners.setStatus(learner, 'gone', `reclaimed after ${idle} without activity; your files are kept: reload the page for a new environment`);
    });
    pool.replenish();
  }
}
