// The course labs' own sentences in Korean (the `explain`, expected and observed texts of
// labs/*/check.ts), for words-ko.ts. Kept beside the grader's rules so one function translates
// a result; a lab whose sentence changes without a rule here shows that sentence in English
// (tests/unit/grader-words-ko.spec.ts runs every lab against an empty cluster to find such).
import type { Rule } from './words-ko.ts';

const Q = '"([^"]*)"';

export const LAB_RULES: Rule[] = [
  // 03-startup
  [/^slow-app's startupProbe cannot fail before (\d+) s \(initialDelaySeconds \+ \(failureThreshold − 1\) × periodSeconds\)$/, (m) => `slow-app의 startupProbe가 ${m[1]}초 전에는 실패할 수 없음 (initialDelaySeconds + (failureThreshold − 1) × periodSeconds)`],
  [new RegExp(`^container ${Q} has no startupProbe$`), (m) => `컨테이너 "${m[1]}"에 startupProbe가 없음`],
  [new RegExp(`^no Pod ${Q}$`), (m) => `Pod "${m[1]}" 없음`],
  [/^(\d+) s$/, (m) => `${m[1]}초`],
  // 04-kustomize-fields
  [/^the Service lists the nginx-1 pod as a ready endpoint$/, () => 'Service가 nginx-1 파드를 ready 엔드포인트로 올림'],
  [/^no Service no nginx-1 pod$/, () => 'Service 없음, nginx-1 파드 없음'],
  [/^no Service$/, () => 'Service 없음'],
  [/^no nginx-1 pod$/, () => 'nginx-1 파드 없음'],
  [new RegExp(`^Service ${Q} → Pod ${Q} ready$`), (m) => `Service "${m[1]}" → Pod "${m[2]}" ready`],
  [new RegExp(`^endpoint state of Pod ${Q}: (.+)$`), (m) => `Pod "${m[1]}"의 엔드포인트 상태: ${m[2]}`],
  [/^one (Pod|Service) from (\S+) \(label (\S+)\) in namespace (\S+)$/, (m) => `네임스페이스 ${m[4]}에 ${m[2]}의 ${m[1]} 하나 (레이블 ${m[3]})`],
  [/^no (Pod|Service) from (\S+) in namespace (\S+)$/, (m) => `네임스페이스 ${m[3]}에 ${m[2]}의 ${m[1]} 없음`],
  [/^the (\S+) Pod in namespace (\S+)$/, (m) => `네임스페이스 ${m[2]}의 ${m[1]} Pod`],
  [/^no (\S+) Pod in namespace (\S+)$/, (m) => `네임스페이스 ${m[2]}에 ${m[1]} Pod 없음`],
  // 05-kustomize-overlays
  [/^pods from the base \(label (\S+)\) in namespace "([^"]*)", each with an overlay prefix$/, (m) => `네임스페이스 "${m[2]}"에서 base의 파드(레이블 ${m[1]})는 모두 overlay 접두사가 붙음`],
  // 06-helm-create, 07-helm-upgrade
  [/^release (\S+) from chart "([^"]*)" with helm create templates$/, (m) => `chart "${m[2]}"(helm create 템플릿)에서 설치한 릴리스 ${m[1]}`],
  [/^release (\S+) from chart "([^"]*)" \(helm create templates\)$/, (m) => `chart "${m[2]}"(helm create 템플릿)에서 설치한 릴리스 ${m[1]}`],
  [/^release (\S+), current revision status deployed$/, (m) => `릴리스 ${m[1]}: 현재 리비전 상태 deployed`],
  [/^Deployment (\S+) rolled out the release's current revision$/, (m) => `Deployment ${m[1]}가 릴리스의 현재 리비전을 롤아웃함`],
  [/^Deployment (\S+) runs (\S+)$/, (m) => `Deployment ${m[1]}가 ${m[2]}를 실행함`],
  [/^history: an upgrade to another tag failed, then a deployed "Rollback to N" where N ran (\S+)$/, (m) => `기록: 다른 태그로의 업그레이드가 실패했고, 그다음 ${m[1]}를 실행하던 리비전 N으로 "Rollback to N"이 deployed`],
  [/^latest revision (\d+): (".*")$/, (m) => `최신 리비전 ${m[1]}: ${m[2]}`],
  [/^revision (\d+) (".*") is (\w+), not deployed \(yet\)$/, (m) => `리비전 ${m[1]} ${m[2]}: ${m[3]}, (아직) deployed 아님`],
  [/^revision (\d+) is no longer in the history$/, (m) => `리비전 ${m[1]}이(가) 더 이상 기록에 없음`],
  [/^rolled back to revision (\d+), which ran (\S+)$/, (m) => `리비전 ${m[1]}로 롤백함 (그 리비전은 ${m[2]} 실행)`],
  [/^no revision after (\d+) ran another tag$/, (m) => `리비전 ${m[1]} 뒤에 다른 태그를 실행한 리비전이 없음`],
  [/^revision (.+) after (\d+) did not fail: (.+)$/, (m) => `리비전 ${m[2]} 뒤의 리비전 ${m[1]}이(가) 실패하지 않음: ${m[3]}`],
  [/^revision (\d+) \((\S+)\) failed$/, (m) => `리비전 ${m[1]} (${m[2]}) 실패`],
  [/^revision (\d+): (.*)$/, (m) => `리비전 ${m[1]}: ${m[2]}`],
  [/^release (\S+) at revision ≥ (\d+) with image\.tag "([^"]*)" in its values$/, (m) => `리비전 ${m[2]} 이상이고 values의 image.tag가 "${m[3]}"인 릴리스 ${m[1]}`],
  [/^helm ls: current revision deployed, rendering image (\S+)$/, (m) => `helm ls: 현재 리비전 deployed, 이미지 ${m[1]}를 렌더링`],
  [/^Deployment (\S+) finished rolling out \(every replica new, ready and available\)$/, (m) => `Deployment ${m[1]}의 롤아웃이 끝남 (모든 레플리카가 새것이고 ready, available)`],
  [/^a rollback to the (\S+) revision$/, (m) => `${m[1]} 리비전으로 롤백`],
  // 08-gitops-argocd
  [/^the Application's Deployment has (\d+) ready replicas in namespace (\S+)$/, (m) => `네임스페이스 ${m[2]}에서 Application의 Deployment에 ready 레플리카 ${m[1]}개`],
  [/^the Application manages no Deployment \(yet\)$/, () => 'Application이 관리하는 Deployment가 (아직) 없음'],
  [new RegExp(`^Deployment ${Q} not found in namespace ${Q}$`), (m) => `네임스페이스 "${m[2]}"에 Deployment "${m[1]}" 없음`],
  [new RegExp(`^Deployment ${Q}: (\\d+)/(\\d+) ready$`), (m) => `Deployment "${m[1]}": ${m[2]}/${m[3]} ready`],
  [new RegExp(`^Deployment ${Q}: (\\d+) ready of (\\d+) desired$`), (m) => `Deployment "${m[1]}": 원하는 ${m[3]}개 중 ${m[2]}개 ready`],
  [/^Argo CD completed a sync \(status\.history\) and its last sync operation succeeded$/, () => 'Argo CD가 sync를 마쳤고(status.history) 마지막 sync 작업이 성공함'],
  [/^no sync in the Application's history yet$/, () => 'Application의 기록에 아직 sync가 없음'],
  [/^last sync operation: (\S+)$/, (m) => `마지막 sync 작업: ${m[1]}`],
  [/^synced (\S+) at (\S+)$/, (m) => `${m[2]}에 ${m[1]}을(를) sync함`],
  [/^the Application reports its Deployment Synced with git$/, () => 'Application이 Deployment를 git과 Synced로 보고함'],
  [new RegExp(`^Deployment ${Q} Synced$`), (m) => `Deployment "${m[1]}" Synced`],
  [new RegExp(`^Deployment ${Q} (\\w+) \\(changed outside git\\?\\)$`), (m) => `Deployment "${m[1]}" ${m[2]} (git 밖에서 바뀌었나요?)`],
  [/^Argo CD synced a later git revision than its first sync \(status\.history\)$/, () => 'Argo CD가 첫 sync보다 나중의 git 리비전을 sync함 (status.history)'],
  [/^the Application has not synced yet$/, () => 'Application이 아직 sync하지 않음'],
  [/^git is at (\S+) but Argo CD has not synced it: every sync was (\S+)$/, (m) => `git은 ${m[1]}인데 Argo CD가 아직 sync하지 않음: 모든 sync가 ${m[2]}`],
  [/^still at the first synced revision (\S+): commit and push the change$/, (m) => `아직 처음 sync한 리비전 ${m[1]}: 바꾼 것을 commit하고 push하세요`],
  [/^first (\S+), now (\S+) \((\d+) syncs\)$/, (m) => `처음 ${m[1]}, 지금 ${m[2]} (sync ${m[3]}번)`],
];
