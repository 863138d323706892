// Kubernetes 1.35+ kubelets refuse to start on a cgroup v1 host unless their configuration says
// `failCgroupV1: false` (KEP-5573). These machines run cgroup v1 (hybrid); a cgroup v2 host must
// not carry the setting, so both providers add it only where the host is on v1.

/** A kind `kubeadmConfigPatches` entry (merged into kind's KubeletConfiguration). */
export const cgroupV1KubeletPatch = `kind: KubeletConfiguration
apiVersion: kubelet.config.k8s.io/v1beta1
failCgroupV1: false
`;

/**
 * A shell line for a node that bootstraps itself (the kubernetes provider's node pod): adds the
 * setting to the KubeletConfiguration in the kubeadm config file when the node sees cgroup v1
 * (no /sys/fs/cgroup/cgroup.controllers, the file at a cgroup v2 root).
 */
export const cgroupV1KubeletShell = (kubeadmConfig: string, v2Marker = '/sys/fs/cgroup/cgroup.controllers'): string =>
  `[ -f ${v2Marker} ] || sed -i 's/^kind: KubeletConfiguration$/&\\nfailCgroupV1: false/' ${kubeadmConfig}`;
