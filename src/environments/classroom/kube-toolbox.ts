// A learner's shell on the host cluster: the toolbox image (kind/images.yaml) as an unprivileged
// pod beside their cluster's pod, holding only that cluster's kubeconfig (copied into the home
// by an init container: the main container never sees the Secret), and the NetworkPolicies that
// let it reach only its own cluster (API server, Argo CD's NodePort), DNS, the class server and
// the in-class git server.
import type { V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { apiPort, guardedPorts } from './kube-node.ts';
import { kubeLabel, toolboxName } from './kube-objects.ts';

export const toolboxHome = '/home/learner';
export const toolboxTokenFile = `${toolboxHome}/.config/labs/token`;

export type ToolboxOptions = {
  env: string;
  namespace: string;
  labels: Record<string, string>;
  image: string;
  /** The Secret holding the toolbox's kubeconfig (key kubeconfig-toolbox). */
  secret: string;
  resources: { cpuRequest: string; memoryRequest: string; cpuLimit: string; memoryLimit: string };
  /** LABS_SERVER for the learner's `labs` thin client. */
  serverUrl?: string;
  /** What `labs-server` resolves to in the toolbox (an address of the class server the host's pods reach). */
  serverAddress?: string;
  priorityClassName?: string;
};

export function toolboxPod(o: ToolboxOptions): V1Pod {
  const home = { name: 'home', mountPath: toolboxHome };
  const locked = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: toolboxName(o.env), namespace: o.namespace, labels: o.labels },
    spec: {
      hostname: 'lab',
      // No host credentials: no service-account token, no environment naming other learners' Services.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      priorityClassName: o.priorityClassName,
      securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      hostAliases: o.serverAddress ? [{ ip: o.serverAddress, hostnames: ['labs-server'] }] : undefined,
      initContainers: [{
        name: 'home', image: o.image, imagePullPolicy: 'IfNotPresent', securityContext: locked,
        command: ['/bin/sh', '-c', 'cp -rn /etc/skel/. "$HOME"/; mkdir -p "$HOME/.kube" "$HOME/.config/labs" && cp /etc/labs/kubeconfig "$HOME/.kube/config" && chmod 600 "$HOME/.kube/config"'],
        env: [{ name: 'HOME', value: toolboxHome }],
        volumeMounts: [home, { name: 'kubeconfig', mountPath: '/etc/labs', readOnly: true }],
        resources: { limits: { cpu: '200m', memory: '64Mi' } },
      }],
      containers: [{
        name: 'toolbox', image: o.image, imagePullPolicy: 'IfNotPresent', securityContext: locked,
        command: ['sleep', 'infinity'],
        env: [
          { name: 'HOME', value: toolboxHome }, { name: 'LANG', value: 'C.UTF-8' }, { name: 'TERM', value: 'xterm-256color' },
          { name: 'LABS_TOKEN_FILE', value: toolboxTokenFile },
          ...(o.serverUrl ? [{ name: 'LABS_SERVER', value: o.serverUrl }] : []),
        ],
        workingDir: toolboxHome,
        resources: { requests: { cpu: o.resources.cpuRequest, memory: o.resources.memoryRequest }, limits: { cpu: o.resources.cpuLimit, memory: o.resources.memoryLimit } },
        volumeMounts: [home, { name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [
        { name: 'home', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
        { name: 'kubeconfig', secret: { secretName: o.secret, items: [{ key: 'kubeconfig-toolbox', path: 'kubeconfig' }], defaultMode: 0o444 } },
      ],
    },
  };
}

const envSelector = (o: { labels: Record<string, string> }, role: string) => ({
  matchLabels: { [kubeLabel.env]: o.labels[kubeLabel.env], [kubeLabel.role]: role },
});

/** Where the in-class git server (src/gitserver) listens, as the host's pods reach it. */
export type GitServerAddress = { address: string; port: number };

const tcp = (ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));

/**
 * The toolbox talks to its own cluster (API server, Argo CD's NodePort), the host's DNS, the
 * class server and the in-class git server only; nothing connects to it. (Enforced by the host's
 * CNI when it implements NetworkPolicy; the learner's node pod also filters those ports itself,
 * see kube-node.ts allowScript.)
 */
export function toolboxPolicy(o: Pick<ToolboxOptions, 'env' | 'namespace' | 'labels'> & { serverCidr?: string; serverPort?: number; gitServer?: GitServerAddress }): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: toolboxName(o.env), namespace: o.namespace, labels: o.labels },
    spec: {
      podSelector: envSelector(o, 'toolbox'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        { to: [{ podSelector: envSelector(o, 'node') }], ports: tcp(guardedPorts) },
        { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
        ...(o.serverCidr ? [{ to: [{ ipBlock: { cidr: o.serverCidr } }], ports: o.serverPort ? tcp([o.serverPort]) : undefined }] : []),
        ...(o.gitServer ? [{ to: [{ ipBlock: { cidr: `${o.gitServer.address}/32` } }], ports: tcp([o.gitServer.port]) }] : []),
      ],
    },
  };
}

/**
 * The learner's cluster takes connections to its API server and Argo CD's NodePort from its own
 * toolbox, and to its API server from outside the host's pod network (the class server through
 * the NodePort).
 */
export function nodePolicy(o: Pick<ToolboxOptions, 'env' | 'namespace' | 'labels'> & { hostPodCidr: string }): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: o.env, namespace: o.namespace, labels: o.labels },
    spec: {
      podSelector: envSelector(o, 'node'),
      policyTypes: ['Ingress'],
      ingress: [
        { _from: [{ podSelector: envSelector(o, 'toolbox') }], ports: tcp(guardedPorts) },
        { _from: [{ ipBlock: { cidr: '0.0.0.0/0', except: [o.hostPodCidr] } }], ports: tcp([apiPort]) },
      ],
    },
  };
}
