// A learner's node or sandbox container that stopped (killed, out of memory, a Docker restart)
// turns their status to error, which the dashboard shows and "recreate" repairs; one that runs
// again (someone started it) turns it back to ready. The local provider runs this every 20 s.
import { tryRun } from '../../base/exec.ts';
import { sandboxName } from './docker-objects.ts';
import { nodeContainer } from './kind-cluster.ts';
import type { LocalPool } from './local-records.ts';

export async function checkContainers(pool: LocalPool): Promise<void> {
  const watched = [...pool.learners.all()].filter(([, r]) => r.env?.state === 'ready' && !r.assigning && (r.status.state === 'ready' || r.unhealthy));
  if (watched.length === 0) return;
  const names = watched.flatMap(([, r]) => [nodeContainer(r.env!.name), sandboxName(r.env!.name)]);
  // One call for all; a container that is gone is missing from the output (and fails the exit code).
  const out = await tryRun('docker', ['inspect', '--format', '{{.Name}} {{.State.Running}}', ...names], { timeoutMs: 20_000 });
  // A Docker too busy to answer in time says nothing about the containers: ask again next round.
  if (out.stderr.includes('(killed by')) return;
  const running = new Set(out.stdout.split('\n').filter((l) => l.endsWith(' true')).map((l) => l.split(' ')[0]!.replace(/^\//, '')));
  for (const [learner, record] of watched) {
    const env = record.env!.name;
    const down = [nodeContainer(env), sandboxName(env)].filter((name) => !running.has(name));
    if (down.length > 0) {
      record.unhealthy = true;
      pool.learners.setStatus(learner, 'error', `${down.includes(sandboxName(env)) ? 'the shell container' : 'the cluster'} stopped (${down.join(', ')}): recreate this learner's environment`);
    } else if (record.unhealthy) {
      record.unhealthy = false;
      pool.learners.setStatus(learner, 'ready', `ready (cluster ${env})`);
    }
  }
}
