// What the local provider keeps per environment and per learner, beside the warm pool's fields.
import type { PooledEnvironment, PooledLearner, WarmPool } from './warm-pool.ts';

export type LocalEnv = PooledEnvironment & {
  /** The environment's own bridge network. */
  network: string;
  /** The home volume of its sandbox (once the sandbox runs). */
  home?: string;
};

export type LocalLearner = PooledLearner<LocalEnv> & {
  /** The learner's home volume, once they have one: kept when their environment is reclaimed or replaced. */
  home?: string;
  /** Their node or sandbox container stopped (container-health.ts). */
  unhealthy?: boolean;
};

export type LocalPool = WarmPool<LocalEnv, LocalLearner>;
