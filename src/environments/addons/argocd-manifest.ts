// Argo CD's own install manifest (manifests/install.yaml from the module zip), trimmed for a
// learner cluster. What changes, and why — nothing else does:
//  - dex (SSO), the notifications controller and the ApplicationSet controller are dropped with
//    their ServiceAccounts, RBAC, Services and NetworkPolicies: the course uses none of them and
//    each costs a pod. Their CRDs, ConfigMaps and Secrets stay (argocd-server watches them).
//  - only when images were loaded into the node instead of the registry mirror: imagePullPolicy
//    Always → IfNotPresent (Always would ask a registry that does not have them).
//  - each resource's health is kept in the Application (argocd-cmd-params-cm
//    `controller.resource.health.persist: "true"`; Argo CD 3 keeps it only in its Redis cache by
//    default), so the lesson page's Argo CD view (src/server/gitops.ts), `kubectl get application
//    -o yaml` and graders see it. The controller's pod template carries a matching annotation, so
//    applying this over an older install (`--reapply`) restarts the controller to read it.
//  - the application controller and argocd-server act with the learner's rights, not
//    cluster-admin's: their ClusterRoles aggregate the learner's rules (kind/guardrails/), so an
//    Application can deploy exactly what its learner could, and never onto the node. argocd-cm's
//    `resource.respectRBAC: normal` makes the controller skip the kinds it may not list instead
//    of failing its cluster cache.
import { parseAllDocuments } from 'yaml';
import { learnerRulesLabel } from '../guardrails.ts';

export const droppedComponents = ['argocd-dex-server', 'argocd-notifications-controller', 'argocd-applicationset-controller'] as const;

/** Kinds that make a component run or reach it; config objects are kept. */
const droppedKinds = new Set(['Deployment', 'StatefulSet', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'NetworkPolicy']);

type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
};

export type TrimmedManifest = {
  /** The objects as one JSON `v1/List` (valid YAML too), ready for `kubectl apply -n argocd -f -`. */
  yaml: string;
  /** "Kind/name" of every object removed. */
  dropped: string[];
  /** Every image the remaining workloads use (sorted, unique). */
  images: string[];
  /** "Kind/name" of the remaining workloads (Deployments and StatefulSets). */
  workloads: string[];
};

export type TrimOptions = {
  /** Images were side-loaded into the nodes (no registry holds them): pull only if missing. */
  pullIfNotPresent?: boolean;
};

const belongsToDropped = (o: K8sObject): boolean => {
  const name = o.metadata?.name ?? '';
  const component = o.metadata?.labels?.['app.kubernetes.io/name'] ?? '';
  return droppedComponents.some((c) => name === c || name.startsWith(`${c}-`) || component === c);
};

type Container = { image?: string; imagePullPolicy?: string };
type PodSpec = { containers?: Container[]; initContainers?: Container[] };

function podSpecOf(o: K8sObject): PodSpec | undefined {
  if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return undefined;
  return (o.spec?.template as { spec?: PodSpec } | undefined)?.spec;
}

/** argocd-cmd-params-cm keys this platform sets (the application controller reads them at start). */
export const commandParameters = { 'controller.resource.health.persist': 'true' } as const;
const parametersAnnotation = 'kubernetes-labs/cmd-params';

/** Sets commandParameters in argocd-cmd-params-cm (adding it if missing) and marks the controller's pod template. */
function setCommandParameters(kept: K8sObject[]): void {
  let params = kept.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'argocd-cmd-params-cm') as (K8sObject & { data?: Record<string, string> }) | undefined;
  if (!params) {
    params = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cmd-params-cm', labels: { 'app.kubernetes.io/name': 'argocd-cmd-params-cm', 'app.kubernetes.io/part-of': 'argocd' } } };
    kept.push(params);
  }
  params.data = { ...params.data, ...commandParameters };
  const controller = kept.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'argocd-application-controller');
  const template = controller?.spec?.template as { metadata?: { annotations?: Record<string, string> } } | undefined;
  if (template) {
    template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [parametersAnnotation]: Object.entries(commandParameters).map(([k, v]) => `${k}=${v}`).join(',') } };
  }
}

/** ClusterRoles of Argo CD's components that would otherwise hold `*` on `*`. */
export const learnerRightsRoles = ['argocd-application-controller', 'argocd-server'] as const;

/** Argo CD's ClusterRoles become the learner's rules; the controller respects what RBAC denies. */
function withLearnerRights(kept: K8sObject[]): void {
  for (const name of learnerRightsRoles) {
    const role = kept.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === name) as (K8sObject & { rules?: unknown[]; aggregationRule?: unknown }) | undefined;
    if (!role) throw new Error(`Argo CD install.yaml: ClusterRole ${name} not found — is this the right manifest?`);
    role.rules = [];
    role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [learnerRulesLabel]: 'true' } }] };
  }
  const cm = kept.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'argocd-cm') as (K8sObject & { data?: Record<string, string> }) | undefined;
  if (!cm) throw new Error('Argo CD install.yaml: ConfigMap argocd-cm not found');
  cm.data = { ...cm.data, 'resource.respectRBAC': 'normal' };
}

export function trimInstallManifest(installYaml: string, options: TrimOptions = {}): TrimmedManifest {
  const docs = parseAllDocuments(installYaml);
  const kept: K8sObject[] = [];
  const dropped: string[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`Argo CD install.yaml: ${doc.errors[0]!.message}`);
    const o = doc.toJS() as K8sObject | null;
    if (!o?.kind) continue;
    if (droppedKinds.has(o.kind) && belongsToDropped(o)) {
      dropped.push(`${o.kind}/${o.metadata?.name}`);
      continue;
    }
    kept.push(o);
  }
  const images = new Set<string>();
  const workloads: string[] = [];
  for (const o of kept) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    workloads.push(`${o.kind}/${o.metadata?.name}`);
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      if (c.image) images.add(c.image);
      if (options.pullIfNotPresent && c.imagePullPolicy === 'Always') c.imagePullPolicy = 'IfNotPresent';
    }
  }
  if (dropped.length === 0) throw new Error('Argo CD install.yaml: none of dex, notifications, applicationset found — is this the right manifest?');
  setCommandParameters(kept);
  withLearnerRights(kept);
  return {
    // One JSON `List`: re-serialised YAML would write strings like "no" unquoted, which
    // kubectl's YAML 1.1 reader turns into booleans (redis's `--appendonly no`), and JSON
    // documents separated by `---` confuse kubectl < 1.34's stream sniffing.
    yaml: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: kept }),
    dropped,
    images: [...images].sort(),
    workloads,
  };
}
