// Learner environments as pods on a host cluster (src/environments/classroom/kubernetes.ts), on
// the host-cluster suite's kind host (tests/cluster/host-cluster/host.ts: 1 control plane + 2
// workers on this machine): start time of one learner cluster cold and from the warm pool,
// memory per learner on the host (node pod + toolbox pod, from the host nodes' CRI stats), and a
// capacity model for a class of 200. Printed, not asserted. Removes what it made (its own pool).
// Usage: node bench/kubernetes-environments.ts   (HOSTK_KEEP=1 keeps the host cluster)
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { KubernetesLearnerEnvironments, defaultNodeResources, defaultToolboxResources } from '../src/environments/classroom/kubernetes.ts';
import { toolboxName } from '../src/environments/classroom/kube-objects.ts';
import { sleep } from '../src/base/exec.ts';
import { deleteHostCluster, ensureHostCluster, podMemoryMiB } from '../tests/cluster/host-cluster/host.ts';

const namespace = 'labs-hostk-bench';
const line = (label: string, value: string, note = '') => console.log(`${label.padEnd(46)} ${value.padStart(12)}  ${note}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? (/^(\d+)Gi$/.exec(q) ? Number(/^(\d+)Gi$/.exec(q)?.[1]) * 1024 : 0));

async function main(): Promise<void> {
  const log = (l: string) => { if (process.env.LABS_VERBOSE) console.error(l); };
  let started = Date.now();
  const host = await ensureHostCluster(log);
  line('host cluster (kind, 1 + 2 workers) and images', seconds(Date.now() - started), 'cached: seconds; the first kind load of the node image takes minutes');
  const kc = new KubeConfig();
  kc.loadFromFile(host.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const envs = await KubernetesLearnerEnvironments.open({
    hostKubeconfig: host.kubeconfig, namespace, pool: 'bench', warm: 0,
    nodeImage: host.nodeImage, toolboxImage: host.toolboxImage, mirrorAddress: host.mirrorAddress, log,
  });
  try {
    started = Date.now();
    await envs.assign('bench:cold');
    const coldMs = Date.now() - started;
    line('cold: join → ready cluster + shell', seconds(coldMs), 'node pod scheduled, kubeadm init, CNI, toolbox, kubeconfig');

    envs.setWarm(1);
    started = Date.now();
    await envs.waitForWarm(1, 600_000);
    line('making one warm environment (background)', seconds(Date.now() - started));
    started = Date.now();
    await envs.assign('bench:warm');
    line('warm: join → ready (from the pool)', `${Date.now() - started} ms`, 'label the record, write the token in the toolbox');
    envs.setWarm(0);

    await sleep(60_000);
    const env = envs.environmentOf('bench:cold') as string;
    const pod = await core.readNamespacedPod({ name: env, namespace });
    const toolbox = await core.readNamespacedPod({ name: toolboxName(env), namespace });
    const nodeMiB = await podMemoryMiB(pod.spec?.nodeName as string, env);
    const toolboxMiB = await podMemoryMiB(toolbox.spec?.nodeName as string, toolboxName(env));
    const learnerMiB = nodeMiB + toolboxMiB;
    line('memory per learner (idle, after 60 s)', `${learnerMiB.toFixed(0)} MiB`, `cluster pod ${nodeMiB.toFixed(0)} + toolbox ${toolboxMiB.toFixed(0)} (working set)`);
    const requestMiB = mib(defaultNodeResources.memoryRequest) + mib(defaultToolboxResources.memoryRequest);
    const limitMiB = mib(defaultNodeResources.memoryLimit) + mib(defaultToolboxResources.memoryLimit);
    line('requested / limit per learner', `${requestMiB} MiB`, `limit ${limitMiB} MiB (a learner installing Argo CD uses ~1.5 GiB)`);

    // Capacity model: a 24 GiB host node keeps ~2 GiB for its kubelet, runtime and system pods.
    const nodeGiB = 24;
    const usableMiB = (nodeGiB - 2) * 1024;
    const planMiB = Math.max(requestMiB, Math.ceil(learnerMiB * 1.5)); // headroom for labs running (Argo CD, Helm releases)
    const perNode = Math.floor(usableMiB / planMiB);
    const learnersTotal = 200;
    const pool = Math.ceil(learnersTotal * 0.1);
    const nodes = Math.ceil((learnersTotal + pool) / perNode);
    console.log('\nCapacity model (printed, not asserted):');
    line(`learners per ${nodeGiB} GiB host node`, `${perNode}`, `(${nodeGiB} - 2 GiB system) / ${planMiB} MiB (1.5 x the idle figure, at least the request)`);
    line(`host nodes for ${learnersTotal} learners`, `${nodes}`, `${learnersTotal} + a warm pool of ${pool} (10 %) = ${learnersTotal + pool} environments / ${perNode} per node`);
    line('memory the class needs on the host', `${(((learnersTotal + pool) * planMiB) / 1024).toFixed(0)} GiB`, `+ 2 GiB per node for the system; CPU: requests ${defaultNodeResources.cpuRequest} + ${defaultToolboxResources.cpuRequest} per learner`);
    const perMinute = (2 * 60_000) / coldMs;
    line('making environments ahead of a class', `${perMinute.toFixed(1)}/min`, `2 at once (parallelCreates) at ${seconds(coldMs)} each, if the host's CPU keeps up: ${Math.ceil((learnersTotal + pool) / perMinute)} min for ${learnersTotal + pool}`);
  } finally {
    for (const l of ['bench:cold', 'bench:warm']) await envs.release(l).catch(() => undefined);
    await envs.close({ removeWarm: true });
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    if (!process.env.HOSTK_KEEP) await deleteHostCluster(host.name).catch(() => undefined);
  }
}

await main();
