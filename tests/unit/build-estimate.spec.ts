// How far a cluster build has come and how long it has left (the learner's banner).
import { describe, expect, it } from 'vitest';
import { BUILD_STEPS, BuildEstimator } from '../../src/environments/estimate.ts';
import type { Phase, ProgressEvent } from '../../src/environments/progress.ts';

const at = (minutes: number) => Date.UTC(2026, 0, 1, 10, minutes);
const event = (phase: Phase, message: string): ProgressEvent => ({ phase, message, cluster: 'labs', elapsedMs: 0 });

describe('build estimate', () => {
  it('numbers the steps in order and names the component building now', () => {
    const estimator = new BuildEstimator(at(0));
    estimator.observe(event('docker', 'checking the Docker engine'), at(0));
    estimator.observe(event('toolchain', 'toolchain: building 3 of 14 components: kind kubernetes helm'), at(0));
    const progress = estimator.observe(event('toolchain', '[2/3] building kubernetes v1.34.4 … (log: /x)'), at(1))!;
    expect(progress).toMatchObject({ phase: 'toolchain', step: 2, steps: BUILD_STEPS.length, item: { index: 2, total: 3, name: 'kubernetes' } });
  });

  it('counts down as the build goes on, and never promises zero while a step runs', () => {
    const estimator = new BuildEstimator(at(0));
    estimator.observe(event('toolchain', 'toolchain: building 2 of 14 components: kubernetes helm'), at(0));
    const start = estimator.observe(event('toolchain', '[1/2] building kubernetes v1.34.4 …'), at(0))!.etaSeconds!;
    const later = estimator.observe(event('toolchain', '[1/2]   … kubernetes still building (5m00s)'), at(5))!.etaSeconds!;
    const overdue = estimator.observe(event('toolchain', '[1/2]   … kubernetes still building (30m00s)'), at(30))!.etaSeconds!;
    expect(later).toBeLessThan(start);
    expect(start - later).toBe(300);
    expect(overdue).toBeGreaterThan(0);
    // The rest of the way is still ahead: helm, images, node image, mirror, create.
    expect(overdue).toBeGreaterThan(5 * 60);
  });

  it('knows nothing is left to build when the toolchain is cached, and is done counting at the end', () => {
    const estimator = new BuildEstimator(at(0));
    const cached = estimator.observe(event('toolchain', 'building the offline toolchain (kind/toolchain/build.sh) where not cached'), at(0))!;
    const creating = estimator.observe(event('creating', 'creating cluster "labs"'), at(1))!;
    expect(creating.etaSeconds).toBeLessThan(cached.etaSeconds!);
    expect(creating.etaSeconds).toBeLessThan(60);
    expect(estimator.observe(event('ready', 'cluster "labs" is ready'), at(2))).toBeUndefined();
  });
});
