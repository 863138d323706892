// `labs classroom clean`: removes what classroom mode made on this machine, for after a class
// (a stopped server leaves its environments: Docker is their record, so the next start adopts
// them). Every object of a pool carries the pool label (docker-objects.ts); a pool's kind
// clusters are named by its environments; the read-only mirror goes when no learner network
// outside what is removed still uses it, and only when every pool is cleaned (it is the machine's:
// another server between classes has no network on it but needs it for its next class). A bounded
// home is a volume over a loop-mounted filesystem image: both go with the volume. The plan is
// computed first (--dry-run prints it).
import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { tryRun } from '../../base/exec.ts';
import { KindProvider } from '../kind-provider.ts';
import { readOnlyMirrorContainer } from '../mirror.ts';
import { label, removeNetwork } from './docker-objects.ts';
import { nodeContainer } from './kind-cluster.ts';

/** What Docker holds that a classroom may have made. */
export type Found = {
  containers: { name: string; pool: string; env?: string }[];
  networks: { name: string; pool: string; env?: string }[];
  volumes: { name: string; pool: string }[];
  /** The read-only mirror and the networks it is connected to, when it exists. */
  mirror?: { networks: string[] };
};

export type CleanPlan = {
  clusters: string[];
  containers: string[];
  networks: string[];
  volumes: string[];
  mirror: boolean;
};

/** Which objects to remove (of `pool` only, when given). */
export function cleanPlan(found: Found, pool?: string): CleanPlan {
  const mine = <T extends { pool: string }>(items: T[]) => items.filter((i) => pool === undefined || i.pool === pool);
  const containers = mine(found.containers);
  const networks = mine(found.networks);
  const envs = [...new Set([...containers, ...networks].map((o) => o.env).filter((e): e is string => !!e))].sort();
  const removed = new Set(networks.map((n) => n.name));
  // Its own networks are Docker's bridge and the writable mirror's: any other is a learner network kept.
  const stillUsed = found.mirror?.networks.some((n) => !removed.has(n) && /-net$/.test(n)) ?? true;
  return {
    clusters: envs,
    containers: containers.map((c) => c.name).sort(),
    networks: networks.map((n) => n.name).sort(),
    volumes: mine(found.volumes).map((v) => v.name).sort(),
    mirror: pool === undefined && found.mirror !== undefined && !stillUsed,
  };
}

async function listed(kind: 'ps' | 'network' | 'volume'): Promise<{ name: string; pool: string; env?: string }[]> {
  const format = `{{.Names}}\t{{.Label "${label.pool}"}}\t{{.Label "${label.env}"}}`.replace('.Names', kind === 'ps' ? '.Names' : '.Name');
  const args = kind === 'ps' ? ['ps', '-a'] : [kind, 'ls'];
  const r = await tryRun('docker', [...args, '--filter', `label=${label.pool}`, '--format', format]);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const [name, pool, env] = line.split('\t');
    return { name: name!, pool: pool!, ...(env ? { env } : {}) };
  });
}

export async function findClassroomObjects(): Promise<Found> {
  const [containers, networks, volumes] = await Promise.all([listed('ps'), listed('network'), listed('volume')]);
  const mirror = await tryRun('docker', ['inspect', '--format', '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}', readOnlyMirrorContainer]);
  return { containers, networks, volumes: volumes.map(({ name, pool }) => ({ name, pool })), ...(mirror.code === 0 ? { mirror: { networks: mirror.stdout.trim().split(/\s+/).filter(Boolean) } } : {}) };
}

/** Removes what the plan names: clusters (kind), containers, networks, volumes, the mirror. Returns what failed. */
export async function applyCleanPlan(plan: CleanPlan, log: (line: string) => void = () => {}): Promise<string[]> {
  const failed: string[] = [];
  const kind = new KindProvider();
  for (const env of plan.clusters) {
    const exists = (await tryRun('docker', ['inspect', '--format', '{{.Name}}', nodeContainer(env)])).code === 0;
    if (!exists) continue;
    log(`deleting cluster ${env}`);
    await kind.delete(env).catch((e: unknown) => failed.push(`cluster ${env}: ${(e as Error).message.split('\n')[0]}`));
  }
  const remove = async (what: string, args: string[], names: string[]) => {
    for (const name of names) {
      log(`removing ${what} ${name}`);
      const r = await tryRun('docker', [...args, name]);
      if (r.code !== 0 && !/No such/i.test(r.stderr)) failed.push(`${what} ${name}: ${r.stderr.trim().split('\n')[0]}`);
    }
  };
  await remove('container', ['rm', '-f', '-v'], plan.containers);
  if (plan.mirror) await remove('container', ['rm', '-f'], [readOnlyMirrorContainer]);
  // After disconnecting what is still attached: the mirror (kept with --pool) is on every learner network.
  for (const network of plan.networks) {
    log(`removing network ${network}`);
    await removeNetwork(network).catch((e: unknown) => failed.push(`network ${network}: ${(e as Error).message.split('\n')[0]}`));
  }
  for (const volume of plan.volumes) {
    const home = await boundedHomeOf(volume);
    await remove('volume', ['volume', 'rm', '-f'], [volume]);
    if (home) await removeHomeFilesystem(home).catch((e: unknown) => failed.push(`home ${volume}: ${(e as Error).message.split('\n')[0]}`));
  }
  return failed;
}

/** The mount a bounded home volume binds (home-volume.ts: <data>/classroom-homes/<volume>), else undefined. */
async function boundedHomeOf(volume: string): Promise<string | undefined> {
  const r = await tryRun('docker', ['volume', 'inspect', '--format', '{{index .Options "device"}}', volume]);
  const device = r.stdout.trim();
  return r.code === 0 && basename(device) === volume && basename(dirname(device)) === 'classroom-homes' ? device : undefined;
}

/** Unmounts a bounded home and removes its filesystem image (the server that made it may be gone). */
async function removeHomeFilesystem(dir: string): Promise<void> {
  if ((await tryRun('mountpoint', ['-q', dir])).code === 0 && (await tryRun('umount', [dir])).code !== 0) {
    const lazy = await tryRun('umount', ['-l', dir]);
    if (lazy.code !== 0) throw new Error(`umount ${dir}: ${lazy.stderr.trim()}`);
  }
  rmSync(`${dir}.ext4`, { force: true });
  rmSync(dir, { recursive: true, force: true });
}
