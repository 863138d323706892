// Grading on cluster events (src/classroom/cluster-watch.ts) against the real API server: a pod
// made in a learner's namespace is heard, pods of kube-system are not, a watch the API server
// ends is resumed without replaying the cluster's pods, a learner
// who leaves is no longer watched, and a kubeconfig that reaches nothing is retried, not fatal.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchLearnerClusters, type WatchedLearner } from '../../src/classroom/cluster-watch.ts';
import { sh, testKubeconfig } from './helpers/cluster.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const namespace = `watch-${randomBytes(3).toString('hex')}`;
const kubeconfig = testKubeconfig();

afterAll(async () => {
  await sh(`kubectl delete namespace ${namespace} --wait=false --ignore-not-found`, kubeconfig);
});

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('watching learner clusters for grading', () => {
  it("hears a learner's pod change, not kube-system's, and stops watching a learner who left", async () => {
    const heard: number[] = [];
    const unreachable = join(tmpdir(), `unreachable-${namespace}.kubeconfig`);
    writeFileSync(unreachable, (await sh('kubectl config view --raw', kubeconfig)).replace(/server: https:\/\/[^\n]+/, 'server: https://127.0.0.1:9'));
    let learners: WatchedLearner[] = [{ id: 1, kubeconfig }, { id: 2, kubeconfig: unreachable }];
    // Watches of 2 s: each is resumed several times during the test, from where it ended.
    const watch = watchLearnerClusters({ learners: () => learners, changed: (id) => heard.push(id), syncEveryMs: 200, watchSeconds: 2 });
    try {
      await sh(`kubectl create namespace ${namespace}`, kubeconfig);
      // The initial list (existing pods) arrives as events first; wait for it to pass.
      await sleep(2_000);
      heard.length = 0;
      // Resumed watches replay nothing: a quiet cluster stays quiet (no list of every pod again).
      await sleep(5_000);
      expect(heard).toEqual([]);
      // kube-system: nothing.
      await sh('kubectl -n kube-system annotate pod -l k8s-app=kube-dns labs.test/poke=1 --overwrite', kubeconfig);
      await sleep(1_500);
      expect(heard).toEqual([]);
      // The learner's own pod: heard, for learner 1 only (learner 2's cluster answers nothing).
      await sh(`kubectl -n ${namespace} run probe --image=registry.k8s.io/pause:3.10.1 --restart=Never`, kubeconfig);
      await until('the pod event', () => heard.length > 0);
      expect(heard[0]).toBe(1);
      expect(heard.every((id) => id === 1)).toBe(true);
      // A pod stuffed with a 200 KB annotation (the API server allows 256 KiB): heard all the same,
      // read only for its namespace and version (grader/kube.ts's event cap), and the watch goes on.
      heard.length = 0;
      // (From a file: 200 KB is more than one command-line argument may hold.)
      await sh(`f=$(mktemp); printf '{"metadata":{"annotations":{"labs.test/fat":"%s"}}}' "$(head -c 200000 /dev/zero | tr '\\0' x)" > "$f"
kubectl -n ${namespace} patch pod probe --type merge --patch-file "$f"`, kubeconfig);
      await until('the oversized pod event', () => heard.length > 0);
      heard.length = 0;
      await sh(`kubectl -n ${namespace} label pod probe labs.test/after=1`, kubeconfig);
      await until('an event after the oversized one', () => heard.length > 0);
      // Learner 1 leaves: their watch ends; nothing more is heard from their cluster.
      learners = [{ id: 2, kubeconfig: unreachable }];
      await until('the watch to stop', () => !watch.watching().includes(1));
      heard.length = 0;
      await sh(`kubectl -n ${namespace} delete pod probe --wait=false`, kubeconfig);
      await sleep(1_500);
      expect(heard).toEqual([]);
      expect(watch.watching()).toEqual([2]);
    } finally {
      watch.stop();
      await sh('kubectl -n kube-system annotate pod -l k8s-app=kube-dns labs.test/poke- --overwrite', kubeconfig).catch(() => undefined);
    }
  }, 120_000);
});
