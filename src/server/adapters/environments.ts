// The one place the web server reaches src/environments for the learner cluster's status
// (the header's cluster pill, GET /api/cluster).
import { kindProvider, type ClusterState } from '../../environments/kind-provider.ts';
import type { ClusterStatus } from '../../contract/cluster.ts';

export type EnvironmentsAdapter = {
  status(): Promise<ClusterStatus>;
};

const STATES: Record<ClusterState, ClusterStatus['state']> = {
  ready: 'running',
  none: 'not-created',
  building: 'creating',
  creating: 'creating',
  error: 'error',
};

/** Every open tab polls; a status costs a `docker inspect` and an API call, so share it for a few seconds. */
const CACHE_MS = 4000;

export function createEnvironmentsAdapter(): EnvironmentsAdapter {
  let cached: { at: number; value: Promise<ClusterStatus> } | undefined;
  return {
    status() {
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        const value = kindProvider.status().then((status) => ({ name: status.name, state: STATES[status.state], detail: status.message, progress: status.progress }));
        cached = { at: Date.now(), value };
        value.catch(() => (cached = undefined));
      }
      return cached.value;
    },
  };
}
