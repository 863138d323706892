// What a hostile learner tries first, as shell scripts run with nothing but the learner's own
// kubeconfig and tools (kubectl, helm, curl): in a classroom sandbox (classroom-class.spec.ts) and
// from this machine with the learner's kubeconfig (guardrails.spec.ts). Every attempt must fail,
// and for the right reason: `refusedBy` is what the refusal says, so an attempt that fails for an
// unrelated reason (a typo, a missing image) does not pass as "held".

export type EscapeAttempt = {
  name: string;
  /** bash, `set -euo pipefail`; $NS is a namespace of the learner's own, $NODE the node's name. */
  script: string;
  /** The refusal's words; the attempt's output must match. */
  refusedBy: RegExp;
};

const podSecurity = /labs\.pod-security/;
const platformNamespace = /labs\.platform-namespaces|belongs to the platform/;
const rbac = /forbidden|Forbidden/;

/** A pod manifest in $NS whose spec is `spec` (JSON), for `kubectl apply -f -`. */
const pod = (name: string, spec: Record<string, unknown>, namespace = '$NS') =>
  `cat <<'EOF' | sed "s/__NS__/${namespace}/" | kubectl apply -f -
${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: '__NS__' }, spec })}
EOF`;
const busybox = (extra: Record<string, unknown> = {}) => ({ name: 'c', image: 'busybox', command: ['sleep', '3600'], ...extra });

export const escapeAttempts: EscapeAttempt[] = [
  { name: 'a privileged pod', script: pod('esc-privileged', { containers: [busybox({ securityContext: { privileged: true } })] }), refusedBy: podSecurity },
  { name: 'hostPath / mounted', script: pod('esc-hostpath-root', { containers: [busybox({ volumeMounts: [{ name: 'h', mountPath: '/h' }] })], volumes: [{ name: 'h', hostPath: { path: '/' } }] }), refusedBy: podSecurity },
  { name: 'hostPath /var/run (containerd, docker sockets)', script: pod('esc-hostpath-run', { containers: [busybox({ volumeMounts: [{ name: 'h', mountPath: '/h' }] })], volumes: [{ name: 'h', hostPath: { path: '/var/run' } }] }), refusedBy: podSecurity },
  { name: 'a static-pod manifest through hostPath /etc/kubernetes/manifests', script: pod('esc-static', { containers: [busybox({ volumeMounts: [{ name: 'h', mountPath: '/m' }] })], volumes: [{ name: 'h', hostPath: { path: '/etc/kubernetes/manifests', type: 'Directory' } }] }), refusedBy: podSecurity },
  { name: 'hostPID for nsenter into the node', script: pod('esc-hostpid', { hostPID: true, containers: [busybox({ command: ['nsenter', '-t', '1', '-m', '-u', '-i', '-n', 'sleep', '3600'] })] }), refusedBy: podSecurity },
  { name: "hostNetwork to the host's services", script: pod('esc-hostnet', { hostNetwork: true, containers: [busybox()] }), refusedBy: podSecurity },
  { name: 'CAP_SYS_ADMIN (cgroup release_agent, mount)', script: pod('esc-sysadmin', { containers: [busybox({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } })] }), refusedBy: podSecurity },
  { name: 'a Deployment whose pods are privileged', script: `kubectl -n "$NS" create deployment esc-deploy --image=busybox --dry-run=client -o json -- sleep 3600 \\
  | sed 's/"resources": {}/"resources": {}, "securityContext": {"privileged": true}/' | kubectl apply -f -`, refusedBy: podSecurity },
  { name: 'kubectl debug node/… (host namespaces and the host root)', script: 'kubectl debug "node/$NODE" -n "$NS" --image=busybox -- true', refusedBy: podSecurity },
  { name: 'exec into a kube-system pod (kube-proxy is privileged)', script: 'p=$(kubectl -n kube-system get pods -l k8s-app=kube-proxy -o name | head -1); kubectl -n kube-system exec "$p" -- id', refusedBy: platformNamespace },
  { name: 'port-forward to a kube-system pod', script: 'p=$(kubectl -n kube-system get pods -l k8s-app=kube-proxy -o name | head -1); timeout 20 kubectl -n kube-system port-forward "$p" 10249:10249', refusedBy: platformNamespace },
  { name: 'a DaemonSet in kube-system', script: `kubectl -n kube-system create deployment esc --image=busybox --dry-run=client -o json | sed 's/"kind": "Deployment"/"kind": "DaemonSet"/; /"replicas"/d; /"strategy"/d' | kubectl apply -f -`, refusedBy: platformNamespace },
  { name: 'a pod in kube-system', script: pod('esc-in-kube-system', { containers: [busybox()] }, 'kube-system'), refusedBy: platformNamespace },
  { name: "a token for a kube-system ServiceAccount", script: 'kubectl -n kube-system create token kube-proxy', refusedBy: rbac },
  // A dry run: admission decides as for the real thing, and a failing guardrail breaks nothing.
  // (kube-system itself is also immortal by the API server's own rule, so it proves less.)
  { name: "deleting the storage provisioner's namespace", script: 'kubectl delete namespace local-path-storage --dry-run=server', refusedBy: platformNamespace },
  { name: 'the kubelet API through nodes/proxy', script: 'kubectl get --raw "/api/v1/nodes/$NODE/proxy/pods"', refusedBy: rbac },
  { name: 'the kubelet API directly with the learner certificate (exec)', script: `dir=$(mktemp -d)
kubectl config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d > "$dir/crt"
kubectl config view --raw -o jsonpath='{.users[0].user.client-key-data}' | base64 -d > "$dir/key"
ip=$(kubectl get node "$NODE" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
p=$(kubectl -n kube-system get pods -l k8s-app=kube-proxy -o jsonpath='{.items[0].metadata.name}')
out=$(curl -sk --max-time 20 --cert "$dir/crt" --key "$dir/key" -X POST "https://$ip:10250/run/kube-system/$p/kube-proxy" -d cmd=id); echo "$out"
case "$out" in *uid=*) exit 0;; *) exit 1;; esac`, refusedBy: /Forbidden/ },
  { name: 'binding cluster-admin to oneself', script: 'kubectl create clusterrolebinding esc-admin --clusterrole=cluster-admin --user=learner', refusedBy: /forbidden.*(escalat|not currently held|attempting to grant)/is },
  { name: 'a ClusterRole that aggregates cluster-admin', script: `cat <<'EOF' | kubectl apply -f -
{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"esc-aggregate"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"kubernetes.io/bootstrapping":"rbac-defaults"}}]},"rules":[]}
EOF`, refusedBy: rbac },
  { name: 'deleting a guardrail', script: 'kubectl delete validatingadmissionpolicy labs.pod-security', refusedBy: rbac },
  { name: 'editing a guardrail binding', script: `kubectl patch validatingadmissionpolicybinding labs.pod-security --type merge -p '{"spec":{"validationActions":["Audit"]}}'`, refusedBy: rbac },
  { name: 'a webhook that sees every request', script: `cat <<'EOF' | kubectl apply -f -
{"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration","metadata":{"name":"esc"},"webhooks":[]}
EOF`, refusedBy: rbac },
  { name: 'a CSR for system:masters', script: `cat <<'EOF' | kubectl apply -f -
{"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"esc-masters"},"spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K","signerName":"kubernetes.io/kube-apiserver-client","usages":["client auth"],"groups":["system:masters"]}}
EOF`, refusedBy: rbac },
  { name: 'impersonating the admin', script: 'kubectl get secrets -A --as=kubernetes-admin --as-group=system:masters', refusedBy: rbac },
  { name: 'a hostPath PersistentVolume', script: `cat <<'EOF' | kubectl apply -f -
{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"esc-pv"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"hostPath":{"path":"/"}}}
EOF`, refusedBy: rbac },
  { name: 'a Helm chart whose pods are privileged', script: `cd "$(mktemp -d)" && helm create esc >/dev/null
sed -i 's/^securityContext: {}/securityContext:\\n  privileged: true/' esc/values.yaml
grep -q 'privileged: true' esc/values.yaml
helm install esc ./esc -n "$NS" --wait=false`, refusedBy: podSecurity },
  { name: 'a Helm chart installed into kube-system', script: `cd "$(mktemp -d)" && helm create esc >/dev/null
helm install esc-ks ./esc -n kube-system`, refusedBy: platformNamespace },
];

/** Runs inside a pod the learner may make (busybox, default capabilities): the kernel and runtime must refuse. */
export const inPodAttempts: EscapeAttempt[] = [
  { name: 'mounting the host block device from an ordinary pod', script: 'kubectl -n "$NS" exec esc-ordinary -- sh -c "ls /dev/vda /dev/sda /dev/nvme0n1 2>&1; mkdir -p /tmp/h && mount /dev/vda /tmp/h"', refusedBy: /No such file|permission denied|operation not permitted/i },
  { name: 'a cgroup mount for release_agent from an ordinary pod', script: 'kubectl -n "$NS" exec esc-ordinary -- sh -c "mkdir -p /tmp/c && mount -t cgroup -o rdma cgroup /tmp/c"', refusedBy: /permission denied|operation not permitted/i },
];

/** The ordinary pod inPodAttempts run in: allowed by every guardrail (what a lesson makes). */
export const ordinaryPod = pod('esc-ordinary', { containers: [busybox()] });

/**
 * Runs each attempt with `inShell` (after `prelude`, e.g. the NS/NODE exports); what comes back is
 * one line per attempt that succeeded or failed for another reason than its guardrail's.
 */
export async function unrefused(attempts: EscapeAttempt[], inShell: (script: string) => Promise<{ code: number; out: string }>, prelude: string): Promise<string[]> {
  const failures: string[] = [];
  for (const attempt of attempts) {
    const r = await inShell(prelude + attempt.script);
    if (r.code === 0 || !attempt.refusedBy.test(r.out)) failures.push(`${attempt.name}: exit ${r.code}\n${r.out.slice(-1500)}`);
  }
  return failures;
}
