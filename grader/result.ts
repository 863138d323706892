// The one result shape behind every door: the Check button, `labs verify`, the cohort
// dashboard and CI's solution bots all receive exactly these objects (see DESIGN.md).
import type { NearMiss } from './near-miss.ts';

export type CheckResult = {
  id: string;
  title: string;
  passed: boolean;
  /** Points earned: the task's points when passed, 0 otherwise. */
  points: number;
  expected?: string;
  observed?: string;
  hint?: string;
  /** What a failing check gathered: events, describe lines, container logs. */
  diagnostics?: string[];
  /** What the task looks for exists elsewhere (another namespace, kind, name or container); `observed` says so. */
  nearMiss?: NearMiss;
};

export type LabResult = {
  lab: string;
  passed: boolean;
  score: number;
  maxScore: number;
  checks: CheckResult[];
  startedAt: string;
  durationMs: number;
};
