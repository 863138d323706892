// What a learner cluster runs differently from kubeadm's defaults (issue #24): a one-node cluster
// that sits idle most of a class and is frozen when nobody uses it. Each setting removes work
// that only matters with several control-plane nodes or big clusters; none changes what a lab
// observes (probe timing, restarts and back-off, pod status, Endpoints, Deployments, Helm,
// Argo CD). One list for both providers: kind's config patches (kind-provider.ts) and the
// kubernetes provider's node pod (classroom/kube-node.ts). Measured with bench/idle-cluster.ts.

export type ExtraArg = { name: string; value: string };

/** kube-controller-manager, beside kubeadm's and kind's own flags. */
export const controllerManagerArgs: ExtraArg[] = [
  // One control plane: nobody to elect. Saves a Lease write every 2 s, and a controller manager
  // thawed in the middle of a renewal would otherwise exit ("leaderelection lost") and restart.
  { name: 'leader-elect', value: 'false' },
  // kubeadm's list less the attach/detach controller, whose reconciler runs every 100 ms for
  // volumes that need attaching to a node (CSI drivers with attachRequired); the course's volumes
  // (local-path, hostPath, emptyDir, ConfigMaps, Secrets) are never attached.
  { name: 'controllers', value: '*,bootstrapsigner,tokencleaner,-attachdetach' },
];

/**
 * etcd: a single member elects nobody, so its Raft ticks can be slower (100 ms heartbeat and 1 s
 * election timeout by default: ten ticks a second). Leases shorter than 1.5 × the election
 * timeout are lengthened to it (7.5 s); the API server's are 15 s and longer.
 */
export const etcdArgs: ExtraArg[] = [
  { name: 'heartbeat-interval', value: '500' },
  { name: 'election-timeout', value: '5000' },
];

/** kube-scheduler: the same reasons. */
export const schedulerArgs: ExtraArg[] = [{ name: 'leader-elect', value: 'false' }];

/** kube-apiserver. */
export const apiServerArgs: ExtraArg[] = [
  // Both exist for clusters with several API servers (an identity Lease renewed every 10 s, and a
  // peer-endpoint lease for the mixed-version proxy, which needs the identity); one has no peer.
  { name: 'feature-gates', value: 'APIServerIdentity=false,UnknownVersionInteroperabilityProxy=false' },
];

/** kubelet command-line flags (not in KubeletConfiguration). */
export const kubeletArgs: ExtraArg[] = [
  // cAdvisor's per-container stats every 30 s instead of 10–15 s: only `kubectl top` and
  // autoscalers read them (no lab does); eviction asks for fresh figures itself.
  { name: 'housekeeping-interval', value: '30s' },
];

/** KubeletConfiguration fields. */
export const kubeletConfiguration: Record<string, string> = {
  // Static pod manifests are watched with inotify anyway; the poll is a fallback.
  fileCheckFrequency: '2m',
  // Log rotation checks; logs of a learner cluster stay small.
  containerLogMonitorInterval: '30s',
};

/**
 * CoreDNS replicas (kubeadm makes two, for a cluster that must survive losing a node; one node has
 * nothing to survive): one less pod, pause container and shim — about 70 MiB and 0.3 % of a core.
 */
export const corednsReplicas = 1;

/**
 * kind `kubeadmConfigPatchesJSON6902`: each flag appended to the list kind generates (a merge
 * patch would replace kind's own entries; the scheduler's, empty, is set), and the kubelet settings.
 */
export function kindTuningPatches(): { json6902: { group: string; version: string; kind: string; patch: string }[]; merge: string[] } {
  const entry = (a: ExtraArg) => `{name: "${a.name}", value: "${a.value}"}`;
  const add = (path: string, args: ExtraArg[]) => args.map((a) => `- op: add\n  path: ${path}/-\n  value: ${entry(a)}`);
  // kind leaves the scheduler's list empty (null) without feature gates or IPv6: it is set whole.
  const set = (path: string, args: ExtraArg[]) => [`- op: add\n  path: ${path}\n  value: [${args.map(entry).join(', ')}]`];
  const target = (kind: string, ops: string[]) => ({ group: 'kubeadm.k8s.io', version: 'v1beta4', kind, patch: ops.join('\n') });
  return {
    json6902: [
      target('ClusterConfiguration', [
        ...add('/controllerManager/extraArgs', controllerManagerArgs),
        ...set('/scheduler/extraArgs', schedulerArgs),
        ...add('/apiServer/extraArgs', apiServerArgs),
        // kind writes no etcd section: this one only adds flags (kubeadm fills in the rest).
        `- op: add\n  path: /etcd\n  value: {local: {extraArgs: [${etcdArgs.map(entry).join(', ')}]}}`,
      ]),
      target('InitConfiguration', add('/nodeRegistration/kubeletExtraArgs', kubeletArgs)),
    ],
    merge: [`kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n${Object.entries(kubeletConfiguration).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`],
  };
}

/** The same as kubeadm config YAML lines (list entries at `indent`), for a config written out whole. */
export function extraArgLines(args: ExtraArg[], indent: string): string {
  return args.map((a) => `${indent}- name: "${a.name}"\n${indent}  value: "${a.value}"`).join('\n');
}
