// Durations of slow offline builds, recorded so the benchmark can report the cold build time
// after the fact (a cold build happens once per machine).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../base/paths.ts';

export type Timings = {
  imagesColdSeconds?: number;
  imagesColdAt?: string;
  /** Memory of one idle classroom environment (kind node + sandbox), MiB, as last measured here. */
  classroomEnvironmentMiB?: number;
  /** CPU one idle classroom environment keeps busy (cores), as last measured here. */
  classroomEnvironmentCpu?: number;
  classroomEnvironmentAt?: string;
};

const file = () => join(cacheDir(), 'timings.json');

export function readTimings(): Timings {
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as Timings;
  } catch {
    return {};
  }
}

export function recordTimings(update: Timings): void {
  mkdirSync(dirname(file()), { recursive: true });
  writeFileSync(file(), JSON.stringify({ ...readTimings(), ...update }, null, 2) + '\n');
}
