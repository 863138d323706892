// Which labs a learner's command line starts (issue #21: "a command in its namespace"): the
// namespace flags of kubectl, k, helm and helm3 (and argocd's --dest-namespace), against the
// real labs' namespaces (labs/*/lab.yaml); and the classroom's handler of shell marks on the
// real store: learners only, the session's learner only, the earliest start kept, floods capped.
import { beforeAll, describe, expect, it } from 'vitest';
import { listLabs } from '../../grader/catalog.ts';
import { labsNamedBy, namespacesIn } from '../../src/classroom/command-namespaces.ts';
import { MARKS_PER_WINDOW, commandStarts } from '../../src/classroom/command-starts.ts';
import { ProgressStore } from '../../src/store/progress-store.ts';

let labs: { id: string; namespaces: string[] }[];
beforeAll(async () => {
  labs = (await listLabs()).map((lab) => ({ id: lab.id, namespaces: [lab.namespace, ...(lab.setup?.namespaces ?? [])] }));
});

describe('namespaces in a command line', () => {
  it.each([
    ['kubectl -n readiness get pods', ['readiness']],
    ['kubectl get pods -nreadiness', ['readiness']],
    ['kubectl get pods -n=readiness', ['readiness']],
    ['kubectl --namespace readiness describe pod readiness-http', ['readiness']],
    ['kubectl describe pod x --namespace=readiness', ['readiness']],
    ['k -n liveness get pod -w', ['liveness']],
    ['/usr/local/bin/kubectl -n startup logs startup-test', ['startup']],
    ['helm install myapp ./myapp --namespace helm-create --create-namespace', ['helm-create']],
    ['helm3 -n helm-upgrade history mynginx', ['helm-upgrade']],
    ['argocd app create custom-nginx --dest-namespace gitops --dest-server https://kubernetes.default.svc', ['gitops']],
    ['kubectl -n "test" get all', ['test']],
    ["kubectl -n 'overlays' get deploy", ['overlays']],
    ['KUBECONFIG=~/.kube/config kubectl -n readiness get ep', ['readiness']],
    ['watch -n 2 kubectl -n readiness get pods', ['readiness']],
    ['kubectl apply -f a.yaml && kubectl -n liveness get pods | grep Running; helm -n helm-create ls', ['liveness', 'helm-create']],
    ['(cd app && kubectl -n overlays apply -k .)', ['overlays']],
  ])('%s → %j', (line, expected) => {
    expect(namespacesIn(line)).toEqual(expected);
  });

  it.each([
    ['kubectl get pods'],
    ['kubectl get pods -A'],
    ['kubectl exec -it pod -- ls -n readiness'],
    ['echo kubectl -n'],
    ['echo "kubectl -n readiness get pods"'],
    ['grep -n readiness notes.txt'],
    ['kubectl -n Not_A_Namespace get pods'],
    ['kubectl -n'],
    ['argocd app list -n gitops'],
    ['kubectl-n readiness'],
  ])('%s → none', (line) => {
    expect(namespacesIn(line)).toEqual([]);
  });

  it('names the labs of those namespaces (lab.yaml namespace and setup.namespaces)', () => {
    expect(labsNamedBy('kubectl -n readiness apply -f readiness.yaml', labs)).toEqual(['02-readiness']);
    expect(labsNamedBy('kubectl -n test get all; helm -n helm-upgrade rollback mynginx 1', labs)).toEqual(['04-kustomize-fields', '07-helm-upgrade']);
    expect(labsNamedBy('kubectl -n default get pods', labs)).toEqual([]);
    expect(labsNamedBy('kubectl -n argocd get applications', labs)).toEqual([]);
  });
});

describe("the classroom's handler of shell marks", () => {
  const T0 = Date.parse('2026-03-03T09:00:00.000Z');
  function handler(now: () => number) {
    const store = new ProgressStore(':memory:');
    const started: string[] = [];
    const onCommand = commandStarts({ store, labs: async () => labs, started: (learner, lab) => started.push(`${learner} ${lab}`), now });
    return { store, started, onCommand };
  }

  it("starts the learner's lab at the time the server got the command; the earliest start stays", async () => {
    let clock = T0;
    const { store, started, onCommand } = handler(() => clock);
    await onCommand('learner:7', 'kubectl -n readiness get pods');
    clock += 60_000;
    await onCommand('learner:7', 'kubectl -n readiness describe pod readiness-http');
    expect(started).toEqual(['learner:7 02-readiness']);
    expect(store.progress('learner:7')).toMatchObject([{ lab: '02-readiness', startedAt: new Date(T0).toISOString(), attempts: 0, checks: [] }]);
    store.close();
  });

  it("ignores shells that are not a classroom learner's (solo, an instructor) and lines naming no lab", async () => {
    const { store, started, onCommand } = handler(() => T0);
    await onCommand('solo', 'kubectl -n readiness get pods');
    await onCommand('learner:x', 'kubectl -n readiness get pods');
    await onCommand('learner:7', 'kubectl get pods -A');
    expect(started).toEqual([]);
    expect(store.database.prepare('SELECT COUNT(*) AS n FROM lab_starts').get()).toEqual({ n: 0 });
    store.close();
  });

  it('looks at no more than MARKS_PER_WINDOW marks of a learner per window (a printf loop is not a database load)', async () => {
    let clock = T0;
    const { store, started, onCommand } = handler(() => clock);
    for (let i = 0; i < MARKS_PER_WINDOW; i++) await onCommand('learner:7', 'ls');
    await onCommand('learner:7', 'kubectl -n startup get pods');
    // Another learner has a window of their own.
    await onCommand('learner:8', 'kubectl -n startup get pods');
    expect(started).toEqual(['learner:8 03-startup']);
    clock += 11_000;
    await onCommand('learner:7', 'kubectl -n startup get pods');
    expect(started).toEqual(['learner:8 03-startup', 'learner:7 03-startup']);
    store.close();
  });
});
