// The grading library's public surface. Web server, CLI, dashboard and tests import from here.
export { verifyLab, runChecks, loadChecks, type VerifyOptions } from './verify.ts';
export type { CheckResult, LabResult } from './result.ts';
export { GraderError, LabNotFoundError, LabDefinitionError, ClusterError, NoKubeconfigError } from './errors.ts';
export { connect, KubeReader } from './kube.ts';
export { loadKubeConfig, resolveKubeconfig, type ClusterOptions } from './cluster-choice.ts';
export { loadCredentials, type Credentials } from './credentials.ts';
export { CheckContext, type KubeObject } from './context.ts';
export {
  defineChecks, pass, fail, find, missing, resource, absentResource, condition, containerStatus, event, endpoints,
  endpointState, helmRelease, customResource, all, restartedByLiveness, neverRestarted, probeFailed, heldOffByStartup, rolledOut,
  type Assertion, type LabChecks, type Outcome, type Subject,
} from './assertions.ts';
export { atLeast, atMost, oneOf, not, includes, matches, absent, present, sameText, matcher, findMismatch } from './match.ts';
export { releaseHistory, latestRevision, effectiveValue, valueAt, decodeReleaseData, type HelmRelease } from './helm.ts';
export {
  probeFailures, rolloutOf, syncRecord, shortRevision, failureThreshold, containerEvents, type ProbeKind, type ContainerSpec,
} from './record.ts';
export { kinds, readRules, type KindName } from './kinds.ts';
export { type NearMiss } from './near-miss.ts';
export { listLabs, findLab, labsForLesson, labFiles, type Lab } from './catalog.ts';
