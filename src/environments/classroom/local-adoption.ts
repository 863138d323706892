// After a restart the local provider takes over what Docker holds for its pool (the labels of
// docker-objects.ts are the record): learners' environments (a broken one says so), warm ones,
// and learners whose environment is gone keep their home; half-made environments and leftovers go.
import { tryRun } from '../../base/exec.ts';
import { findPool, removeAssignment, removeContainer } from './docker-objects.ts';
import type { DockerSandboxes } from './docker-sandbox.ts';
import { mountHome, removeHome } from './home-volume.ts';
import { nodeContainer, type KindClusters } from './kind-cluster.ts';
import type { LocalEnv, LocalPool } from './local-records.ts';

export type Adoption = {
  pool: LocalPool; poolName: string; clusters: KindClusters; sandboxes: DockerSandboxes;
  /** The node's side of a thaw (LocalLearnerEnvironments.resume). */
  resume: (env: string, since?: number) => Promise<void>;
  log: (line: string) => void;
};

/** Finds this pool's environments on Docker and takes them over; removes what nobody can use. */
export async function adoptLocalEnvironments({ pool, poolName, clusters, sandboxes, resume, log }: Adoption): Promise<void> {
  const found = await findPool(poolName);
  const networks = new Map(found.networks.map((n) => [n.env, n]));
  const sandboxesOf = new Map(found.sandboxes.map((s) => [s.env, s]));
  // Per learner the newest assignment (a crash while replacing can leave two).
  const assignments = [...found.assignments].sort((a, b) => b.created.localeCompare(a.created));
  const taken = new Map<string, (typeof assignments)[number]>();
  for (const a of assignments) {
    if (taken.has(a.env) || [...taken.values()].some((t) => t.learner === a.learner)) {
      await removeAssignment(a.name);
      continue;
    }
    taken.set(a.env, a);
  }
  const homesInUse = new Set([...taken.values()].map((a) => a.home));
  for (const n of found.networks) {
    const env: LocalEnv = { name: n.env, network: n.name, state: 'ready', made: Promise.resolve() };
    const sandbox = sandboxesOf.get(n.env);
    env.home = sandbox?.home;
    // Frozen when the last server stopped (or stopped half way through a freeze): resumed now;
    // the idle round freezes it again later.
    const since = Date.now();
    const frozen = (await tryRun('docker', ['unpause', nodeContainer(n.env)])).code === 0;
    if (sandbox) await tryRun('docker', ['unpause', sandbox.name]);
    await resume(n.env, frozen ? since : undefined).catch((e: unknown) => log(`classroom environments: resuming ${n.env}: ${(e as Error).message.split('\n')[0]}`));
    const healthy = await clusters.ready(n.env);
    const assignment = taken.get(n.env);
    if (assignment) {
      const record = pool.learners.record(assignment.learner);
      record.home = assignment.home;
      env.learner = assignment.learner;
      record.env = env;
      pool.envs.set(env.name, env);
      if (!healthy || !sandbox || sandbox.home !== assignment.home) {
        env.state = 'broken';
        pool.learners.setStatus(assignment.learner, 'error', `environment ${env.name} is broken (found after a restart): recreate it; the files in the home folder are kept`);
        continue;
      }
      // After a reboot the home's filesystem is not mounted: mount it, then restart the sandbox onto it.
      if (await mountHome(assignment.home)) await tryRun('docker', ['restart', sandbox.name]);
      else if (!sandbox.running) await tryRun('docker', ['start', sandbox.name]);
      // A sandbox made before the guardrails held the admin kubeconfig: it gets the learner's now.
      await sandboxes.writeKubeconfig(env.name, await clusters.learnerKubeconfig(env.name));
      void sandboxes.tellServerAddress(env.name);
      pool.learners.setStatus(assignment.learner, 'ready', `ready (cluster ${env.name}, adopted)`);
      log(`classroom environments: adopted ${env.name} of ${assignment.learner}`);
    } else if (healthy && sandbox?.running && sandbox.home) {
      if (await mountHome(sandbox.home)) await tryRun('docker', ['restart', sandbox.name]);
      pool.envs.set(env.name, env);
      void sandboxes.tellServerAddress(env.name);
      log(`classroom environments: adopted warm ${env.name}`);
    } else {
      // Half made (a create interrupted): nobody can use it; its home goes unless a learner's record names it.
      log(`classroom environments: removing ${env.name} (not ready)`);
      await pool.remove(env, !env.home || homesInUse.has(env.home));
    }
  }
  // Learners whose environment is gone (reclaimed, or its network vanished) keep their home.
  for (const a of taken.values()) {
    if (networks.has(a.env)) continue;
    const record = pool.learners.record(a.learner);
    record.home = a.home;
    pool.learners.setStatus(a.learner, 'gone', 'no environment (reclaimed); your files are kept: reload the page for a new one');
  }
  // Leftovers: sandboxes without a network, homes nobody's record or sandbox names.
  for (const s of found.sandboxes) if (!networks.has(s.env)) await removeContainer(s.name);
  const named = new Set([...homesInUse, ...found.sandboxes.filter((s) => networks.has(s.env)).map((s) => s.home)]);
  for (const h of found.homes) if (!named.has(h)) await removeHome(h);
}
