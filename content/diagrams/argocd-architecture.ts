// Argo CD's components in namespace argocd and what talks to what. Used by lesson 07.
import { STYLE, box, pill } from './boxes.ts';
import { perLanguage, svgDocument, type Diagrams } from './svg.ts';

type Labels = Record<
  | 'title' | 'desc' | 'users' | 'users2' | 'api' | 'api2' | 'repo' | 'repo2' | 'ctrl' | 'ctrl2' | 'redis' | 'redis2' | 'git'
  | 'kube' | 'kube2' | 'e1' | 'e2' | 'e3' | 'e4' | 'e5' | 'e6' | 'ns',
  string
>;

const LABELS: Record<'en' | 'ko', Labels> = {
  en: {
    title: 'Argo CD architecture',
    desc: 'The argocd CLI and the web UI talk to the API server. The application controller asks the repo server for rendered manifests, which it clones from git and renders with Helm or Kustomize, compares them with the live objects it watches through the Kubernetes API, and applies the difference. Redis caches rendered manifests. Applications are custom resources stored in the cluster.',
    users: 'argocd CLI',
    users2: 'web UI',
    api: 'API server',
    api2: 'auth, RBAC, API',
    repo: 'repo server',
    repo2: 'clone + helm / kustomize',
    ctrl: 'application controller',
    ctrl2: 'compare, health, sync',
    redis: 'Redis',
    redis2: 'cache',
    git: 'Git repository',
    kube: 'Kubernetes API',
    kube2: 'objects and Applications',
    e1: 'requests',
    e2: 'manifests for revision X',
    e3: 'git fetch',
    e4: 'watch + apply',
    e5: 'read/write Applications',
    e6: 'cache',
    ns: 'namespace argocd',
  },
  ko: {
    title: 'Argo CD 아키텍처',
    desc: 'argocd CLI와 웹 UI는 API 서버와 통신한다. 애플리케이션 컨트롤러는 repo 서버에 렌더링된 매니페스트를 요청하고(repo 서버는 git에서 클론해 Helm이나 Kustomize로 렌더링), 쿠버네티스 API로 지켜보는 실제 오브젝트와 비교해 차이를 적용한다. Redis는 렌더링 결과를 캐시한다. Application은 클러스터에 저장되는 커스텀 리소스다.',
    users: 'argocd CLI',
    users2: '웹 UI',
    api: 'API 서버',
    api2: '인증, RBAC, API',
    repo: 'repo 서버',
    repo2: '클론 + helm / kustomize',
    ctrl: '애플리케이션 컨트롤러',
    ctrl2: '비교, 헬스, 동기화',
    redis: 'Redis',
    redis2: '캐시',
    git: 'Git 저장소',
    kube: '쿠버네티스 API',
    kube2: '오브젝트와 Application',
    e1: '요청',
    e2: '리비전 X의 매니페스트',
    e3: 'git fetch',
    e4: 'watch + 적용',
    e5: 'Application 읽기/쓰기',
    e6: '캐시',
    ns: 'argocd 네임스페이스',
  },
};

export function argocdArchitecture(): Diagrams {
  return perLanguage('argocd-architecture', LABELS, (s) => {
    let b = '';
    // The namespace frame.
    b += '  <rect x="250" y="20" width="488" height="400" rx="14" fill="none" stroke="#8b95a5" stroke-width="1.5" stroke-dasharray="5 5"/>\n';
    b += pill(335, 38, s.ns, { cls: 'small', bold: true });
    b += box(20, 60, 190, 64, '#e9d5ff', '#7c3aed', s.users, s.users2);
    b += box(280, 60, 200, 64, '#bfdbfe', '#2563eb', s.api, s.api2);
    b += box(280, 330, 200, 64, '#bfdbfe', '#2563eb', s.repo, s.repo2);
    b += box(490, 190, 238, 70, '#bfdbfe', '#2563eb', s.ctrl, s.ctrl2);
    b += box(530, 60, 160, 64, '#e5e7eb', '#6b7280', s.redis, s.redis2);
    b += box(755, 330, 195, 64, '#fde68a', '#d97706', s.git, '');
    b += box(755, 190, 195, 70, '#bbf7d0', '#16a34a', s.kube, s.kube2);
    b += '  <path class="edge" d="M210,92 L278,92" marker-end="url(#arrow)"/>\n';
    b += pill(244, 140, s.e1, { cls: 'small' });
    b += '  <path class="edge" d="M480,92 L528,92" marker-end="url(#arrow)"/>\n';
    b += '  <path class="edge" d="M600,190 L600,126" marker-end="url(#arrow)"/>\n' + pill(570, 158, s.e6, { cls: 'small' });
    b += '  <path class="edge" d="M560,262 C560,330 520,362 482,362" marker-end="url(#arrow)"/>\n' + pill(560, 300, s.e2, { cls: 'small' });
    b += '  <path class="edge" d="M480,375 L753,375" marker-end="url(#arrow)"/>\n' + pill(620, 392, s.e3, { cls: 'small' });
    b += '  <path class="edge" d="M730,225 L753,225" marker-end="url(#arrow)" marker-start="url(#arrow)"/>\n' + pill(730, 275, s.e4, { cls: 'small' });
    b += '  <path class="edge" d="M440,124 C470,175 720,150 840,188" marker-end="url(#arrow)"/>\n' + pill(800, 140, s.e5, { cls: 'small' });
    return svgDocument(960, 440, s.title, s.desc, STYLE, b);
  });
}
