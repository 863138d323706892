// How many more learner environments the host cluster takes now (the kubernetes provider's
// admission): the allocatable memory of its schedulable nodes less what pods there request,
// over what one environment requests (node pod + toolbox pod), and the configured cap.
import type { CoreV1Api } from '@kubernetes/client-node';
import type { Room } from './warm-pool.ts';

/** A Kubernetes memory quantity in MiB (0 when it cannot be read). */
export const mebibytes = (q: string | undefined): number => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(q ?? '');
  if (!m) return 0;
  const unit = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 }[m[2] ?? ''] ?? 1 / 1048576;
  return Number(m[1]) * unit;
};

export type HostDemand = { nodeMemoryRequest: string; toolboxMemoryRequest: string; maxEnvironments?: number };

export async function hostRoom(core: CoreV1Api, demand: HostDemand, count: { creating: number; total: number }): Promise<Room> {
  const environmentMiB = Math.round(mebibytes(demand.nodeMemoryRequest) + mebibytes(demand.toolboxMemoryRequest));
  const nodes = (await core.listNode()).items.filter((n) => !n.spec?.unschedulable && !n.spec?.taints?.some((t) => t.effect === 'NoSchedule'));
  const names = new Set(nodes.map((n) => n.metadata?.name));
  const pods = (await core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })).items.filter((p) => names.has(p.spec?.nodeName));
  const allocatable = nodes.reduce((sum, n) => sum + mebibytes(n.status?.allocatable?.memory), 0);
  const requested = pods.reduce((sum, p) => sum + (p.spec?.containers ?? []).reduce((s, c) => s + mebibytes(c.resources?.requests?.memory), 0), 0);
  const availableMiB = Math.round(allocatable - requested);
  const byMemory = Math.floor(availableMiB / environmentMiB) - count.creating;
  const byCap = demand.maxEnvironments === undefined ? Infinity : demand.maxEnvironments - count.total;
  const fit = Math.max(0, Math.min(byMemory, byCap));
  const limit = byCap <= byMemory ? 'cap' : 'memory';
  const limitMessage = limit === 'cap'
    ? `at most ${demand.maxEnvironments} environments are configured`
    : `the host's ${nodes.length} schedulable nodes have ${availableMiB} MiB of memory not yet requested, each environment requests ${environmentMiB} MiB`;
  return { fit, limit, limitMessage, availableMiB, environmentMiB, reserveMiB: 0 };
}
