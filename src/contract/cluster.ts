// What GET /api/cluster answers and the pages show about the learner cluster: the server builds
// it (src/server/adapters/environments.ts), the browser reads it (src/components/cluster-state.ts).

/** How far a cluster build has come (src/environments/estimate.ts fills it in). */
export type BuildProgress<Phase extends string = string> = {
  phase: Phase;
  /** 1-based position of `phase` in the build's steps, and their count. */
  step: number;
  steps: number;
  startedAt: string;
  phaseStartedAt: string;
  /** Within the toolchain step: the component being built (1-based) of those to build. */
  item?: { index: number; total: number; name: string };
  /** About how many seconds are left; undefined when there is nothing to go on. */
  etaSeconds?: number;
};

export type ClusterStatus = {
  name: string;
  /**
   * running | paused | not-created | creating | error. 'paused': a classroom learner's cluster
   * frozen while nobody used it (no CPU); it is thawed, in about a second, by their next action.
   */
  state: 'running' | 'paused' | 'not-created' | 'creating' | 'error';
  /** One line for people, from the provider (what is happening, or what to do). */
  detail?: string;
  /** While creating: step, component and about how long is left (the page's banner). */
  progress?: BuildProgress;
};
