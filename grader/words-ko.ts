// The grader's words in Korean (issue #23), for display only. A result stays English: it is the
// record (the dashboard groups failures by what was observed, `--json` is read by programs); a
// card, `labs verify` or a sandbox in Korean shows a check's expected and observed through
// inKorean(). A sentence is translated clause by clause ("; " joins clauses, as all() and the
// near misses do); names, values and commands stay as they are; a clause no rule knows stays
// English. The rules follow the sentences of assertions.ts, match.ts, near-miss.ts and record.ts,
// and of the course's labs/*/check.ts (words-ko-labs.ts). Pure: the browser uses it too.
import { LAB_RULES } from './words-ko-labs.ts';

/** A clause's pattern, and its Korean (`t` translates a part that is itself a grader phrase). */
export type Rule = [RegExp, (m: RegExpMatchArray, t: (part: string) => string) => string];

const Q = '"([^"]*)"';
const KIND = '([A-Z][A-Za-z]+)';

/** The objects a check names: `Pod "x" in namespace "y"`, `Pods with labels a=b`, … */
const TARGETS: Rule[] = [
  [new RegExp(`^${KIND} ${Q} in namespace ${Q}$`), (m) => `네임스페이스 "${m[3]}"의 ${m[1]} "${m[2]}"`],
  [new RegExp(`^${KIND} with labels (\\S+) in namespace ${Q}$`), (m) => `네임스페이스 "${m[3]}"에서 레이블이 ${m[2]}인 ${m[1]}`],
  [new RegExp(`^${KIND}s with labels (\\S+)$`), (m) => `레이블이 ${m[2]}인 ${m[1]}`],
  [new RegExp(`^Helm release ${Q} in namespace ${Q}$`), (m) => `네임스페이스 "${m[2]}"의 Helm 릴리스 "${m[1]}"`],
  [new RegExp(`^container ${Q} of Pod ${Q}$`), (m) => `Pod "${m[2]}"의 컨테이너 "${m[1]}"`],
  [new RegExp(`^release ${Q}$`), (m) => `릴리스 "${m[1]}"`],
];

/** What a matcher expects (match.ts): `≥ 1`, `one of …`, `not …`, `containing …`, … */
const EXPECTATIONS: Rule[] = [
  [/^absent$/, () => '없음'],
  [/^present$/, () => '있음'],
  [/^a list$/, () => '목록'],
  [/^an object$/, () => '객체'],
  [/^one of (.+)$/, (m) => `${m[1]} 중 하나`],
  [/^not (.+)$/, (m, t) => `${t(m[1]!)} 아님`],
  [/^containing (.+)$/, (m) => `${m[1]} 포함`],
  [/^matching (.+)$/, (m) => `${m[1]}에 맞음`],
  [/^another element matching (.+)$/, (m) => `${m[1]}에 맞는 다른 항목`],
];

const GRADER_RULES: Rule[] = [
  // missing(): where the object is not ("not found; Pods there: …").
  [/^not found$/, () => '찾지 못함'],
  [new RegExp(`^${KIND}s there: (.+)$`), (m) => `그곳에 있는 ${m[1]}: ${m[2]}`],
  [new RegExp(`^namespace ${Q} has no ${KIND}s$`), (m) => `네임스페이스 "${m[1]}"에 ${m[2]} 없음`],
  [new RegExp(`^the cluster does not serve ${KIND} \\(is its CRD installed\\?\\)$`), (m) => `클러스터가 ${m[1]}을(를) 제공하지 않음 (CRD가 설치되어 있나요?)`],
  // resource(), absentResource()
  [/^(\d+) found$/, (m) => `${m[1]}개 찾음`],
  [/^none found$/, () => '하나도 없음'],
  [/^found (.+)$/, (m) => `있음: ${m[1]}`],
  [/^no (.+ in namespace ".*")$/, (m, t) => `${t(m[1]!)} 없음`],
  [new RegExp(`^(≥ \\d+|≤ \\d+|\\d+) (${KIND} .+)$`), (m, t) => `${t(m[2]!)} ${m[1]}개`],
  // condition()
  [new RegExp(`^${KIND} ${Q} condition (\\w+)=(\\w+)$`), (m) => `${m[1]} "${m[2]}"의 condition ${m[3]}=${m[4]}`],
  [/^no (\w+) condition yet$/, (m) => `아직 ${m[1]} condition 없음`],
  // containerStatus(), neverRestarted(), restartedByLiveness()
  [/^no status yet \(not started\)$/, () => '아직 상태 없음 (시작 전)'],
  [new RegExp(`^container ${Q} status$`), (m) => `컨테이너 "${m[1]}" 상태`],
  [new RegExp(`^container ${Q} of Pod ${Q} restarted at least once$`), (m) => `Pod "${m[2]}"의 컨테이너 "${m[1]}"가 한 번 이상 재시작됨`],
  [new RegExp(`^container ${Q} of Pod ${Q} never restarted$`), (m) => `Pod "${m[2]}"의 컨테이너 "${m[1]}"가 한 번도 재시작되지 않음`],
  [/^its last termination was a kill, not OOMKilled or a clean exit$/, () => '마지막 종료가 OOMKilled나 정상 종료가 아니라 kill이었음'],
  [new RegExp(`^kubelet killed container ${Q} because its liveness probe failed$`), (m) => `liveness 프로브가 실패해서 kubelet이 컨테이너 "${m[1]}"를 종료함`],
  [new RegExp(`^container ${Q}: (\\S+) (.+)$`), (m, t) => `컨테이너 "${m[1]}": ${m[2]} ${t(m[3]!)}`],
  [new RegExp(`^Pod ${Q} has no container ${Q}$`), (m) => `Pod "${m[1]}"에 컨테이너 "${m[2]}"가 없음`],
  // event()
  [new RegExp(`^an Event (\\w+) on ${KIND} ${Q} with message (.+)$`), (m, t) => `${m[2]} "${m[3]}"의 ${m[1]} Event (메시지 ${t(m[4]!)})`],
  [new RegExp(`^an Event (\\w+) on ${KIND} ${Q}$`), (m) => `${m[2]} "${m[3]}"의 ${m[1]} Event`],
  [/^events seen: (.+)$/, (m) => `있는 Event: ${m[1]}`],
  [/^no events for it \(events expire after an hour\)$/, () => 'Event 없음 (Event는 한 시간 뒤 사라집니다)'],
  // endpoints()
  [new RegExp(`^Service ${Q} sends traffic to Pod ${Q} \\(ready endpoint\\)$`), (m) => `Service "${m[1]}"가 Pod "${m[2]}"에 트래픽을 보냄 (ready 엔드포인트)`],
  [new RegExp(`^Service ${Q} selects Pod ${Q} but lists it as not ready \\(no traffic\\)$`), (m) => `Service "${m[1]}"가 Pod "${m[2]}"를 선택하지만 not ready로 둠 (트래픽 없음)`],
  [new RegExp(`^Pod ${Q} is a ready endpoint \\(it receives traffic\\)$`), (m) => `Pod "${m[1]}": ready 엔드포인트 (트래픽을 받음)`],
  [new RegExp(`^Pod ${Q} is listed as not ready$`), (m) => `Pod "${m[1]}": not ready로 올라 있음`],
  [new RegExp(`^Pod ${Q} is not among the Service's endpoints \\(does its selector match the pod's labels\\?\\)$`), (m) => `Pod "${m[1]}"가 Service의 엔드포인트에 없음 (selector가 파드의 레이블과 맞나요?)`],
  // helmRelease()
  [new RegExp(`^no release ${Q} there$`), (m) => `그곳에 릴리스 "${m[1]}" 없음`],
  [/^releases there: (.+)$/, (m) => `그곳에 있는 릴리스: ${m[1]}`],
  [/^revision (\d+): value (\S+) is (.+), expected (.+)$/, (m, t) => `리비전 ${m[1]}: 값 ${m[2]}은(는) ${m[3]}, 기대한 값 ${t(m[4]!)}`],
  [/^revision (\d+): (\S+): expected (.+), observed (.+)$/, (m, t) => `리비전 ${m[1]}: ${m[2]}: 기대 ${t(m[3]!)}, 실제 ${t(m[4]!)}`],
  [/^revision (\d+) (\w+): (.*)$/, (m) => `리비전 ${m[1]} ${m[2]}: ${m[3]}`],
  // probeFailed(), heldOffByStartup()
  [new RegExp(`^kubelet recorded the (\\w+) probe of container ${Q} failing( \\d+ times)?( since the container started)?( \\(Events Unhealthy: "\\w+ probe failed"\\))?$`), (m) =>
    `kubelet이 컨테이너 "${m[2]}"의 ${m[1]} 프로브 실패를 기록함${m[3] ? ` (${m[3].trim().replace(' times', '번')})` : ''}${m[4] ? ' (컨테이너 시작 이후)' : ''}${m[5] ? ` (Event Unhealthy: "${m[5].match(/"(.*)"/)![1]}")` : ''}`],
  [new RegExp(`^container ${Q} is not running$`), (m) => `컨테이너 "${m[1]}"가 실행 중이 아님`],
  [/^no "(\w+ probe failed)" Event for this pod since the container started at (\S+): the probe has not failed \(yet\)$/, (m) => `이 파드에 "${m[1]}" Event 없음 (컨테이너가 ${m[2]}에 시작한 뒤로): 프로브가 (아직) 실패하지 않음`],
  [/^no "(\w+ probe failed)" Event for this pod: the probe has not failed \(yet\)$/, (m) => `이 파드에 "${m[1]}" Event 없음: 프로브가 (아직) 실패하지 않음`],
  [/^no "Startup probe failed" Event for this pod: nothing was held off$/, () => '이 파드에 "Startup probe failed" Event 없음: 막아 준 것이 없음'],
  [/^(\d+)× \(first (\S+), last (\S+)\): (.*)$/, (m) => `${m[1]}회 (처음 ${m[2]}, 마지막 ${m[3]}): ${m[4]}`],
  [new RegExp(`^the startup probe of container ${Q} failed for longer than its liveness probe tolerates, and the container started without a restart$`), (m) => `컨테이너 "${m[1]}"의 startup 프로브가 liveness 프로브가 견디는 시간보다 오래 실패했고, 컨테이너는 재시작 없이 시작됨`],
  [new RegExp(`^container ${Q} needs both a livenessProbe and a startupProbe$`), (m) => `컨테이너 "${m[1]}"에 livenessProbe와 startupProbe가 모두 있어야 함`],
  [new RegExp(`^container ${Q} has not started yet \\(its startup probe has not succeeded\\)$`), (m) => `컨테이너 "${m[1]}"가 아직 시작되지 않음 (startup 프로브가 아직 성공하지 않음)`],
  [new RegExp(`^container ${Q} restarted (\\d+) time\\(s\\)$`), (m) => `컨테이너 "${m[1]}"가 ${m[2]}번 재시작됨`],
  [/^startup probe failed (\d+)×, the last (\d+) s after the container started$/, (m) => `startup 프로브가 ${m[1]}회 실패, 마지막은 컨테이너 시작 ${m[2]}초 뒤`],
  [/^the liveness probe alone gives up after (\d+) s$/, (m) => `liveness 프로브만 있으면 ${m[1]}초 뒤 포기함`],
  // rolledOut() (record.ts's summary)
  [new RegExp(`^Deployment ${Q} finished rolling out its current spec$`), (m) => `Deployment "${m[1]}"가 현재 spec의 롤아웃을 마침`],
  [/^(\d+) updated, (\d+) ready, (\d+) available, (\d+) total of (\d+)( \(generation (\d+) not yet observed\))?$/, (m) =>
    `업데이트 ${m[1]}, ready ${m[2]}, available ${m[3]}, 전체 ${m[4]} (원하는 수 ${m[5]})${m[6] ? ` (generation ${m[7]}을(를) 아직 반영하지 않음)` : ''}`],
  [/^Progressing not reported yet$/, () => 'Progressing 아직 보고 없음'],
  // near-miss.ts
  [/^(.+) (?:is|are) in namespace "([^"]*)"( \(made by (\w+) "([^"]*)"\))?$/, (m, t) => `${t(m[1]!)}: 네임스페이스 "${m[2]}"에 있음${m[3] ? ` (${m[4]} "${m[5]}"가 만듦)` : ''}`],
  [/^this lab looks for it in namespace "([^"]*)" \((.+)\)$/, (m) => `이 실습은 네임스페이스 "${m[1]}"에서 찾음 (${m[2]})`],
  [new RegExp(`^this task looks for a ${KIND} of that name \\(kind: \\w+\\)$`), (m) => `이 과제는 그 이름의 ${m[1]}를 찾음 (kind: ${m[1]})`],
  [/^this task looks for (.+) \(check metadata\.name\)$/, (m, t) => `이 과제는 ${t(m[1]!)}를 찾음 (metadata.name을 확인하세요)`],
  [/^this task looks for (.+) \(the first argument of helm install\)$/, (m, t) => `이 과제는 ${t(m[1]!)}를 찾음 (helm install의 첫 인자)`],
  [/^this task looks for (.+) in namespace "([^"]*)"$/, (m, t) => `이 과제는 네임스페이스 "${m[2]}"에서 ${t(m[1]!)}를 찾음`],
  [/^its containers: (.+) \(this task looks for the container named "([^"]*)"\)$/, (m) => `이 파드의 컨테이너: ${m[1] === 'none' ? '없음' : m[1]} (이 과제는 이름이 "${m[2]}"인 컨테이너를 찾음)`],
];

/** A resource() mismatch: `Pod "x": spec.containers[a].image "nginx"` and its observed `path: value`. */
const MISMATCH_RULES: Rule[] = [
  [new RegExp(`^${KIND} ${Q}: (\\S+) (.+)$`), (m, t) => `${m[1]} "${m[2]}": ${m[3]} ${t(m[4]!)}`],
  [/^([\w.[\]-]+): absent$/, (m) => `${m[1]}: 없음`],
];

const RULES: Rule[] = [...TARGETS, ...GRADER_RULES, ...LAB_RULES, ...EXPECTATIONS, ...MISMATCH_RULES];

/** One clause (no "; " inside) in Korean, or as it is when no rule knows it. */
function clause(text: string): string {
  for (const [pattern, korean] of RULES) {
    const m = text.match(pattern);
    if (m) return korean(m, clause);
  }
  return text;
}

/** A grader sentence (expected or observed) in Korean, clause by clause (a Korean reader's ". " between). */
export function inKorean(text: string): string {
  return text.split('; ').map(clause).join('. ');
}

/** Whether every clause of `text` has a rule (tests: the course's sentences are all translated). */
export function knowsAll(text: string): boolean {
  return text.split('; ').every((part) => RULES.some(([pattern]) => pattern.test(part)));
}
