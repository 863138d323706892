// The grader's words in Korean (grader/words-ko.ts, issue #23): what a learner in the Korean UI
// reads under a failed task. Every lab of the course graded against an empty cluster (every
// task fails, most with its own `explain` sentence) must read in Korean throughout; sentences of
// the grader's other paths are pinned one by one.
import { describe, expect, it } from 'vitest';
import { listLabs } from '../../grader/catalog.ts';
import type { KubeReader } from '../../grader/kube.ts';
import { loadChecks, runChecks } from '../../grader/verify.ts';
import { inKorean, knowsAll } from '../../grader/words-ko.ts';

/** A cluster that serves every kind and holds nothing. */
const emptyCluster = { list: async () => ({ items: [], resourceVersion: '1' }), watch: async () => () => {} } as unknown as KubeReader;

describe('the grader in Korean', () => {
  it('says every failed task of every lab in Korean on an empty cluster', async () => {
    const untranslated: string[] = [];
    for (const lab of await listLabs()) {
      const result = await runChecks(lab, await loadChecks(lab), emptyCluster);
      for (const check of result.checks) {
        for (const text of [check.expected, check.observed]) {
          if (text && !knowsAll(text)) untranslated.push(`${lab.id} ${check.id}: ${text}`);
          if (text) expect(inKorean(text), text).toMatch(/[가-힣]/);
        }
      }
    }
    expect(untranslated).toEqual([]);
  });

  const cases: Array<[string, string]> = [
    ['Pod "readiness-http" in namespace "readiness"', '네임스페이스 "readiness"의 Pod "readiness-http"'],
    ['not found; Pods there: web, db', '찾지 못함. 그곳에 있는 Pod: web, db'],
    ['not found; namespace "liveness" has no Pods', '찾지 못함. 네임스페이스 "liveness"에 Pod 없음'],
    ['Pod "liveness-http": spec.containers[liveness].livenessProbe.httpGet.port "8080"', 'Pod "liveness-http": spec.containers[liveness].livenessProbe.httpGet.port "8080"'],
    ['spec.containers[liveness]: absent', 'spec.containers[liveness]: 없음'],
    ['Pod "readiness-http" condition Ready=False', 'Pod "readiness-http"의 condition Ready=False'],
    ['no Ready condition yet', '아직 Ready condition 없음'],
    ['container "liveness" of Pod "liveness-http" restarted at least once', 'Pod "liveness-http"의 컨테이너 "liveness"가 한 번 이상 재시작됨'],
    ['container "app": lastState.terminated.reason not one of "OOMKilled", "Completed"', 'container "app": lastState.terminated.reason "OOMKilled", "Completed" 중 하나 아님'.replace('container "app"', '컨테이너 "app"')],
    ['Pod "readiness-http" is listed as not ready', 'Pod "readiness-http": not ready로 올라 있음'],
    ['Pod "readiness-http" is in namespace "default"; this lab looks for it in namespace "readiness" (kubectl -n readiness apply -f …)',
      'Pod "readiness-http": 네임스페이스 "default"에 있음. 이 실습은 네임스페이스 "readiness"에서 찾음 (kubectl -n readiness apply -f …)'],
    ['revision 2: value image.tag is "1.25", expected "1.24"', '리비전 2: 값 image.tag은(는) "1.25", 기대한 값 "1.24"'],
    ['3 updated, 2 ready, 2 available, 3 total of 3; Progressing True (ReplicaSetUpdated)', '업데이트 3, ready 2, available 2, 전체 3 (원하는 수 3). Progressing True (ReplicaSetUpdated)'],
    ['startup probe failed 9×, the last 27 s after the container started; the liveness probe alone gives up after 9 s',
      'startup 프로브가 9회 실패, 마지막은 컨테이너 시작 27초 뒤. liveness 프로브만 있으면 9초 뒤 포기함'],
    ['kubelet recorded the readiness probe of container "readiness" failing 3 times since the container started (Events Unhealthy: "Readiness probe failed")',
      'kubelet이 컨테이너 "readiness"의 readiness 프로브 실패를 기록함 (3번) (컨테이너 시작 이후) (Event Unhealthy: "Readiness probe failed")'],
    ['something the grader never says', 'something the grader never says'],
  ];
  for (const [english, korean] of cases) {
    it(`"${english.slice(0, 60)}…"`, () => expect(inKorean(english)).toBe(korean));
  }
});
