// The one place the web server reaches src/environments for the learner cluster's status
// (the header's cluster pill, GET /api/cluster).
//
// Not wired yet: src/environments has no cluster-status function so far. Wiring is one line:
// return { status: () => <environments' status function>() } mapped to ClusterStatus below.

export type ClusterStatus = {
  name: string;
  /** running | stopped | not-created | creating | error */
  state: string;
  detail?: string;
};

export type EnvironmentsAdapter = {
  status(): Promise<ClusterStatus>;
};

/** undefined means "not available yet": GET /api/cluster answers 503. */
export function createEnvironmentsAdapter(): EnvironmentsAdapter | undefined {
  return undefined;
}
