// When a learner has *started* a lab: they pressed Check for it (the button or `labs verify`), or
// a graded result of it saw something of theirs. A leaf module (no database), shared by the store
// (which records the first touch) and its migration.
//
// What the grader reports for a lab nobody touched (results of `labs verify <n> --json` on an
// empty cluster, kept in tests/unit/testdata/classroom/): every task fails, and what it observed is
// the absence of the lab's objects —
//   not found; namespace "liveness" has no Pods          (grader/assertions.ts notFound)
//   the cluster does not serve Application (is its CRD installed?)
//   no release "myapp" there                            (helmRelease, no other release there)
//   no Service "readiness-http" in namespace "readiness" (endpoints)
//   no Application "custom-nginx" in namespace "argocd"  (lab 08's own checks)
// — or it passes only because something is absent (absentResource: "none found"). Anything else
// a task observed is an object of the learner's: a Pod of another name in the lab's namespace
// ("not found; Pods there: …"), a probe, a restart count, a release of another name.
import type { CheckResult } from '../../grader/result.ts';

const NOTHING_THERE: readonly RegExp[] = [
  /^not found; namespace "[^"]*" has no \w+$/,
  /^the cluster does not serve \w+/,
  /^no release "[^"]*" there$/,
  /^no [A-Z]\w* "[^"]*"( in namespace "[^"]*")?$/,
];

/** A task's observation says only that the lab's objects are not there. */
export function observedNothing(observed: string | undefined): boolean {
  if (observed === undefined || observed.trim() === '') return true;
  return NOTHING_THERE.some((pattern) => pattern.test(observed.trim()));
}

/** A passed task that saw an object (not one that passed because something is absent: "none found"). */
const passedOnSomething = (observed: string | undefined): boolean =>
  observed === undefined || observed.split('; ').some((part) => part.trim() !== 'none found');

/** Some task of this result observed an object of the learner's: they started the lab. */
export function touchesLab(result: { checks: Pick<CheckResult, 'passed' | 'observed'>[] }): boolean {
  return result.checks.some((check) => (check.passed ? passedOnSomething(check.observed) : !observedNothing(check.observed)));
}

/** A result marks the lab started: a Check the learner pressed, or a result that saw their work. */
export const startsLab = (result: { checks: Pick<CheckResult, 'passed' | 'observed'>[] }, source: 'check' | 'auto'): boolean =>
  source === 'check' || touchesLab(result);
