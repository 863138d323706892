import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { trimInstallManifest } from './argocd-manifest.ts';

// Argo CD's cluster-wide roles and its main ConfigMap, as install.yaml ships them.
const argocdRbac = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: argocd-application-controller}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}, {nonResourceURLs: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: argocd-server}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: [delete, get, patch]}, {apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm}
`;

// The shapes install.yaml has (names, labels, pull policies), cut down to one object per case.
const install = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: applicationsets.argoproj.io, labels: {app.kubernetes.io/name: applicationsets.argoproj.io}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argocd-dex-server, labels: {app.kubernetes.io/name: argocd-dex-server}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-notifications-cm, labels: {app.kubernetes.io/name: argocd-notifications-cm}}
---
apiVersion: v1
kind: Service
metadata: {name: argocd-notifications-controller-metrics, labels: {app.kubernetes.io/name: argocd-notifications-controller-metrics}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: argocd-applicationset-controller-network-policy}
spec: {podSelector: {matchLabels: {app.kubernetes.io/name: argocd-applicationset-controller}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-applicationset-controller, labels: {app.kubernetes.io/name: argocd-applicationset-controller}}
spec: {template: {spec: {containers: [{name: c, image: quay.io/argoproj/argocd:v3.6.1}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-redis, labels: {app.kubernetes.io/name: argocd-redis}}
spec:
  template:
    spec:
      initContainers: [{name: secret-init, image: quay.io/argoproj/argocd:v3.6.1, imagePullPolicy: IfNotPresent}]
      containers: [{name: redis, image: public.ecr.aws/docker/library/redis:8.10.1-alpine, imagePullPolicy: Always}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: argocd-application-controller, labels: {app.kubernetes.io/name: argocd-application-controller}}
spec: {template: {spec: {containers: [{name: c, image: quay.io/argoproj/argocd:v3.6.1, imagePullPolicy: Always}]}}}
` + argocdRbac;

describe('trimInstallManifest', () => {
  it('drops the dex, notifications and applicationset workloads but keeps CRDs and config', () => {
    const r = trimInstallManifest(install);
    expect(r.dropped).toEqual([
      'ServiceAccount/argocd-dex-server',
      'Service/argocd-notifications-controller-metrics',
      'NetworkPolicy/argocd-applicationset-controller-network-policy',
      'Deployment/argocd-applicationset-controller',
    ]);
    expect(r.workloads).toEqual(['Deployment/argocd-redis', 'StatefulSet/argocd-application-controller']);
    const list = JSON.parse(r.yaml) as { kind: string; items: { kind: string; metadata: { name: string } }[] };
    expect(list.kind).toBe('List');
    const kept = list.items.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kept).toContain('CustomResourceDefinition/applicationsets.argoproj.io');
    expect(kept).toContain('ConfigMap/argocd-notifications-cm');
    expect(r.images).toEqual(['public.ecr.aws/docker/library/redis:8.10.1-alpine', 'quay.io/argoproj/argocd:v3.6.1']);
  });

  it('keeps image names and pull policies unless images were side-loaded', () => {
    expect(trimInstallManifest(install).yaml).toMatch(/"imagePullPolicy":"Always"/);
    const sideLoaded = trimInstallManifest(install, { pullIfNotPresent: true }).yaml;
    expect(sideLoaded).not.toMatch(/"imagePullPolicy":"Always"/);
    expect(sideLoaded).toMatch(/"image":"public\.ecr\.aws\/docker\/library\/redis:8\.10\.1-alpine"/);
  });

  it('keeps strings that YAML 1.1 would read as booleans strings (redis --appendonly "no")', () => {
    const redisArgs = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-redis}
spec: {template: {spec: {containers: [{name: redis, image: r, args: ["--appendonly", "no", "--save", ""]}]}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argocd-dex-server}
` + argocdRbac;
    const [doc] = parseAllDocuments(trimInstallManifest(redisArgs).yaml, { version: '1.1' });
    const list = doc!.toJS() as { items: { spec: { template: { spec: { containers: { args: unknown[] }[] } } } }[] };
    const args = list.items[0]!.spec.template.spec.containers[0]!.args;
    expect(args).toEqual(['--appendonly', 'no', '--save', '']);
  });

  it('keeps each resource\'s health in the Application, and restarts the controller to read it', () => {
    type Item = { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: { template: { metadata?: { annotations?: Record<string, string> } } } };
    const items = (yaml: string) => (JSON.parse(yaml) as { items: Item[] }).items;
    const withParams = `${install}---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cmd-params-cm, labels: {app.kubernetes.io/name: argocd-cmd-params-cm}}
data: {server.insecure: "true"}
`;
    for (const manifest of [install, withParams]) {
      const kept = items(trimInstallManifest(manifest).yaml);
      const params = kept.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cmd-params-cm');
      expect(params).toHaveLength(1);
      expect(params[0]!.data?.['controller.resource.health.persist']).toBe('true');
      const controller = kept.find((o) => o.metadata.name === 'argocd-application-controller')!;
      expect(controller.spec!.template.metadata?.annotations?.['kubernetes-labs/cmd-params']).toBe('controller.resource.health.persist=true');
    }
    // What install.yaml already sets stays.
    expect(items(trimInstallManifest(withParams).yaml).find((o) => o.metadata.name === 'argocd-cmd-params-cm')!.data?.['server.insecure']).toBe('true');
  });

  it("gives Argo CD the learner's rights instead of * on * (the guardrails' aggregated rules)", () => {
    type Item = { kind: string; metadata: { name: string }; rules?: unknown[]; aggregationRule?: unknown; data?: Record<string, string> };
    const items = (JSON.parse(trimInstallManifest(install).yaml) as { items: Item[] }).items;
    for (const name of ['argocd-application-controller', 'argocd-server']) {
      const role = items.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name)!;
      expect(role.rules).toEqual([]);
      expect(role.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'kubernetes-labs/learner-rules': 'true' } }] });
    }
    expect(items.find((o) => o.metadata.name === 'argocd-cm')!.data?.['resource.respectRBAC']).toBe('normal');
    // A renamed role upstream must not silently keep cluster-admin's rights.
    expect(() => trimInstallManifest(install.replace('name: argocd-server}', 'name: argocd-server-renamed}'))).toThrow(/ClusterRole argocd-server not found/);
  });

  it('refuses a manifest that is not Argo CD install.yaml', () => {
    expect(() => trimInstallManifest('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')).toThrow(/right manifest/);
  });
});
