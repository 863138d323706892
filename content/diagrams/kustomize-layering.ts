// Kustomize: one base, a dev and a prd overlay, and what building each overlay prints.
// Used by lesson 04.
import { STYLE, card, pill, width } from './boxes.ts';
import { perLanguage, svgDocument, type Diagrams } from './svg.ts';

type Labels = Record<
  | 'title' | 'desc' | 'base' | 'shared' | 'dev' | 'prd' | 'only' | 'build' | 'out_dev' | 'out_prd' | 'refs' | 'replicas1'
  | 'replicas3' | 'svc_dev' | 'svc_prd' | 'img' | 'img0' | 'foot',
  string
>;

const LABELS: Record<'en' | 'ko', Labels> = {
  en: {
    title: 'Kustomize base and overlays',
    desc: 'One base holds the shared Deployment and Service. The dev and prd overlays each point at the base and add only their differences: a name prefix, a replica count, an image tag. Building an overlay prints complete manifests; the base files never change.',
    base: 'base/',
    shared: 'shared by every environment',
    dev: 'overlays/dev/',
    prd: 'overlays/prd/',
    only: 'only the differences',
    build: 'kubectl kustomize',
    out_dev: 'rendered for dev',
    out_prd: 'rendered for prd',
    refs: 'resources: ../../base',
    replicas1: 'Deployment dev-web, 1 replica',
    replicas3: 'Deployment prd-web, 3 replicas',
    svc_dev: 'Service dev-web',
    svc_prd: 'Service prd-web',
    img: 'image nginx:1.24',
    img0: 'image nginx:1.23.1',
    foot: 'Base files are never edited: an overlay is a list of changes applied on top at build time.',
  },
  ko: {
    title: 'Kustomize base와 overlay',
    desc: 'base에는 모든 환경이 공유하는 Deployment와 Service가 있다. dev와 prd overlay는 base를 가리키고 자기 환경의 차이(이름 접두사, 복제본 수, 이미지 태그)만 더한다. overlay를 빌드하면 완성된 매니페스트가 출력되고, base 파일은 바뀌지 않는다.',
    base: 'base/',
    shared: '모든 환경이 공유',
    dev: 'overlays/dev/',
    prd: 'overlays/prd/',
    only: '차이점만 기록',
    build: 'kubectl kustomize',
    out_dev: 'dev용 결과',
    out_prd: 'prd용 결과',
    refs: 'resources: ../../base',
    replicas1: 'Deployment dev-web, 복제본 1개',
    replicas3: 'Deployment prd-web, 복제본 3개',
    svc_dev: 'Service dev-web',
    svc_prd: 'Service prd-web',
    img: '이미지 nginx:1.24',
    img0: '이미지 nginx:1.23.1',
    foot: 'base 파일은 고치지 않는다. overlay는 빌드할 때 그 위에 얹는 변경 목록이다.',
  },
};

export function kustomizeLayering(): Diagrams {
  return perLanguage('kustomize-layering', LABELS, (s) => {
    let b = '';
    b += card(20, 120, 250, s.base, [['deployment.yaml', true], ['service.yaml', true], ['kustomization.yaml', true], ['', false], [s.shared, false]], '#bfdbfe', '#2563eb');
    b += card(350, 30, 260, s.dev, [['kustomization.yaml', true], ['  namePrefix: dev-', true], ['  replicas: 1', true], [s.only, false]], '#fde68a', '#d97706');
    b += card(350, 230, 260, s.prd, [['kustomization.yaml', true], ['  namePrefix: prd-', true], ['  replicas: 3', true], ['  images: nginx → 1.24', true], [s.only, false]], '#fecaca', '#dc2626');
    b += card(676, 30, 274, s.out_dev, [[s.replicas1, false], [s.img0, false], [s.svc_dev, false]], '#bbf7d0', '#16a34a');
    b += card(676, 230, 274, s.out_prd, [[s.replicas3, false], [s.img, false], [s.svc_prd, false]], '#bbf7d0', '#16a34a');
    // Each overlay refers to the base.
    b += '  <path class="edge" d="M348,90 C300,90 300,190 272,190" marker-end="url(#arrow)"/>\n';
    b += '  <path class="edge" d="M348,290 C300,290 300,230 272,230" marker-end="url(#arrow)"/>\n';
    b += pill(310, 210, s.refs, { w: width(s.refs, true), cls: 'mono' });
    // Building an overlay prints its manifests.
    b += '  <path class="edge" d="M612,80 L674,80" marker-end="url(#arrow)"/>\n';
    b += '  <path class="edge" d="M612,280 L674,280" marker-end="url(#arrow)"/>\n';
    b += pill(643, 180, s.build, { w: width(s.build, true), cls: 'mono' });
    b += '  <path class="edge" d="M643,167 L643,96" stroke-dasharray="4 4"/>\n  <path class="edge" d="M643,193 L643,266" stroke-dasharray="4 4"/>\n';
    b += pill(480, 400, s.foot, { w: width(s.foot) * 1.1, bold: true });
    return svgDocument(960, 420, s.title, s.desc, STYLE, b);
  });
}
