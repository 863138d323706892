// verifyLab: the one function behind the Check button, `labs verify`, the dashboard's grading and
// CI's solution bots. It reads the cluster (read-only) and returns a LabResult.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findLab, labFiles, type Lab } from './catalog.ts';
import type { LabTask } from './lab-schema.ts';
import type { Assertion, LabChecks, Outcome } from './assertions.ts';
import { bundledChecks } from './bundled-checks.ts';
import { CheckContext } from './context.ts';
import { gatherDiagnostics } from './diagnostics.ts';
import { GraderError, LabDefinitionError } from './errors.ts';
import type { NearMiss } from './near-miss.ts';
import type { ClusterOptions } from './cluster-choice.ts';
import { connect, type KubeReader } from './kube.ts';
import type { CheckResult, LabResult } from './result.ts';

export type VerifyOptions = ClusterOptions & {
  /** Time-dependent checks wait up to this long (one deadline for the whole verify). 0: report the current state. */
  waitSeconds?: number;
  /** A check is about to run (for live progress). */
  onCheckStart?: (task: LabTask, index: number, total: number) => void;
  /** A check resolved. */
  onCheck?: (check: CheckResult, index: number, total: number) => void;
  /** Reuse an existing connection (the web server keeps one per learner cluster). */
  cluster?: KubeReader;
  /** false: no describe lines or logs for failing tasks (a caller that reads only outcomes, e.g. reset's strays). */
  diagnostics?: boolean;
};

const shown = (path: string) => relative(process.cwd(), path) || path;

/** The lab's check.ts, validated against its lab.yaml tasks. */
export async function loadChecks(lab: Lab): Promise<LabChecks> {
  const file = labFiles(lab).checks;
  if (!existsSync(file)) throw new LabDefinitionError(`${shown(file)}: missing`);
  let module: { default?: unknown; checks?: unknown };
  try {
    const bundled = bundledChecks[file];
    module = (await (bundled ? bundled() : import(pathToFileURL(file).href))) as typeof module;
  } catch (error) {
    throw new LabDefinitionError(`${shown(file)}: cannot be loaded: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  }
  const checks = (module.default ?? module.checks) as Record<string, unknown> | undefined;
  if (!checks || typeof checks !== 'object') {
    throw new LabDefinitionError(`${shown(file)}: must export default defineChecks({ <task id>: assertion, … })`);
  }
  for (const [index, task] of lab.tasks.entries()) {
    if (typeof checks[task.id] !== 'function') {
      throw new LabDefinitionError(`${shown(file)}: no check for task "${task.id}" (lab.yaml tasks[${index}])`);
    }
  }
  const extra = Object.keys(checks).find((id) => !lab.tasks.some((task) => task.id === id));
  if (extra) throw new LabDefinitionError(`${shown(file)}: check "${extra}" has no task in lab.yaml`);
  return checks as LabChecks;
}

async function evaluate(lab: Lab, task: LabTask, assertion: Assertion, ctx: CheckContext): Promise<Outcome> {
  try {
    return await assertion(ctx);
  } catch (error) {
    if (error instanceof GraderError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LabDefinitionError(`${shown(labFiles(lab).checks)}: check "${task.id}" failed to run: ${message}`);
  }
}

/** A near miss worth saying: not another object this lab itself looks for (nginx-2 is no misnamed nginx-1). */
function nearMissToSay(outcome: Outcome, sought: ReadonlySet<string>): NearMiss | undefined {
  const miss = outcome.nearMiss;
  if (!miss || (miss.differs !== 'namespace' && miss.differs !== 'container' && sought.has(`${miss.kind}/${miss.names[0]}`))) return undefined;
  return miss;
}

/** Verify a lab by number ("1", "01") or folder name ("01-liveness"). */
export async function verifyLab(ref: string, options: VerifyOptions = {}): Promise<LabResult> {
  const lab = await findLab(ref);
  const checks = await loadChecks(lab);
  const cluster = options.cluster ?? (await connect(options));
  return runChecks(lab, checks, cluster, options);
}

export async function runChecks(lab: Lab, checks: LabChecks, cluster: KubeReader, options: VerifyOptions = {}): Promise<LabResult> {
  const started = Date.now();
  const deadline = started + Math.max(0, options.waitSeconds ?? 0) * 1000;
  const ctx = new CheckContext(cluster, lab.namespace);
  const results: CheckResult[] = [];
  try {
    // A first look at every task, so that what the lab looks for is known before any task names a
    // near miss (lab 02's Service "readiness-http" is no Pod gone astray).
    for (const task of lab.tasks) await evaluate(lab, task, checks[task.id]!, ctx);
    for (const [index, task] of lab.tasks.entries()) {
      options.onCheckStart?.(task, index, lab.tasks.length);
      ctx.beginCheck();
      let outcome = await evaluate(lab, task, checks[task.id]!, ctx);
      while (!outcome.passed && (await ctx.waitForChange(deadline))) {
        outcome = await evaluate(lab, task, checks[task.id]!, ctx);
      }
      const nearMiss = outcome.passed ? undefined : nearMissToSay(outcome, ctx.sought);
      const result: CheckResult = {
        id: task.id,
        title: task.title,
        passed: outcome.passed,
        points: outcome.passed ? task.points : 0,
        ...(outcome.expected !== undefined && { expected: outcome.expected }),
        ...(outcome.observed !== undefined && { observed: outcome.observed }),
        ...(nearMiss && { observed: nearMiss.says, nearMiss }),
      };
      if (!outcome.passed) result.hint = task.hint.trim();
      if (!outcome.passed && options.diagnostics !== false) {
        const subjects = [...(outcome.subjects ?? []), ...(nearMiss && nearMiss.kind !== 'HelmRelease' ? [{ kind: nearMiss.kind, name: nearMiss.names[0]!, namespace: nearMiss.namespace }] : [])];
        const diagnostics = [...(outcome.diagnostics ?? []), ...(await gatherDiagnostics(ctx, subjects))];
        if (diagnostics.length) result.diagnostics = diagnostics;
      }
      results.push(result);
      options.onCheck?.(result, index, lab.tasks.length);
    }
  } finally {
    ctx.close();
  }
  const score = results.reduce((sum, r) => sum + r.points, 0);
  return {
    lab: lab.id,
    passed: results.every((r) => r.passed),
    score,
    maxScore: lab.maxScore,
    checks: results,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
}
