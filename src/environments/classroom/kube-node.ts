// A learner's whole cluster as one privileged pod on a host Kubernetes cluster: our offline kind
// node image started the way kind starts a node container (its entrypoint and systemd, /var
// on a volume, tmpfs /run and /tmp, /lib/modules read-only), then bootstrapped by a systemd unit
// of ours doing what `kind create cluster` does through docker exec (patch containerd, kubeadm
// init with kind's config, the default CNI and storage, untaint the control plane).
//
// What it took on cgroup v1 hosts (measured, see DESIGN.md "Checked by hand"):
//  - /var seeded from the image by an init container: an emptyDir hides the image's /var
//    (kind's entrypoint needs dpkg's alternatives there), where docker's anonymous volume copies it;
//  - containerd inside with SystemdCgroup = false and the kubelet on cgroupfs: with the systemd
//    driver, without a cgroup namespace, every CRI sandbox fails in runc;
//  - restrict_oom_score_adj = true: the host's nodes lack CAP_SYS_RESOURCE, so this pod does too;
//  - automountServiceAccountToken: false: the inner kubectl would take the host's token as
//    in-cluster config, and a learner must never hold host credentials.
// The inner cluster's pod and service ranges differ from the host's, so the inner CoreDNS
// forwarding to the host's DNS is not a loop.
import type { V1ConfigMap, V1Pod, V1Service } from '@kubernetes/client-node';
import { argocdNodePort } from '../addons/argocd-names.ts';
import { cgroupV1KubeletShell } from '../cgroup-v1.ts';
import { apiServerArgs, controllerManagerArgs, corednsReplicas, etcdArgs, extraArgLines, kubeletArgs, kubeletConfiguration, schedulerArgs } from '../learner-cluster-tuning.ts';

export type NodePodOptions = {
  /** The pod's (and the learner cluster's node's) name; also the Service's. */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  nodeImage: string;
  kubernetesVersion: string;
  /** Inner pod and service ranges (must not overlap the host cluster's). */
  podSubnet: string;
  serviceSubnet: string;
  /** Requests and limits of the node pod (the learner's whole cluster). */
  resources: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
  /** Where the inner containerd's registry mirror (kubernetes-labs-registry) is, as the host's pods reach it; none: preloaded images only. */
  mirrorAddress?: string;
  priorityClassName?: string;
  /** The host cluster's pod network (default kind's 10.244.0.0/16), whose addresses the node's own filter refuses on the API port. */
  hostPodCidr: string;
};

export const apiPort = 6443;
/** The name every learner API server's certificate carries, whatever address reaches it (tls-server-name). */
export const apiServerName = 'kubernetes';
const bootstrapDir = '/kind/labs';

/** kind v0.33's kubeadm config (pkg/cluster/internal/kubeadm/config.go, v1beta4: kubeadm 1.36+ has no v1beta3) for one control-plane node; @POD_IP@ is filled in by the pod. */
export function kubeadmConfig(o: Pick<NodePodOptions, 'name' | 'namespace' | 'kubernetesVersion' | 'podSubnet' | 'serviceSubnet'>): string {
  const sans = ['localhost', '127.0.0.1', '@POD_IP@', o.name, `${o.name}.${o.namespace}`, `${o.name}.${o.namespace}.svc`, `${o.name}.${o.namespace}.svc.cluster.local`];
  return `# kind's kubeadm config (kind v0.33), for a node that is a pod (src/environments/classroom/kube-node.ts)
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: ${o.kubernetesVersion}
clusterName: "${o.name}"
controlPlaneEndpoint: "@POD_IP@:${apiPort}"
apiServer:
  certSANs: [${sans.map((s) => `"${s}"`).join(', ')}]
  extraArgs:
    - name: "runtime-config"
      value: ""
${extraArgLines(apiServerArgs, '    ')}
controllerManager:
  extraArgs:
    - name: "enable-hostpath-provisioner"
      value: "true"
${extraArgLines(controllerManagerArgs, '    ')}
scheduler:
  extraArgs:
${extraArgLines(schedulerArgs, '    ')}
etcd:
  local:
    extraArgs:
${extraArgLines(etcdArgs, '      ')}
networking:
  podSubnet: "${o.podSubnet}"
  serviceSubnet: "${o.serviceSubnet}"
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: "abcdef.0123456789abcdef"
localAPIEndpoint:
  advertiseAddress: "@POD_IP@"
  bindPort: ${apiPort}
nodeRegistration:
  criSocket: "unix:///run/containerd/containerd.sock"
  kubeletExtraArgs:
    - name: "node-ip"
      value: "@POD_IP@"
    - name: "provider-id"
      value: "kind://kubernetes/${o.name}/${o.name}"
    - name: "node-labels"
      value: ""
${extraArgLines(kubeletArgs, '    ')}
timeouts:
  # A busy host node takes longer than kubeadm's 4 minutes to start a control plane.
  controlPlaneComponentHealthCheck: 20m0s
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
cgroupRoot: /kubelet
failSwapOn: false
imageGCHighThresholdPercent: 100
${Object.entries(kubeletConfiguration).map(([k, v]) => `${k}: ${v}`).join('\n')}
evictionHard:
  nodefs.available: "0%"
  nodefs.inodesFree: "0%"
  imagefs.available: "0%"
---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: "iptables"
iptables:
  minSyncPeriod: 1s
conntrack:
  maxPerCore: 0
`;
}

/** The bootstrap, run once by systemd inside the node (labs-bootstrap.service); its log is /var/log/labs-bootstrap.log. */
export function bootstrapScript(o: Pick<NodePodOptions, 'podSubnet'>): string {
  return `#!/bin/bash
# What \`kind create cluster\` does to a node container, done by the node itself.
set -euo pipefail
exec >>/var/log/labs-bootstrap.log 2>&1
echo "labs-bootstrap: start $(date -u +%FT%TZ)"
ip="$(hostname -i | awk '{print $1}')"
conf=/etc/containerd/config.toml
if ! grep -q '^# labs-pod-node' "$conf"; then
  sed -i -e 's/SystemdCgroup = true/SystemdCgroup = false/' -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$conf"
  printf '%s\\n' '# labs-pod-node' '[plugins."io.containerd.grpc.v1.cri".registry]' '  config_path = "/etc/containerd/certs.d"' >>"$conf"
  systemctl restart containerd
fi
until crictl info >/dev/null 2>&1; do sleep 1; done
sed "s/@POD_IP@/$ip/g" ${bootstrapDir}/kubeadm.conf >/kind/kubeadm.conf
${cgroupV1KubeletShell('/kind/kubeadm.conf')}
k() { kubectl --kubeconfig=/etc/kubernetes/admin.conf "$@"; }
# Run again after a failure (systemd restarts this unit): kubeadm keeps what it already made.
if [ ! -f /kind/labs-kubeadm-done ]; then
  kubeadm init --skip-phases=preflight --config=/kind/kubeadm.conf --skip-token-print --v=1
  touch /kind/labs-kubeadm-done
fi
sed 's#{{ .PodSubnet }}#${o.podSubnet}#' /kind/manifests/default-cni.yaml | k apply -f -
# kind adds CONTROL_PLANE_ENDPOINT to the CNI agent: it reaches the API before kube-proxy runs.
k -n kube-system set env daemonset/labs-cni CONTROL_PLANE_ENDPOINT="$ip:${apiPort}"
k apply -f /kind/manifests/default-storage.yaml
k taint nodes --all node-role.kubernetes.io/control-plane- || true
k -n kube-system scale deployment coredns --replicas=${corednsReplicas}
# Until the provider names this learner's toolbox, no pod of the host reaches the API server (or Argo CD).
bash ${bootstrapDir}/allow.sh
touch /kind/labs-bootstrapped
echo "labs-bootstrap: done $(date -u +%FT%TZ)"
`;
}

/** The ports the node's own filter guards: the API server and Argo CD's NodePort (lessons 6–7). */
export const guardedPorts = [apiPort, argocdNodePort];

/**
 * \`allow.sh <toolbox-ip>\`: from the host's pod network only this learner's toolbox reaches the
 * API server and Argo CD's NodePort; the node itself (lo), addresses outside that network (the
 * host's nodes: the class server through the NodePort) and the per-node gateways (NodePort
 * traffic from the same host node arrives from its bridge address, x.y.N.1 with kind's /24 per
 * node) pass too. A filter of the node's own, because NetworkPolicy is only as good as the host's
 * CNI (kind's stand-in enforces none). It sits in mangle PREROUTING, before the inner kube-proxy's
 * DNAT: a NodePort connection is forwarded to a pod, so it never passes INPUT.
 */
export function allowScript(o: Pick<NodePodOptions, 'hostPodCidr'>): string {
  const [net, bits] = o.hostPodCidr.split('/');
  const [a, b] = net.split('.');
  const gateways = bits === '16' ? `${a}.${b}.0.1/255.255.0.255` : '';
  const ipt = 'iptables -t mangle';
  const match = `-p tcp -m multiport --dports ${guardedPorts.join(',')} -j LABS-API`;
  return `#!/bin/bash
set -euo pipefail
${ipt} -N LABS-API 2>/dev/null || ${ipt} -F LABS-API
${ipt} -C PREROUTING ${match} 2>/dev/null || ${ipt} -I PREROUTING ${match}
${ipt} -A LABS-API -i lo -j RETURN
${ipt} -A LABS-API -s "$(hostname -i | awk '{print $1}')" -j RETURN
for ip in "$@"; do ${ipt} -A LABS-API -s "$ip" -j RETURN; done
${gateways ? `${ipt} -A LABS-API -s ${gateways} -j RETURN
` : ''}${ipt} -A LABS-API -s ${o.hostPodCidr} -j DROP
`;
}

const bootstrapUnit = `[Unit]
Description=Kubernetes Labs: kubeadm init of this pod node
After=containerd.service
Wants=containerd.service
ConditionPathExists=!/kind/labs-bootstrapped

[Service]
Type=oneshot
ExecStart=/bin/bash ${bootstrapDir}/bootstrap.sh
RemainAfterExit=yes
Restart=on-failure
RestartSec=5s

[Install]
WantedBy=multi-user.target
`;

/** The ConfigMap the node pod mounts: kubeadm config, bootstrap script and its systemd unit. */
export function nodeConfigMap(o: NodePodOptions): V1ConfigMap {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    data: { 'kubeadm.conf': kubeadmConfig(o), 'bootstrap.sh': bootstrapScript(o), 'labs-bootstrap.service': bootstrapUnit, 'multi-user-wants.conf': '[Unit]\nWants=labs-bootstrap.service\n', 'allow.sh': allowScript(o) },
  };
}

/** The learner's cluster: one privileged pod, as kind runs a node container. */
export function nodePod(o: NodePodOptions): V1Pod {
  const resources = {
    requests: { cpu: o.resources.cpuRequest, memory: o.resources.memoryRequest },
    limits: { cpu: o.resources.cpuLimit, memory: o.resources.memoryLimit },
  };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    spec: {
      hostname: o.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // A dead learner cluster is recreated by the provider (a fresh cluster), never restarted half-way.
      restartPolicy: 'Never',
      priorityClassName: o.priorityClassName,
      hostAliases: o.mirrorAddress ? [{ ip: o.mirrorAddress, hostnames: ['kubernetes-labs-registry'] }] : undefined,
      // Learners' clusters spread over the host's nodes.
      topologySpreadConstraints: [{
        maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', nodeTaintsPolicy: 'Honor',
        labelSelector: { matchLabels: { 'labs.kubernetes-labs.io/role': 'node', 'labs.kubernetes-labs.io/pool': o.labels['labs.kubernetes-labs.io/pool'] } },
      }],
      initContainers: [{
        name: 'seed-var', image: o.nodeImage, imagePullPolicy: 'IfNotPresent',
        command: ['/bin/sh', '-c', 'cp -a /var/. /seed/'],
        volumeMounts: [{ name: 'var', mountPath: '/seed' }],
        resources,
      }],
      containers: [{
        name: 'node', image: o.nodeImage, imagePullPolicy: 'IfNotPresent',
        securityContext: { privileged: true, seccompProfile: { type: 'Unconfined' } },
        env: [{ name: 'container', value: 'docker' }],
        tty: true,
        resources,
        volumeMounts: [
          { name: 'var', mountPath: '/var' },
          { name: 'run', mountPath: '/run' },
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
          { name: 'bootstrap', mountPath: bootstrapDir, readOnly: true },
          // systemd loads the unit from its path and starts it through a drop-in of multi-user.target (a .wants/ entry must be a symlink).
          { name: 'bootstrap', mountPath: '/etc/systemd/system/labs-bootstrap.service', subPath: 'labs-bootstrap.service', readOnly: true },
          { name: 'bootstrap', mountPath: '/etc/systemd/system/multi-user.target.d/labs-bootstrap.conf', subPath: 'multi-user-wants.conf', readOnly: true },
        ],
        // Ready once the learner's API server answers (kubeadm init and the CNI done).
        readinessProbe: { exec: { command: ['test', '-f', '/kind/labs-bootstrapped'] }, periodSeconds: 2, failureThreshold: 1 },
      }],
      volumes: [
        { name: 'var', emptyDir: {} },
        { name: 'run', emptyDir: { medium: 'Memory' } },
        { name: 'tmp', emptyDir: { medium: 'Memory' } },
        { name: 'lib-modules', hostPath: { path: '/lib/modules', type: 'Directory' } },
        { name: 'bootstrap', configMap: { name: o.name, defaultMode: 0o644 } },
      ],
    },
  };
}

/** The learner API server: a ClusterIP for the toolbox (by DNS name), a NodePort for the class server outside the host cluster. */
export function nodeService(o: Pick<NodePodOptions, 'name' | 'namespace' | 'labels'>): V1Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    spec: {
      type: 'NodePort',
      selector: { 'labs.kubernetes-labs.io/env': o.labels['labs.kubernetes-labs.io/env'], 'labs.kubernetes-labs.io/role': 'node' },
      ports: [{ name: 'https', port: apiPort, targetPort: apiPort, protocol: 'TCP' }],
    },
  };
}
