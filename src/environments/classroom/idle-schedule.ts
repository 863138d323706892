// When a learner's environment nobody uses is frozen (its node and sandbox paused: no CPU, the
// memory kept) and when it is reclaimed (removed, the learner's files kept). Both go by the last
// sign of the learner: a keystroke or output in their shell, a page of theirs open, an assign,
// a shell, a Check, the instructor's watch. Pure: the providers' idle rounds act on the answer.

export type IdleFacts = {
  now: number;
  /** The last sign of the learner (ms since the epoch). */
  lastActive: number;
  /** A page of theirs is open now (a terminal attached, a live stream). */
  present: boolean;
  frozen: boolean;
  /** Freeze after this long without a sign (0: never). */
  freezeMs: number;
  /** Reclaim after this long without a sign (0: never). */
  reclaimMs: number;
};

export type IdleAction = 'keep' | 'freeze' | 'reclaim';

export function idleAction(f: IdleFacts): IdleAction {
  if (f.present) return 'keep';
  const idle = f.now - f.lastActive;
  if (f.reclaimMs > 0 && idle >= f.reclaimMs) return 'reclaim';
  if (f.freezeMs > 0 && !f.frozen && idle >= f.freezeMs) return 'freeze';
  return 'keep';
}

/** How often the idle round runs: a quarter of the shortest wait, between 1 s and a minute. */
export function idleRoundEveryMs(freezeMs: number, reclaimMs: number): number | undefined {
  const waits = [freezeMs, reclaimMs].filter((ms) => ms > 0);
  if (waits.length === 0) return undefined;
  return Math.min(60_000, Math.max(1000, Math.floor(Math.min(...waits) / 4)));
}

/** "5 min", "40 s": a wait as people say it. */
export function sayDuration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
