// Errors that stop a verify before any check runs. Each carries one line a person can act on;
// callers print `message` (never a stack) and the CLI exits 2.

export class GraderError extends Error {
  override name = 'GraderError';
}

/** `labs verify 42`, `labs hint nope`: no lab folder matches. */
export class LabNotFoundError extends GraderError {
  override name = 'LabNotFoundError';
}

/** lab.yaml or check.ts is malformed; the message names the file and field. */
export class LabDefinitionError extends GraderError {
  override name = 'LabDefinitionError';
}

/** No kubeconfig, unknown context, unreachable API server, or a forbidden read. */
export class ClusterError extends GraderError {
  override name = 'ClusterError';
}

/** No kubeconfig anywhere (no --kubeconfig, KUBECONFIG, learner cluster or ~/.kube/config). */
export class NoKubeconfigError extends ClusterError {
  override name = 'NoKubeconfigError';
}

/** An error as one line (its cause too), for messages that name what failed. */
export function firstLine(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? error.message : String(error);
  return `${message}${cause}`.split('\n')[0]!;
}
