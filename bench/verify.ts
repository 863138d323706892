// `labs verify` wall time per lab on a solved, warm cluster: p50/p95 over N runs, against the
// 300 ms goal. Two figures per lab:
//   cli        — `bin/labs verify <n> --json` as a process (node start, imports, kubeconfig, reads)
//   in-process — verifyLab() with a kept connection, as the web server's Check button runs it
// Usage: node bench/verify.ts [--runs 20] [--labs 1,2,3] [--solve] [--kubeconfig <file>]
//   --solve  run a lab's solve.sh first when it does not pass yet
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, listLabs, verifyLab } from '../grader/index.ts';
import { solveLab } from '../labs/lifecycle.ts';
import { resolveKubeconfig } from '../grader/kube.ts';

const GOAL_MS = 300;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    labs: { type: 'string', default: '1,2,3,4,5,6,7' },
    solve: { type: 'boolean', default: false },
    kubeconfig: { type: 'string' },
  },
});
const runs = Number(values.runs);
const kubeconfig = resolveKubeconfig(values.kubeconfig ?? process.env.LABS_KUBECONFIG);
if (!kubeconfig) throw new Error('no kubeconfig: pass --kubeconfig or set LABS_KUBECONFIG');
const bin = join(import.meta.dirname, '..', 'bin', 'labs');
const wanted = new Set(values.labs.split(',').map((n) => Number(n)));

const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;

const cluster = await connect({ kubeconfig });
console.log(`labs verify timing, ${runs} runs per lab, cluster ${cluster.server} (goal p95 ≤ ${GOAL_MS} ms)`);
console.log(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} on this machine while measuring`);
console.log('lab                       passed  cli p50   cli p95   cli cpu p50  cli cpu p95  in-proc p50  in-proc p95  cli p95/goal  in-proc p95/goal');
for (const lab of (await listLabs()).filter((l) => wanted.has(l.number))) {
  let warm = await verifyLab(lab.id, { cluster });
  if (!warm.passed && values.solve) {
    await solveLab(lab.id, { kubeconfig });
    warm = await verifyLab(lab.id, { cluster, waitSeconds: 120 });
  }
  const cli: number[] = [];
  const cliCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    // /usr/bin/time reports the process's CPU time: on a shared, loaded machine wall time
    // measures the queue as much as the program.
    const timed = existsSync('/usr/bin/time');
    const args = ['verify', String(lab.number), '--json', '--kubeconfig', kubeconfig];
    const child = timed
      ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', bin, ...args], { encoding: 'utf8' })
      : spawnSync(bin, args, { encoding: 'utf8' });
    cli.push(performance.now() - start);
    if (child.status === 2) throw new Error(`labs verify ${lab.number}: ${child.stderr.trim()}`);
    const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(child.stderr);
    if (cpu) cliCpu.push((Number(cpu[1]) + Number(cpu[2])) * 1000);
  }
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await verifyLab(lab.id, { cluster });
    inProcess.push(performance.now() - start);
  }
  const cliP95 = percentile(cli, 95);
  const procP95 = percentile(inProcess, 95);
  console.log(
    `${lab.id.padEnd(25)} ${String(warm.passed).padEnd(6)} ${ms(percentile(cli, 50))} ${ms(cliP95)}   ${cliCpu.length ? ms(percentile(cliCpu, 50)) : '    -   '}     ${cliCpu.length ? ms(percentile(cliCpu, 95)) : '    -   '}     ${ms(percentile(inProcess, 50))}     ${ms(procP95)}     ${(cliP95 / GOAL_MS).toFixed(2)}          ${(procP95 / GOAL_MS).toFixed(2)}`,
  );
}
