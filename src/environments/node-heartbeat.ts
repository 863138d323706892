// A thawed cluster is usable once its kubelet has spoken again: the node's Lease renewed after
// the thaw (kubelet, API server and etcd all answer) and the node Ready. A Ready condition alone
// proves nothing here: it is the one written before the freeze.
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { sleep } from '../base/exec.ts';

/** Resolves once `node`'s lease was renewed at or after `since` (ms) and the node is Ready; rejects after `timeoutMs`. */
export async function waitForHeartbeat(kubeconfig: string, node: string, since: number, timeoutMs = 30_000): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const leases = kc.makeApiClient(CoordinationV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  let last = 'the API server did not answer';
  // The lease's renewTime has microseconds, our clock milliseconds: a renewal in the same millisecond counts.
  const after = since - 1;
  while (Date.now() < deadline) {
    try {
      const lease = await leases.readNamespacedLease({ name: node, namespace: 'kube-node-lease' });
      const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
      if (renewed < after) last = `the kubelet has not renewed its lease since (last ${lease.spec?.renewTime?.toISOString() ?? 'never'})`;
      else {
        const ready = (await core.readNode({ name: node })).status?.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status === 'True') return;
        last = `node ${node} is not Ready (${ready?.reason ?? 'no Ready condition'})`;
      }
    } catch (e) {
      last = `the API server did not answer (${(e as Error).message.split('\n')[0]})`;
    }
    await sleep(50);
  }
  throw new Error(`${last} ${Math.round(timeoutMs / 1000)} s after the thaw`);
}
