// Where an idle kind cluster's CPU goes (issue #24): every process of its node container, by
// name, over a window — CPU from /proc/<pid>/stat, the container's total from its cgroup (the
// difference is short-lived processes: probes' execs, kubectl runs), memory as docker stats
// counts it and each process's RSS. With --baseline, each figure's ratio to an earlier run.
// Usage: node bench/idle-cluster.ts [--name labs] [--seconds 60] [--json] [--save f.json] [--baseline f.json]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { run, sleep } from '../src/base/exec.ts';
import { containerMemoryMiB } from '../src/environments/classroom/docker-objects.ts';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'labs' }, seconds: { type: 'string', default: '60' },
    json: { type: 'boolean' }, save: { type: 'string' }, baseline: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('Usage: node bench/idle-cluster.ts [--name <kind cluster>] [--seconds <window>] [--json] [--save <file>] [--baseline <file>]');
  process.exit(0);
}
const TICKS = 100; // USER_HZ
const container = `${values.name}-control-plane`;
const seconds = Math.max(5, Number(values.seconds));

type Figures = { container: string; seconds: number; totalCpu: number; memoryMiB: number; processes: Record<string, { cpu: number; rssMiB: number; count: number }> };

/** The container's CPU seconds so far, from its cgroup (v1 cpuacct or v2 cpu.stat). */
function cgroupCpuSeconds(id: string): number {
  for (const [file, parse] of [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t: string) => Number(t) / 1e9],
    [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, (t: string) => Number(/^usage_usec (\d+)/m.exec(t)?.[1]) / 1e6],
  ] as const) {
    try {
      return parse(readFileSync(file, 'utf8'));
    } catch {
      // the other cgroup layout
    }
  }
  throw new Error(`no cgroup CPU figures for container ${container} (${id})`);
}

/** Per process of the container: name, CPU seconds so far, RSS. */
function processes(id: string): Map<number, { name: string; cpu: number; rssMiB: number }> {
  const found = new Map<number, { name: string; cpu: number; rssMiB: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(id)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      found.set(Number(entry), { name, cpu: (Number(fields[11]) + Number(fields[12])) / TICKS, rssMiB: rss ? Number(rss[1]) / 1024 : 0 });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function measure(): Promise<Figures> {
  const id = (await run('docker', ['inspect', '-f', '{{.Id}}', container], `finding container ${container}`)).trim();
  const total0 = cgroupCpuSeconds(id);
  const before = processes(id);
  await sleep(seconds * 1000);
  const total1 = cgroupCpuSeconds(id);
  const after = processes(id);
  const byName: Figures['processes'] = {};
  for (const [pid, p] of after) {
    const was = before.get(pid)?.cpu ?? 0;
    const row = (byName[p.name] ??= { cpu: 0, rssMiB: 0, count: 0 });
    row.cpu += (p.cpu - was) / seconds;
    row.rssMiB += p.rssMiB;
    row.count += 1;
  }
  const counted = Object.values(byName).reduce((sum, r) => sum + r.cpu, 0);
  const totalCpu = (total1 - total0) / seconds;
  byName['(short-lived processes)'] = { cpu: Math.max(0, totalCpu - counted), rssMiB: 0, count: 0 };
  const memoryMiB = (await containerMemoryMiB([container]))[container] ?? NaN;
  return { container, seconds, totalCpu, memoryMiB, processes: byName };
}

const pct = (cpu: number) => `${(cpu * 100).toFixed(2)} %`;

function print(f: Figures, base?: Figures): void {
  const vs = (now: number, was: number | undefined) => (was === undefined || was === 0 ? '' : `  ${(now / was).toFixed(2)}× baseline`);
  console.log(`Idle cluster ${f.container}, ${f.seconds} s window${base ? ' (ratios to the baseline run)' : ''}\n`);
  console.log(`${'process'.padEnd(28)} ${'CPU of a core'.padStart(13)} ${'RSS'.padStart(10)}`);
  const rows = Object.entries(f.processes).sort(([, a], [, b]) => b.cpu - a.cpu);
  for (const [name, r] of rows) {
    if (r.cpu < 0.0005 && r.rssMiB < 5) continue;
    console.log(`${`${name}${r.count > 1 ? ` ×${r.count}` : ''}`.padEnd(28)} ${pct(r.cpu).padStart(13)} ${`${r.rssMiB.toFixed(0)} MiB`.padStart(10)}${vs(r.cpu, base?.processes[name]?.cpu)}`);
  }
  console.log(`\n${'total (cgroup)'.padEnd(28)} ${pct(f.totalCpu).padStart(13)}${vs(f.totalCpu, base?.totalCpu)}`);
  console.log(`${'memory (docker stats)'.padEnd(28)} ${`${f.memoryMiB.toFixed(0)} MiB`.padStart(24)}${vs(f.memoryMiB, base?.memoryMiB)}`);
}

measure()
  .then((f) => {
    if (values.save) writeFileSync(values.save, JSON.stringify(f, null, 2) + '\n');
    const base = values.baseline ? (JSON.parse(readFileSync(values.baseline, 'utf8')) as Figures) : undefined;
    if (values.json) console.log(JSON.stringify(f, null, 2));
    else print(f, base);
  })
  .catch((e: unknown) => {
    console.error(`bench failed: ${(e as Error).message}`);
    process.exit(1);
  });
