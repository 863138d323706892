// `labs` start-up and `labs verify` wall time per lab on a solved, warm cluster, beside kubectl's
// as the baseline (the same machine, the same moment: runs are interleaved, so a loaded machine
// slows both alike and the ratios stay meaningful). Goals: `labs --help` and `labs list` within
// 2× `kubectl get pods`; `labs verify` p95 ≤ 300 ms on every lab.
//   start-up   — kubectl get pods, labs --help, labs list: p50/p95, CPU, ratio to kubectl
//   per lab    — cli: `bin/labs verify <n> --json` as a process (node start, imports, kubeconfig,
//                reads); kubectl: `kubectl get pods -n <lab namespace> -o json`; in-process:
//                verifyLab() with a kept connection, as the web server's Check button runs it
// Usage: node bench/verify.ts [--runs 20] [--labs 1,2,3] [--solve] [--kubeconfig <file>] [--kubectl <path>] [--bin <labs>]
//   (default: every lab, 1–8; lab 8 needs Argo CD in the cluster: labs addon argocd)
//   --solve  run a lab's solve.sh first when it does not pass yet
//   --bin    the `labs` to time (default: this checkout's bin/labs; e.g. another checkout's, to compare)
// kubectl: --kubectl, else the platform's toolchain (~/.cache/kubernetes-labs/bin/kubectl); without
// one the baseline columns say so and the rest runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, listLabs, verifyLab } from '../grader/index.ts';
import { solveLab } from '../labs/lifecycle.ts';
import { resolveKubeconfig } from '../grader/cluster-choice.ts';
import { toolchainBinDir } from '../src/base/paths.ts';

const GOAL_MS = 300;
const STARTUP_GOAL_RATIO = 2;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    labs: { type: 'string', default: '1,2,3,4,5,6,7,8' },
    solve: { type: 'boolean', default: false },
    kubeconfig: { type: 'string' },
    kubectl: { type: 'string' },
    bin: { type: 'string' },
  },
});
const runs = Number(values.runs);
const kubeconfig = resolveKubeconfig(values.kubeconfig ?? process.env.LABS_KUBECONFIG);
if (!kubeconfig) throw new Error('no kubeconfig: pass --kubeconfig or set LABS_KUBECONFIG');
const bin = values.bin ?? join(import.meta.dirname, '..', 'bin', 'labs');
const wanted = new Set(values.labs.split(',').map((n) => Number(n)));
const kubectl = values.kubectl ?? join(toolchainBinDir(), 'kubectl');
const haveKubectl = existsSync(kubectl);

const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (n: number | undefined) => (n === undefined ? '    -   ' : `${n.toFixed(0).padStart(5)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '  -  ' : `${(a / b).toFixed(2)}×`);
const load = () => loadavg().map((n) => n.toFixed(1)).join(' ');

type Samples = { wall: number[]; cpu: number[] };
const samples = (): Samples => ({ wall: [], cpu: [] });

/** One run of a command; /usr/bin/time adds its CPU time (on a loaded machine wall time measures the queue as much as the program). */
function timed(into: Samples, command: string, args: string[], okCodes = [0, 1]): void {
  const useTime = existsSync('/usr/bin/time');
  const start = performance.now();
  const child = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', command, ...args], { encoding: 'utf8' })
    : spawnSync(command, args, { encoding: 'utf8' });
  into.wall.push(performance.now() - start);
  if (!okCodes.includes(child.status ?? -1)) throw new Error(`${command} ${args.join(' ')}: exit ${child.status}: ${child.stderr.trim().split('\n').at(-2) ?? ''}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(child.stderr);
  if (cpu) into.cpu.push((Number(cpu[1]) + Number(cpu[2])) * 1000);
}
const p50 = (s: Samples | undefined) => (s?.wall.length ? percentile(s.wall, 50) : undefined);
const p95 = (s: Samples | undefined) => (s?.wall.length ? percentile(s.wall, 95) : undefined);
const cpu50 = (s: Samples | undefined) => (s?.cpu.length ? percentile(s.cpu, 50) : undefined);

const cluster = await connect({ kubeconfig });
const labs = (await listLabs()).filter((l) => wanted.has(l.number));
console.log(`labs start-up and verify timing, ${runs} runs each, cluster ${cluster.server}, labs ${bin}`);
console.log(`kubectl baseline: ${haveKubectl ? kubectl : `none (${kubectl} is missing: build the toolchain, or pass --kubectl <path>)`}`);
console.log(`load average ${load()} at the start (runs are interleaved: the ratios compare like with like)`);

// Start-up: the commands that need no cluster, beside kubectl reading one.
const firstNamespace = labs[0]?.namespace ?? 'default';
const startup = { kubectl: samples(), help: samples(), list: samples() };
for (let i = 0; i < runs; i++) {
  if (haveKubectl) timed(startup.kubectl, kubectl, ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', firstNamespace]);
  timed(startup.help, bin, ['--help']);
  timed(startup.list, bin, ['list']);
}
const base = haveKubectl ? startup.kubectl : undefined;
console.log('');
console.log(`start-up                       p50       p95       cpu p50   p50/kubectl  p95/kubectl  (goal ≤ ${STARTUP_GOAL_RATIO}×)`);
for (const [name, s] of [[`kubectl get pods -n ${firstNamespace}`, base], ['labs --help', startup.help], ['labs list', startup.list]] as const) {
  console.log(`${name.padEnd(30)} ${ms(p50(s))} ${ms(p95(s))}  ${ms(cpu50(s))}  ${ratio(p50(s), p50(base)).padStart(9)}    ${ratio(p95(s), p95(base)).padStart(9)}`);
}

console.log('');
console.log(`per lab (goal: cli p95 ≤ ${GOAL_MS} ms)`);
console.log('lab                       passed  cli p50   cli p95   cli cpu p50  kubectl p50  kubectl p95  cli/kubectl p95  in-proc p50  in-proc p95  cli p95/goal  load');
for (const lab of labs) {
  let warm = await verifyLab(lab.id, { cluster });
  if (!warm.passed && values.solve) {
    await solveLab(lab.id, { kubeconfig });
    warm = await verifyLab(lab.id, { cluster, waitSeconds: 120 });
  }
  const cli = samples();
  const get = samples();
  for (let i = 0; i < runs; i++) {
    timed(cli, bin, ['verify', String(lab.number), '--json', '--kubeconfig', kubeconfig]);
    if (haveKubectl) timed(get, kubectl, ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', lab.namespace, '-o', 'json']);
  }
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await verifyLab(lab.id, { cluster });
    inProcess.push(performance.now() - start);
  }
  const getSamples = haveKubectl ? get : undefined;
  console.log(
    `${lab.id.padEnd(25)} ${String(warm.passed).padEnd(6)} ${ms(p50(cli))} ${ms(p95(cli))}   ${ms(cpu50(cli))}     ${ms(p50(getSamples))}     ${ms(p95(getSamples))}     ${ratio(p95(cli), p95(getSamples)).padStart(9)}       ${ms(percentile(inProcess, 50))}     ${ms(percentile(inProcess, 95))}     ${(p95(cli)! / GOAL_MS).toFixed(2).padEnd(12)}  ${load()}`,
  );
}
console.log('');
console.log(`load average ${load()} at the end`);
