// Lab 08: an Argo CD Application (argoproj.io/v1alpha1, a custom resource read like any other)
// synced from git with automated sync, whose Deployment reached 2 ready replicas through a commit.
// What happened is read from Argo CD's own record: status.history (one entry per completed sync)
// and the last operation. status.sync.revision is only what git says now: after a push, Argo CD
// reports the new commit (OutOfSync) before any sync has happened, and objects that already match
// git show Synced without Argo CD ever having synced them.
import {
  all, customResource, defineChecks, fail, find, missing, pass, present, shortRevision, syncRecord,
  type Assertion, type CheckContext, type KubeObject,
} from '../../grader/index.ts';

const APP = { kind: 'Application', name: 'custom-nginx', namespace: 'argocd' } as const;

async function application(ctx: CheckContext): Promise<KubeObject | undefined> {
  return (await find(ctx, APP))[0];
}

const twoReadyReplicas: Assertion = async (ctx) => {
  const expected = 'the Application\'s Deployment has 2 ready replicas in namespace gitops';
  const app = await application(ctx);
  if (!app) return missing(ctx, APP, expected);
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

/**
 * Argo CD itself synced (status.history records a completed sync, the last operation succeeded):
 * objects applied by hand that happen to match git also show Synced, with no sync ever made.
 */
const syncedByArgo: Assertion = async (ctx) => {
  const expected = 'Argo CD completed a sync (status.history) and its last sync operation succeeded';
  const app = await application(ctx);
  if (!app) return missing(ctx, APP, expected);
  const { latest, operation } = syncRecord(app);
  const subject = [{ ...APP }];
  if (!latest) return fail(expected, 'no sync in the Application\'s history yet', subject);
  if (operation?.phase !== 'Succeeded') return fail(expected, `last sync operation: ${operation?.phase ?? 'none'}`, subject);
  return pass(expected, `synced ${shortRevision(latest.revision)} at ${latest.deployedAt ?? '?'}`);
};

/** The Deployment's replicas are what Argo CD applied from git (its resource Synced), not a kubectl scale. */
const deploymentFromGit: Assertion = async (ctx) => {
  const expected = 'the Application reports its Deployment Synced with git';
  const app = await application(ctx);
  if (!app) return missing(ctx, APP, expected);
  const managed = (app.status?.resources ?? []).find((r: { kind: string }) => r.kind === 'Deployment');
  if (!managed) return fail(expected, 'the Application manages no Deployment (yet)', [{ ...APP }]);
  return managed.status === 'Synced'
    ? pass(expected, `Deployment "${managed.name}" Synced`)
    : fail(expected, `Deployment "${managed.name}" ${managed.status ?? 'unknown'} (changed outside git?)`, [{ ...APP }]);
};

const changedThroughGit: Assertion = async (ctx) => {
  const expected = 'Argo CD synced a later git revision than its first sync (status.history)';
  const app = await application(ctx);
  if (!app) return missing(ctx, APP, expected);
  const { history, compared, latest } = syncRecord(app);
  const first = history[0]?.revision;
  const subject = [{ ...APP }];
  if (!first || !latest) return fail(expected, 'the Application has not synced yet', subject);
  if (latest.revision === first) {
    return compared && compared !== first
      ? fail(expected, `git is at ${shortRevision(compared)} but Argo CD has not synced it: every sync was ${shortRevision(first)}`, subject)
      : fail(expected, `still at the first synced revision ${shortRevision(first)}: commit and push the change`, subject);
  }
  return pass(expected, `first ${shortRevision(first)}, now ${shortRevision(latest.revision)} (${history.length} syncs)`);
};

export default defineChecks({
  'application-synced': all(
    customResource({
      ...APP,
      match: { status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } },
    }),
    syncedByArgo,
  ),
  'automated-sync': customResource({ ...APP, match: { spec: { syncPolicy: { automated: present } } } }),
  'two-replicas': all(
    customResource({ ...APP, match: { spec: { destination: { namespace: 'gitops' } } } }),
    twoReadyReplicas,
    deploymentFromGit,
  ),
  'change-through-git': changedThroughGit,
});
