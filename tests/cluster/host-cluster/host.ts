// The host cluster the `kubernetes` provider's suite runs on: a kind cluster of our own toolchain
// with 1 control plane and 2 workers (HOSTK_NAME, default hostk), standing in for an existing
// Kubernetes cluster. Its workers get the node and toolbox images (kind load: there is no
// registry they could pull them from), and reach the read-only mirror for the course's images.
import { kindBinary, kindProvider } from '../../../src/environments/kind-provider.ts';
import { prepareOffline } from '../../../src/environments/offline.ts';
import { ImageBuilder } from '../../../src/environments/images/build.ts';
import { offlineNodeRef } from '../../../src/environments/images/node-image.ts';
import { ensureReadOnlyMirror, mirrorNetwork, readOnlyMirrorContainer } from '../../../src/environments/mirror.ts';
import { reporter } from '../../../src/environments/progress.ts';
import { run, tryRun } from '../../../src/base/exec.ts';
import { toolchainVersions } from '../../../src/environments/toolchain.ts';

export type HostCluster = { name: string; kubeconfig: string; nodeImage: string; toolboxImage: string; mirrorAddress: string; registryImage: string };

export const hostClusterName = (): string => process.env.HOSTK_NAME ?? 'hostk';

/**
 * The host cluster, made or adopted, with the current images loaded. HOSTK_REUSE=1 takes an
 * existing host as it is (no image rebuild or reload: the node image is over 1 GB and loading
 * it into two workers takes minutes on a busy machine).
 */
export async function ensureHostCluster(log: (line: string) => void): Promise<HostCluster> {
  const name = hostClusterName();
  const images = new ImageBuilder(log);
  const toolbox = images.catalog.images.find((i) => i.refs[0].includes('/toolbox:'));
  const registry = images.catalog.images.find((i) => i.refs[0].includes('/registry:'));
  if (!toolbox || !registry) throw new Error('kind/images.yaml: no toolbox or registry image');
  let nodeImage = offlineNodeRef(toolchainVersions().KUBERNETES_VERSION);
  let kubeconfig: string;
  if (process.env.HOSTK_REUSE === '1') {
    kubeconfig = await kindProvider.kubeconfig(name);
  } else {
    nodeImage = (await prepareOffline(reporter((e) => log(e.message)))).nodeImage;
    await images.buildAll((i) => i === toolbox);
    ({ kubeconfig } = await kindProvider.ensure({ name, offline: true, nodeImage, workers: 2, learnerGuardrails: false, readyTimeoutMs: 400_000, onProgress: (e) => log(e.message) }));
    const workers = (await run('docker', ['ps', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--filter', 'label=io.x-k8s.kind.role=worker', '--format', '{{.Names}}'], 'listing workers')).trim().split('\n');
    // kind skips images a node already has; the first load takes minutes (the node image is over 1 GB).
    await run(await kindBinary(), ['load', 'docker-image', nodeImage, toolbox.refs[0], '--name', name, '--nodes', workers.join(',')], `loading images into ${name}`);
  }
  // The read-only mirror on the host's Docker network (pushes answer 405), at an address the learner clusters' hostAliases name.
  await ensureReadOnlyMirror(registry.refs[0], log);
  const connected = await tryRun('docker', ['network', 'connect', mirrorNetwork, readOnlyMirrorContainer]);
  if (connected.code !== 0 && !/already exists/.test(connected.stderr)) throw new Error(`connecting ${readOnlyMirrorContainer} to ${mirrorNetwork}: ${connected.stderr.trim()}`);
  const mirrorAddress = (await run('docker', ['inspect', '-f', `{{(index .NetworkSettings.Networks "${mirrorNetwork}").IPAddress}}`, readOnlyMirrorContainer], 'reading the mirror address')).trim();
  return { name, kubeconfig, nodeImage, toolboxImage: toolbox.refs[0], mirrorAddress, registryImage: registry.refs[0] };
}

/** Deletes the host cluster, first taking the read-only mirror off the kind network (so that network can go when nothing else uses it). */
export async function deleteHostCluster(name: string = hostClusterName()): Promise<void> {
  await tryRun('docker', ['network', 'disconnect', mirrorNetwork, readOnlyMirrorContainer]);
  await kindProvider.delete(name);
}

/** Working-set memory (MiB) of a pod's containers, from the CRI on the host node that runs it. */
export async function podMemoryMiB(hostNode: string, pod: string): Promise<number> {
  const ids = (await run('docker', ['exec', hostNode, 'crictl', 'pods', '--name', `^${pod}$`, '-q'], `finding pod ${pod}`)).trim().split('\n').filter(Boolean);
  let bytes = 0;
  for (const id of ids) {
    const stats = JSON.parse(await run('docker', ['exec', hostNode, 'crictl', 'stats', '-p', id, '-o', 'json'], `stats of ${pod}`)) as { stats?: { memory?: { workingSetBytes?: { value?: string } } }[] };
    for (const s of stats.stats ?? []) bytes += Number(s.memory?.workingSetBytes?.value ?? 0);
  }
  return bytes / 2 ** 20;
}
