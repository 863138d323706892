// Lab 08: an Argo CD Application (argoproj.io/v1alpha1, a custom resource read like any other)
// synced from git with automated sync, whose Deployment reached 2 ready replicas through a commit.
import {
  all, customResource, defineChecks, fail, find, pass, present, type Assertion, type CheckContext, type KubeObject,
} from '../../grader/index.ts';

const APP = { kind: 'Application', name: 'custom-nginx', namespace: 'argocd' } as const;

async function application(ctx: CheckContext): Promise<KubeObject | undefined> {
  return (await find(ctx, APP))[0];
}

const twoReadyReplicas: Assertion = async (ctx) => {
  const expected = 'the Application\'s Deployment has 2 ready replicas in namespace gitops';
  const app = await application(ctx);
  if (!app) return fail(expected, 'no Application "custom-nginx" in namespace "argocd"');
  const managed = (app.status?.resources ?? []).find((r: { kind: string; group?: string }) => r.kind === 'Deployment');
  if (!managed) return fail(expected, 'the Application manages no Deployment (yet)', [{ ...APP }]);
  const [deployment] = await find(ctx, { kind: 'Deployment', name: managed.name, namespace: managed.namespace ?? ctx.namespace });
  if (!deployment) return fail(expected, `Deployment "${managed.name}" not found in namespace "${managed.namespace}"`, [{ ...APP }]);
  const subject = [{ kind: 'Deployment' as const, name: deployment.metadata.name, namespace: deployment.metadata.namespace }];
  if (deployment.metadata.namespace !== ctx.namespace) {
    return fail(expected, `Deployment "${managed.name}" is in namespace "${deployment.metadata.namespace}"`, subject);
  }
  const ready = deployment.status?.readyReplicas ?? 0;
  const desired = deployment.spec?.replicas;
  return desired === 2 && ready === 2
    ? pass(expected, `Deployment "${deployment.metadata.name}": 2/2 ready`)
    : fail(expected, `Deployment "${deployment.metadata.name}": ${ready} ready of ${desired} desired`, subject);
};

const changedThroughGit: Assertion = async (ctx) => {
  const expected = 'the synced git revision differs from the Application\'s first sync';
  const app = await application(ctx);
  if (!app) return fail(expected, 'no Application "custom-nginx" in namespace "argocd"');
  const history: { revision?: string; id?: number }[] = app.status?.history ?? [];
  const first = history[0]?.revision;
  const current = app.status?.sync?.revision;
  if (!first || !current) return fail(expected, 'the Application has not synced yet', [{ ...APP }]);
  return current !== first
    ? pass(expected, `first ${first.slice(0, 8)}, now ${current.slice(0, 8)} (${history.length} syncs)`)
    : fail(expected, `still at the first synced revision ${first.slice(0, 8)}: commit and push the change`, [{ ...APP }]);
};

export default defineChecks({
  'application-synced': customResource({
    ...APP,
    match: { status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } },
  }),
  'automated-sync': customResource({ ...APP, match: { spec: { syncPolicy: { automated: present } } } }),
  'two-replicas': all(customResource({ ...APP, match: { spec: { destination: { namespace: 'gitops' } } } }), twoReadyReplicas),
  'change-through-git': changedThroughGit,
});
