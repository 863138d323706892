// The local provider's idle round (every idleRoundEveryMs): a learner's environment nobody used
// for a while is frozen (node and sandbox paused, their memory kept; the learner's next sign
// thaws it) and, much later, reclaimed (cluster and sandbox go, the home and assignment stay,
// and reloading the page brings a new environment). The last sign is the latest of a keystroke
// or output in their tmux session and what the pool saw (assign, shell, wake); an open page
// keeps it as it is. Without the server's word on open pages (benches, tests), an attached tmux
// client counts as one.
import type { DockerSandboxes } from './docker-sandbox.ts';
import { idleAction, sayDuration } from './idle-schedule.ts';
import type { LocalPool } from './local-records.ts';

export async function idleRound(pool: LocalPool, sandboxes: DockerSandboxes, waits: { freezeMs: number; reclaimMs: number }): Promise<void> {
  const now = Date.now();
  for (const [learner, record] of pool.learners.all()) {
    const env = record.env;
    const frozen = pool.frozen(record);
    if (!env || !(frozen || pool.usable(record))) continue;
    const present = pool.presentNow(learner);
    // A frozen sandbox answers no exec: what it saw last is what it saw before the freeze.
    const seen = frozen ? undefined : await sandboxes.activity(env.name);
    if (seen) {
      if (present === undefined && seen.attached > 0) record.lastActive = now;
      else if (seen.lastSeconds > 0) record.lastActive = Math.max(record.lastActive, seen.lastSeconds * 1000);
    }
    const action = idleAction({ now, lastActive: record.lastActive, present: present ?? false, frozen, ...waits });
    const quiet = (ms: number) => () => !pool.presentNow(learner) && Date.now() - record.lastActive >= ms;
    if (action === 'freeze') {
      await pool.freeze(learner, `paused after ${sayDuration(waits.freezeMs)} without activity; it resumes when the learner opens a page or types`, quiet(waits.freezeMs));
    } else if (action === 'reclaim') {
      await pool.learners.serial(learner, async () => {
        if (record.env !== env || !quiet(waits.reclaimMs)()) return;
        record.env = undefined;
        await pool.remove(env, true);
        pool.learners.setStatus(learner, 'gone', `reclaimed after ${sayDuration(waits.reclaimMs)} without activity; your files are kept: reload the page for a new environment`);
      });
      pool.replenish();
    }
  }
}
