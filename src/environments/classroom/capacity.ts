// How many more learner environments this machine takes now (the local provider's admission):
// free memory less a reserve and what is being made, the CPU idle clusters keep busy, and the
// configured cap — and the figures behind it, measured here or measured once elsewhere.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Room } from './warm-pool.ts';

/** The next learner without a warm environment finds no room. */
export class MachineFullError extends Error {
  override name = 'MachineFullError';
}

/** Measured on a 2-core, 24 GB host (bench/classroom-environments.ts: 528–572 MiB, 14–16 % of a core idle); used until this machine measured its own. */
export const defaultEnvironmentMiB = 560;
export const defaultEnvironmentCpu = 0.16;

/**
 * Half the cores for idle environments, half for what learners do in them. Measured
 * (bench/classroom.ts, 2 cores): at 0.8 the rule let 9 environments in (17 % of a core each,
 * idle), and 8 learners solving labs then drove the load average to 140 with the dashboard
 * 18 s (p50) behind and joins 4.5 s; the goals (2 s) need the headroom.
 */
export const DEFAULT_CPU_SHARE = 0.5;

/** Warm environments to keep: one per eight that fit, at least one when any fits, at most four. */
export function defaultWarmPoolSize(fit: number): number {
  if (fit <= 0) return 0;
  return Math.min(4, Math.max(1, Math.floor(fit / 8)));
}

export type FitInput = {
  availableMiB: number; reserveMiB: number; environmentMiB: number;
  /** Environments being made (their memory is not in use yet) and all there are (assigned, warm, being made). */
  creating: number; total: number;
  /** Of `total`, the frozen ones: they hold their memory but keep no core busy. */
  frozen?: number;
  cores: number; environmentCpu: number; cpuShare: number;
  max?: number;
};

/**
 * How many more environments fit, and what limits them: memory (free less the reserve and what
 * is being made), CPU (idle clusters are not free: apiserver, etcd and controllers keep a share
 * of a core busy; frozen ones are) and the configured cap.
 */
export function environmentsThatFit(input: FitInput): { fit: number; limit: 'memory' | 'cpu' | 'cap' } {
  const byMemory = Math.floor((input.availableMiB - input.reserveMiB - input.creating * input.environmentMiB) / input.environmentMiB);
  const byCpu = Math.floor((input.cores * input.cpuShare) / input.environmentCpu) - (input.total - (input.frozen ?? 0));
  const byCap = input.max === undefined ? Infinity : input.max - input.total;
  const least = Math.min(byMemory, byCpu, byCap);
  return { fit: Math.max(0, least), limit: least === byCap ? 'cap' : least === byCpu ? 'cpu' : 'memory' };
}

/** MemAvailable from /proc/meminfo (MiB): what the kernel can give without swapping. */
export function availableMemoryMiB(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (!m) throw new Error('cannot read MemAvailable from /proc/meminfo');
  return Number(m[1]) / 1024;
}

export type MachineFigures = { reserveMiB: number; environmentMiB: number; environmentCpu: number; cpuShare: number; maxEnvironments?: number };

/** The room on this machine now, with what limits it in words. */
export function machineRoom(figures: MachineFigures, count: { creating: number; total: number; frozen?: number }): Room {
  const { reserveMiB, environmentMiB, environmentCpu, cpuShare, maxEnvironments } = figures;
  const availableMiB = Math.round(availableMemoryMiB());
  const { fit, limit } = environmentsThatFit({
    availableMiB, reserveMiB, environmentMiB, creating: count.creating, total: count.total, frozen: count.frozen,
    cores: cpus().length, environmentCpu, cpuShare, max: maxEnvironments,
  });
  const limits = {
    memory: `${availableMiB} MiB of memory free, each environment needs about ${environmentMiB} MiB and ${reserveMiB} MiB stay free`,
    cpu: `${cpus().length} cores, each idle environment keeps about ${Math.round(environmentCpu * 100)} % of a core busy (a frozen one none) and ${Math.round(cpuShare * 100)} % of the cores may go to them`,
    cap: `at most ${maxEnvironments} environment${maxEnvironments === 1 ? ' is' : 's are'} configured`,
  };
  return { fit, limit, limitMessage: limits[limit], availableMiB, environmentMiB, reserveMiB };
}
