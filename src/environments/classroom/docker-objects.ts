// The Docker objects behind learner environments on this machine, and how they are found again.
// Docker is the record: a restarted server re-adopts what these labels describe instead of
// leaking it. Every object carries the pool's label and its role:
//
//   network     <env>-net                      env = the kind cluster's name
//   sandbox     <env>-shell                    env, home = the volume mounted as /home/learner
//   home        labs-<pool>-home-<env>         a learner's files (named after the environment it
//                                              was first made in; it follows its learner)
//   assignment  labs-<pool>-assign-<env>       an empty volume whose labels say which learner has
//                                              that environment and which home is theirs
//
// The assignment is its own object because Docker labels never change, while a warm sandbox is
// made (with a fresh home) before anyone knows whose it will be: handing it out is creating this
// small volume, not starting a container.
import { CommandError, lastErrorLine, run, tryRun } from '../../base/exec.ts';

export const label = {
  pool: 'io.kubernetes-labs.pool',
  role: 'io.kubernetes-labs.role',
  env: 'io.kubernetes-labs.env',
  learner: 'io.kubernetes-labs.learner',
  home: 'io.kubernetes-labs.home',
  created: 'io.kubernetes-labs.created',
} as const;

export type Role = 'network' | 'sandbox' | 'home' | 'assignment';

const poolPattern = /^[a-z0-9][a-z0-9-]{0,19}$/;

/** A pool name is part of Docker object names: lowercase letters, digits, dashes, at most 20. */
export function poolName(name: string): string {
  if (!poolPattern.test(name)) throw new Error(`invalid pool name ${JSON.stringify(name)}: use lowercase letters, digits and dashes (at most 20, starting with a letter or digit)`);
  return name;
}

/** The network of an environment (its kind node, its learner's sandbox, the read-only mirror). */
export const networkName = (env: string): string => `${env}-net`;
/** The learner's shell container of an environment. */
export const sandboxName = (env: string): string => `${env}-shell`;
/** A home volume, named after the environment it was first made in. */
export const homeVolumeName = (pool: string, env: string): string => `labs-${pool}-home-${env}`;
/** The record that a learner has an environment. */
export const assignmentName = (pool: string, env: string): string => `labs-${pool}-assign-${env}`;

export const labelArgs = (labels: Record<string, string>): string[] => Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

export type Found = {
  networks: { name: string; env: string; created: string }[];
  sandboxes: { name: string; env: string; home: string; running: boolean }[];
  homes: string[];
  assignments: { name: string; env: string; learner: string; home: string; created: string }[];
};

async function ids(args: string[]): Promise<string[]> {
  const out = await run('docker', args, `listing Docker objects (${args.slice(0, 2).join(' ')})`);
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

/**
 * `docker <kind> inspect` of objects just listed: one removed in between (a class ending, a
 * learner's environment replaced) is left out, not an error.
 */
export async function inspectListed<T>(kind: 'network' | 'container' | 'volume', names: string[], what: string): Promise<T[]> {
  const result = await tryRun('docker', [kind, 'inspect', ...names]);
  const gone = result.stderr.split('\n').filter(Boolean).every((line) => /no such (object|volume|container)|network \S+ not found/i.test(line));
  if (result.code !== 0 && !gone) throw new CommandError(`${what}: ${lastErrorLine(result)}`, result);
  return result.stdout.trim() ? (JSON.parse(result.stdout) as T[]) : [];
}

/** Everything of `pool` on this Docker engine, by label. */
export async function findPool(pool: string): Promise<Found> {
  const filter = ['--filter', `label=${label.pool}=${pool}`];
  const found: Found = { networks: [], sandboxes: [], homes: [], assignments: [] };
  const networkIds = await ids(['network', 'ls', '-q', ...filter, '--filter', `label=${label.role}=network`]);
  if (networkIds.length > 0) {
    const list = await inspectListed<{ Name: string; Labels?: Record<string, string> }>('network', networkIds, 'inspecting learner networks');
    for (const n of list) if (n.Labels?.[label.env]) found.networks.push({ name: n.Name, env: n.Labels[label.env], created: n.Labels[label.created] ?? '' });
  }
  const containerIds = await ids(['ps', '-aq', ...filter, '--filter', `label=${label.role}=sandbox`]);
  if (containerIds.length > 0) {
    const list = await inspectListed<{ Name: string; Config: { Labels?: Record<string, string> }; State: { Running: boolean } }>('container', containerIds, 'inspecting sandboxes');
    for (const c of list) {
      const labels = c.Config.Labels ?? {};
      found.sandboxes.push({ name: c.Name.replace(/^\//, ''), env: labels[label.env] ?? '', home: labels[label.home] ?? '', running: c.State.Running });
    }
  }
  const volumeNames = await ids(['volume', 'ls', '-q', ...filter]);
  if (volumeNames.length > 0) {
    const list = await inspectListed<{ Name: string; Labels?: Record<string, string> }>('volume', volumeNames, 'inspecting volumes');
    for (const v of list) {
      const labels = v.Labels ?? {};
      if (labels[label.role] === 'home') found.homes.push(v.Name);
      if (labels[label.role] === 'assignment' && labels[label.env] && labels[label.learner] && labels[label.home]) {
        found.assignments.push({ name: v.Name, env: labels[label.env], learner: labels[label.learner], home: labels[label.home], created: labels[label.created] ?? '' });
      }
    }
  }
  return found;
}

/** Records that `learner` has environment `env` and which home is theirs: handing an environment out. */
export async function recordAssignment(pool: string, env: string, learner: string, home: string): Promise<void> {
  await run('docker', ['volume', 'create', ...labelArgs({
    [label.pool]: pool, [label.role]: 'assignment', [label.env]: env, [label.learner]: learner, [label.home]: home, [label.created]: new Date().toISOString(),
  }), assignmentName(pool, env)], `recording the environment of ${learner}`);
}

/** Removes an assignment record (by its volume name); one already gone is no error. */
export async function removeAssignment(name: string): Promise<void> {
  await tryRun('docker', ['volume', 'rm', '-f', name]);
}

/** Removes a container whatever its state; true when there was one. */
export async function removeContainer(name: string): Promise<boolean> {
  return (await tryRun('docker', ['rm', '-f', '-v', name])).code === 0;
}

/** Removes a network after disconnecting what is still attached (the mirror, a stray sandbox). */
export async function removeNetwork(name: string): Promise<void> {
  const r = await tryRun('docker', ['network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', name]);
  if (r.code !== 0) return;
  for (const container of r.stdout.trim().split(/\s+/).filter(Boolean)) await tryRun('docker', ['network', 'disconnect', '-f', name, container]);
  const rm = await tryRun('docker', ['network', 'rm', name]);
  if (rm.code !== 0 && !/not found|no such network/i.test(rm.stderr)) throw new Error(`failed to remove docker network ${name}: ${rm.stderr.trim()}`);
}

/** Memory a container uses now (MiB, as `docker stats` counts it: without reclaimable page cache), or undefined. */
export async function containerMemoryMiB(names: string[]): Promise<Record<string, number>> {
  const r = await tryRun('docker', ['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', ...names], { timeoutMs: 60_000 });
  const result: Record<string, number> = {};
  const units: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, kB: 1 / 1024, MiB: 1, MB: 1, GiB: 1024, GB: 1024 };
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) ([\d.]+)\s*([A-Za-z]+) \//.exec(line.trim());
    if (m && units[m[3]] !== undefined) result[m[1]] = Number(m[2]) * units[m[3]];
  }
  return result;
}

/** CPU share a container uses now (1 = one core), from `docker stats`. */
export async function containerCpu(names: string[]): Promise<Record<string, number>> {
  const r = await tryRun('docker', ['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}}', ...names], { timeoutMs: 60_000 });
  const result: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) ([\d.]+)%$/.exec(line.trim());
    if (m) result[m[1]] = Number(m[2]) / 100;
  }
  return result;
}
