// Classroom environments on this machine (src/environments/classroom/local.ts): cold create time
// of one learner environment (kind cluster on its own network + sandbox), assign-from-pool time
// p50/p95, memory and idle CPU of one environment, and how many fit here. Records the measured
// memory for the provider's capacity figures. Removes everything it made (its own pool name).
// Then it freezes that environment (issue #24): its CPU and memory while frozen, and the thaw —
// wake() until the node is Ready again — after LABS_BENCH_FREEZE_S (default 45: past the kubelet's
// 30-s runtime check), LABS_BENCH_THAWS times (default 3).
// Usage: node bench/classroom-environments.ts   (LABS_BENCH_SAMPLES: pool hand-outs, default 5)
import { cpus } from 'node:os';
import { availableMemoryMiB } from '../src/environments/classroom/capacity.ts';
import { LocalLearnerEnvironments } from '../src/environments/classroom/local.ts';
import { sleep } from '../src/base/exec.ts';

const samples = Math.max(2, Number(process.env.LABS_BENCH_SAMPLES ?? 5));
const thaws = Math.max(1, Number(process.env.LABS_BENCH_THAWS ?? 3));
const freezeSeconds = Math.max(1, Number(process.env.LABS_BENCH_FREEZE_S ?? 45));
const goals = { memoryMiB: 700, assignMs: 2000, idleCpu: 0.08, thawMs: 1000 };
const pool = `bench-${Math.random().toString(36).slice(2, 8)}`;
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(46)} ${value.padStart(12)}  ${note}`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function main(): Promise<void> {
  console.log(`Classroom environments (${cpus().length} cores, ${Math.round(availableMemoryMiB())} MiB available; goals: memory <= ${goals.memoryMiB} MB, assign from pool < ${goals.assignMs} ms)\n`);
  const environments = await LocalLearnerEnvironments.open({ pool, warm: 0, idleMs: 0, freezeMs: 0, log: (l) => process.env.LABS_VERBOSE && console.error(l) });
  const learners: string[] = [];
  try {
    let started = Date.now();
    await environments.prepare();
    line('prepare (images, node image, sandbox image)', `${((Date.now() - started) / 1000).toFixed(1)} s`, 'cached: a no-op in seconds');

    started = Date.now();
    learners.push('bench:cold');
    await environments.assign('bench:cold');
    line('cold create of one environment', `${((Date.now() - started) / 1000).toFixed(1)} s`, 'cluster on its own network + sandbox, node Ready');

    // Idle figures once the cluster has settled; recorded as this machine's figures for capacity.
    await sleep(60_000);
    const idle = await environments.measure('bench:cold');
    line('memory of one idle environment', `${idle.totalMiB.toFixed(0)} MiB`, `node ${idle.nodeMiB.toFixed(0)} + sandbox ${idle.sandboxMiB.toFixed(1)}; goal <= ${goals.memoryMiB} MB (${(idle.totalMiB * 1.048576).toFixed(0)} MB)`);
    line('idle CPU of one environment', `${(idle.cpu * 100).toFixed(1)} %`, `of one core, mean of 5 docker stats samples; ${(idle.cpu / goals.idleCpu).toFixed(2)}× goal (${goals.idleCpu * 100} %)`);

    const thawMs: number[] = [];
    let frozen = { cpu: NaN, mib: NaN };
    for (let i = 0; i < thaws; i++) {
      if (!(await environments.freeze('bench:cold', 'paused by the bench'))) throw new Error('the environment could not be frozen');
      await sleep(freezeSeconds * 1000);
      if (i === 0) {
        const f = await environments.usage('bench:cold', 3);
        frozen = { cpu: f.cpu, mib: f.totalMiB };
      }
      started = Date.now();
      await environments.wake('bench:cold');
      thawMs.push(Date.now() - started);
      await sleep(5000);
    }
    line('CPU of a frozen environment', `${(frozen.cpu * 100).toFixed(2)} %`, 'of one core (docker stats)');
    line('memory of a frozen environment', `${frozen.mib.toFixed(0)} MiB`, 'kept: it counts toward memory, not CPU');
    line(`thaw after ${freezeSeconds} s frozen, p50`, `${percentile(thawMs, 50)} ms`, `n=${thaws}: ${thawMs.join(', ')} ms (unpause, kubelet started, lease renewed, node Ready, controller manager thawed)`);
    line(`thaw after ${freezeSeconds} s frozen, p95`, `${percentile(thawMs, 95)} ms`, `${(percentile(thawMs, 95) / goals.thawMs).toFixed(2)}× goal (${goals.thawMs} ms)`);

    environments.setWarm(samples);
    started = Date.now();
    await environments.waitForWarm(samples, samples * 300_000);
    line(`filling a warm pool of ${samples}`, `${((Date.now() - started) / 1000).toFixed(0)} s`, `${((Date.now() - started) / 1000 / samples).toFixed(0)} s each, one at a time`);
    environments.setWarm(0); // hand the warm ones out without refilling meanwhile
    const assignMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const learner = `bench:${i}`;
      learners.push(learner);
      started = Date.now();
      await environments.assign(learner);
      assignMs.push(Date.now() - started);
    }
    line('assign from the warm pool, p50', `${percentile(assignMs, 50)} ms`, `n=${samples}: ${assignMs.join(', ')} ms`);
    line('assign from the warm pool, p95', `${percentile(assignMs, 95)} ms`, `goal < ${goals.assignMs} ms`);

    const capacity = await environments.capacity();
    const inUse = capacity.assigned + capacity.warm + capacity.creating;
    line('environments that fit here', `${inUse + capacity.fit}`, `${inUse} running + ${capacity.fit} more; limited by ${capacity.limitMessage}`);
    const byMemory = inUse + Math.floor((capacity.availableMiB - capacity.reserveMiB) / capacity.environmentMiB);
    line('  by memory alone', `${byMemory}`, `${capacity.availableMiB} MiB free, ${capacity.environmentMiB} MiB each, ${capacity.reserveMiB} MiB reserve`);
  } finally {
    for (const learner of learners) await environments.release(learner).catch((e: unknown) => console.error(`release ${learner}: ${(e as Error).message}`));
    await environments.close({ removeWarm: true });
  }
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exit(1);
});
