// Done / in progress / not started, from a lab's progress: one rule for the lesson pages, the
// course index and `labs list`. A leaf module (no database), so pages can import it.
import type { LabProgress } from './progress-store.ts';

export type LabStatus = 'done' | 'in-progress' | 'not-started';

/** Done once a lab has passed (a later failed attempt does not undo it); in progress once tried. */
export function labStatus(progress: LabProgress | undefined): LabStatus {
  if (progress?.firstPassedAt) return 'done';
  return progress && progress.attempts > 0 ? 'in-progress' : 'not-started';
}

/** A lesson is done when all its labs are, in progress when any was tried. */
export function lessonStatus(labs: LabStatus[]): LabStatus | undefined {
  if (labs.length === 0) return undefined;
  if (labs.every((s) => s === 'done')) return 'done';
  return labs.some((s) => s !== 'not-started') ? 'in-progress' : 'not-started';
}
