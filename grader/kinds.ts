// The resource kinds graders read, and where the API serves them. A static table (no discovery
// round-trip) keeps a verify to one request per kind.

export type KindInfo = { group: string; version: string; plural: string; namespaced: boolean };

export const kinds = {
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Event: { group: '', version: 'v1', plural: 'events', namespaced: true },
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  ServiceAccount: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  ReplicaSet: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  EndpointSlice: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true },
  Application: { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespaced: true },
} as const satisfies Record<string, KindInfo>;

export type KindName = keyof typeof kinds;

export function apiVersionOf(kind: KindName): string {
  const info: KindInfo = kinds[kind];
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** REST path of the collection, e.g. /apis/apps/v1/namespaces/web/deployments. */
export function collectionPath(kind: KindName, namespace?: string): string {
  const info: KindInfo = kinds[kind];
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return info.namespaced && namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`
    : `${base}/${info.plural}`;
}

/** What a read-only grader identity needs (see grader/README.md for the ClusterRole). */
export const readRules = Object.entries(kinds).map(([, info]) => ({
  apiGroup: info.group,
  resource: info.plural,
  verbs: ['get', 'list', 'watch'],
}));
