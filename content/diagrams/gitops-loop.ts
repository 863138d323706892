// The GitOps loop: commit → git → agent pulls, renders, compares, applies; drift reported or
// reverted; the four principles underneath. Used by lesson 06.
import { STYLE, box, pill, width } from './boxes.ts';
import { num, perLanguage, svgDocument, type Diagrams } from './svg.ts';

type Labels = Record<
  | 'title' | 'desc' | 'dev' | 'dev2' | 'git' | 'git2' | 'agent' | 'repo' | 'ctrl' | 'cluster' | 'cluster2' | 'push' | 'pull'
  | 'apply' | 'watch' | 'drift' | 'revert' | 'p1' | 'p2' | 'p3' | 'p4',
  string
>;

const LABELS: Record<'en' | 'ko', Labels> = {
  en: {
    title: 'The GitOps loop',
    desc: 'People change the desired state only through git. An agent inside the cluster pulls the repository, renders the manifests, compares them with the live objects and applies the difference, over and over. A manual change in the cluster shows up as drift and is reported or reverted.',
    dev: 'You',
    dev2: 'edits YAML, opens a PR',
    git: 'Git repository',
    git2: 'desired state, as commits',
    agent: 'GitOps agent (Argo CD)',
    repo: 'repo server: clone and render',
    ctrl: 'controller: compare and sync',
    cluster: 'Kubernetes cluster',
    cluster2: 'live state',
    push: 'commit + merge',
    pull: 'pull (every ~3 min or webhook)',
    apply: 'apply the difference',
    watch: 'watch live objects',
    drift: 'kubectl edit = drift',
    revert: 'reported OutOfSync or reverted (self-heal)',
    p1: 'declarative',
    p2: 'versioned and immutable',
    p3: 'pulled automatically',
    p4: 'continuously reconciled',
  },
  ko: {
    title: 'GitOps 루프',
    desc: '사람은 git을 통해서만 원하는 상태를 바꾼다. 클러스터 안의 에이전트가 저장소를 가져와 매니페스트를 렌더링하고, 실제 오브젝트와 비교해 차이를 적용하는 일을 계속 반복한다. 클러스터에서 손으로 바꾼 내용은 드리프트로 보고되거나 되돌려진다.',
    dev: '사용자',
    dev2: 'YAML 수정, 풀 리퀘스트',
    git: 'Git 저장소',
    git2: '원하는 상태, 모든 변경은 커밋',
    agent: 'GitOps 에이전트 (Argo CD)',
    repo: 'repo server: 클론과 렌더링',
    ctrl: 'controller: 비교와 동기화',
    cluster: '쿠버네티스 클러스터',
    cluster2: '실제 상태',
    push: '커밋 + 머지',
    pull: 'pull (약 3분마다 또는 웹훅)',
    apply: '차이를 적용',
    watch: '실제 오브젝트 감시',
    drift: 'kubectl edit = 드리프트',
    revert: 'OutOfSync로 보고 또는 되돌림 (self-heal)',
    p1: '선언적',
    p2: '버전 관리·불변',
    p3: '자동으로 pull',
    p4: '지속적 조정',
  },
};

export function gitopsLoop(): Diagrams {
  return perLanguage('gitops-loop', LABELS, (s) => {
    let b = '';
    b += box(20, 40, 220, 70, '#e9d5ff', '#7c3aed', s.dev, s.dev2);
    b += box(350, 40, 280, 70, '#fde68a', '#d97706', s.git, s.git2);
    // The agent: a container with its two parts inside.
    b += '  <rect x="676" y="150" width="274" height="150" rx="12" fill="#bfdbfe" stroke="#2563eb" stroke-width="2"/>\n';
    b += `  <text x="813" y="175" text-anchor="middle" class="h">${s.agent}</text>\n`;
    b += `  <rect x="693" y="190" width="240" height="40" rx="8" fill="#f8fafc" stroke="#2563eb" stroke-width="1.5"/>\n  <text x="813" y="215" text-anchor="middle" class="small">${s.repo}</text>\n`;
    b += `  <rect x="693" y="244" width="240" height="40" rx="8" fill="#f8fafc" stroke="#2563eb" stroke-width="1.5"/>\n  <text x="813" y="269" text-anchor="middle" class="small">${s.ctrl}</text>\n`;
    b += box(370, 340, 240, 70, '#bbf7d0', '#16a34a', s.cluster, s.cluster2);
    b += '  <path class="edge" d="M240,75 L348,75" marker-end="url(#arrow)"/>\n' + pill(300, 134, s.push);
    b += '  <path class="edge" d="M632,75 C740,75 815,90 815,148" marker-end="url(#arrow)"/>\n' + pill(735, 58, s.pull);
    b += '  <path class="edge" d="M760,302 C760,360 700,380 612,380" marker-end="url(#arrow)"/>\n' + pill(720, 352 + 30, s.apply);
    b += '  <path class="edge" d="M612,350 C660,340 690,330 700,303" marker-end="url(#arrow)"/>\n' + pill(590, 314, s.watch);
    // Drift: a change made around git.
    b += '  <path class="edge" d="M130,112 C130,300 250,375 368,375" stroke-dasharray="6 5" marker-end="url(#arrow)"/>\n';
    b += pill(150, 250, s.drift, { w: width(s.drift, true) + 6, cls: 'mono' });
    b += pill(210, 290, s.revert, { cls: 'small' });
    // The four principles.
    const principles: [number, string][] = [[125, s.p1], [355, s.p2], [595, s.p3], [835, s.p4]];
    for (const [cx, text] of principles) {
      b += `  <rect x="${num(cx - 113)}" y="432" width="226" height="30" rx="15" fill="#e0e7ff" stroke="#4f46e5" stroke-width="1.5"/>\n`;
      b += `  <text x="${num(cx)}" y="452" text-anchor="middle" class="lbl bold">${text}</text>\n`;
    }
    return svgDocument(960, 475, s.title, s.desc, STYLE, b);
  });
}
