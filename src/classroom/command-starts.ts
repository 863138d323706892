// A learner's command in a lab's namespace starts that lab (issue #21). The command lines come
// from their shell's marks (src/terminal/shell-marks.ts) with the owner of the shell they came
// from: the learner is the session's, so a forged mark can only start the forger's own labs,
// at the time the server received it. A flood of marks costs a few lines each: at most
// MARKS_PER_WINDOW per learner are looked at in each window, the rest are ignored.
import { labsNamedBy } from './command-namespaces.ts';
import { learnerIdOf } from './learner-key.ts';
import { RateLimiter } from './rate-limit.ts';
import type { ProgressStore } from '../store/progress-store.ts';

export const MARKS_PER_WINDOW = 30;
const WINDOW_MS = 10_000;

type LabNamespaces = { id: string; namespaces: readonly string[] };

export type CommandStartsDeps = {
  store: Pick<ProgressStore, 'commandStarted'>;
  /** Every lab with its namespaces (asked at each mark looked at: the classroom's LabCatalog keeps them). */
  labs: () => Promise<LabNamespaces[]>;
  /** A learner ('learner:<id>') started a lab: their dashboards should hear of it. */
  started: (learner: string, lab: string) => void;
  log?: (line: string) => void;
  now?: () => number;
};

/** Returns the handler for (shell owner, command line); anything not a classroom learner's is ignored. */
export function commandStarts(deps: CommandStartsDeps): (owner: string, line: string) => Promise<void> {
  const now = deps.now ?? Date.now;
  const limiter = new RateLimiter(MARKS_PER_WINDOW, WINDOW_MS);

  return async (owner, line) => {
    if (learnerIdOf(owner) === undefined) return;
    const at = now();
    if (limiter.take(owner, at) > 0) return;
    try {
      for (const lab of labsNamedBy(line, await deps.labs())) {
        if (deps.store.commandStarted(owner, lab, new Date(at).toISOString())) deps.started(owner, lab);
      }
    } catch (error) {
      deps.log?.(`classroom: a command of ${owner}: ${(error as Error).message}`);
    }
  };
}
