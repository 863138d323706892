# Course diagram source (English and Korean). Regenerate all: python3 content/diagrams/generate.py
import sys
OUT = sys.argv[1]
STYLE = '''  <defs>
    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" fill="#8b95a5"/>
    </marker>
    <style>
      text { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans KR", "Apple SD Gothic Neo", sans-serif; fill: #1f2937; }
      .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 14.5px; }
      .h { font-size: 18px; font-weight: 700; }
      .lbl { font-size: 15px; }
      .small { font-size: 14px; }
      .bold { font-weight: 700; }
      .pill { fill: #f1f5f9; stroke: #94a3b8; stroke-width: 1; }
      .edge { stroke: #8b95a5; stroke-width: 2; fill: none; }
      .body { fill: #f8fafc; stroke-width: 2; }
    </style>
  </defs>
'''
def width(text, mono=False):
    return sum(15.5 if ord(c) > 0x1100 else (8.9 if mono else 8.3) for c in text) + 20

def pill(cx, cy, text, w=None, cls='lbl', bold=False):
    w = w or width(text)
    b = ' bold' if bold else ''
    return (f'  <rect x="{cx - w/2:.1f}" y="{cy - 13}" width="{w:.1f}" height="26" rx="8" class="pill"/>\n'
            f'  <text x="{cx:.1f}" y="{cy + 5}" text-anchor="middle" class="{cls}{b}">{text}</text>\n')

def card(x, y, w, title, lines, head_fill, stroke, line_h=19):
    h = 34 + len(lines) * line_h + 10
    s = f'  <rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" class="body" stroke="{stroke}"/>\n'
    s += f'  <path d="M{x},{y+10} a10,10 0 0 1 10,-10 h{w-20} a10,10 0 0 1 10,10 v20 h-{w} z" fill="{head_fill}" stroke="{stroke}" stroke-width="2"/>\n'
    s += f'  <text x="{x+12}" y="{y+21}" class="h">{title}</text>\n'
    for i, (text, mono) in enumerate(lines):
        cls = 'mono' if mono else 'lbl'
        s += f'  <text x="{x+14}" y="{y+34+18+i*line_h}" class="{cls}" xml:space="preserve">{text}</text>\n'
    return s, h

def svg(w, h, title, desc, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="t d">\n'
            f'  <title id="t">{title}</title>\n  <desc id="d">{desc}</desc>\n' + STYLE + body + '</svg>\n')

K = {
 'en': dict(title='Kustomize base and overlays', desc='One base holds the shared Deployment and Service. The dev and prd overlays each point at the base and add only their differences: a name prefix, a replica count, an image tag. Building an overlay prints complete manifests; the base files never change.',
   base='base/', shared='shared by every environment', dev='overlays/dev/', prd='overlays/prd/',
   only='only the differences', build='kubectl kustomize', out_dev='rendered for dev', out_prd='rendered for prd',
   refs='resources: ../../base', replicas1='Deployment dev-web, 1 replica', replicas3='Deployment prd-web, 3 replicas',
   svc_dev='Service dev-web', svc_prd='Service prd-web', img='image nginx:1.24', img0='image nginx:1.23.1',
   foot='Base files are never edited: an overlay is a list of changes applied on top at build time.'),
 'ko': dict(title='Kustomize base와 overlay', desc='base에는 모든 환경이 공유하는 Deployment와 Service가 있다. dev와 prd overlay는 base를 가리키고 자기 환경의 차이(이름 접두사, 복제본 수, 이미지 태그)만 더한다. overlay를 빌드하면 완성된 매니페스트가 출력되고, base 파일은 바뀌지 않는다.',
   base='base/', shared='모든 환경이 공유', dev='overlays/dev/', prd='overlays/prd/',
   only='차이점만 기록', build='kubectl kustomize', out_dev='dev용 결과', out_prd='prd용 결과',
   refs='resources: ../../base', replicas1='Deployment dev-web, 복제본 1개', replicas3='Deployment prd-web, 복제본 3개',
   svc_dev='Service dev-web', svc_prd='Service prd-web', img='이미지 nginx:1.24', img0='이미지 nginx:1.23.1',
   foot='base 파일은 고치지 않는다. overlay는 빌드할 때 그 위에 얹는 변경 목록이다.'),
}
for lang, s in K.items():
    suffix = '' if lang == 'en' else '.ko'
    b = ''
    c, hb = card(20, 120, 250, s['base'], [('deployment.yaml', True), ('service.yaml', True), ('kustomization.yaml', True), ('', False), (s['shared'], False)], '#bfdbfe', '#2563eb')
    b += c
    c, hd = card(350, 30, 260, s['dev'], [('kustomization.yaml', True), ('  namePrefix: dev-', True), ('  replicas: 1', True), (s['only'], False)], '#fde68a', '#d97706')
    b += c
    c, hp = card(350, 230, 260, s['prd'], [('kustomization.yaml', True), ('  namePrefix: prd-', True), ('  replicas: 3', True), ('  images: nginx → 1.24', True), (s['only'], False)], '#fecaca', '#dc2626')
    b += c
    c, _ = card(676, 30, 274, s['out_dev'], [(s['replicas1'], False), (s['img0'], False), (s['svc_dev'], False)], '#bbf7d0', '#16a34a')
    b += c
    c, _ = card(676, 230, 274, s['out_prd'], [(s['replicas3'], False), (s['img'], False), (s['svc_prd'], False)], '#bbf7d0', '#16a34a')
    b += c
    # edges base -> overlays (overlay refers to base)
    b += '  <path class="edge" d="M348,90 C300,90 300,190 272,190" marker-end="url(#arrow)"/>\n'
    b += '  <path class="edge" d="M348,290 C300,290 300,230 272,230" marker-end="url(#arrow)"/>\n'
    b += pill(310, 210, s['refs'], w=width(s['refs'], True), cls='mono')
    # overlays -> output
    b += '  <path class="edge" d="M612,80 L674,80" marker-end="url(#arrow)"/>\n'
    b += '  <path class="edge" d="M612,280 L674,280" marker-end="url(#arrow)"/>\n'
    b += pill(643, 180, s['build'], w=width(s['build'], True), cls='mono')
    b += '  <path class="edge" d="M643,167 L643,96" stroke-dasharray="4 4"/>\n  <path class="edge" d="M643,193 L643,266" stroke-dasharray="4 4"/>\n'
    b += pill(480, 400, s['foot'], w=width(s['foot']) * 1.1, bold=True)
    open(f'{OUT}/kustomize-layering{suffix}.svg', 'w').write(svg(960, 420, s['title'], s['desc'], b))

G = {
 'en': dict(title='The GitOps loop', desc='People change the desired state only through git. An agent inside the cluster pulls the repository, renders the manifests, compares them with the live objects and applies the difference, over and over. A manual change in the cluster shows up as drift and is reported or reverted.',
   dev='You', dev2='edits YAML, opens a PR', git='Git repository', git2='desired state, as commits',
   agent='GitOps agent (Argo CD)', repo='repo server: clone and render', ctrl='controller: compare and sync',
   cluster='Kubernetes cluster', cluster2='live state', push='commit + merge', pull='pull (every ~3 min or webhook)',
   apply='apply the difference', watch='watch live objects', drift='kubectl edit = drift', revert='reported OutOfSync or reverted (self-heal)',
   p1='declarative', p2='versioned and immutable', p3='pulled automatically', p4='continuously reconciled'),
 'ko': dict(title='GitOps 루프', desc='사람은 git을 통해서만 원하는 상태를 바꾼다. 클러스터 안의 에이전트가 저장소를 가져와 매니페스트를 렌더링하고, 실제 오브젝트와 비교해 차이를 적용하는 일을 계속 반복한다. 클러스터에서 손으로 바꾼 내용은 드리프트로 보고되거나 되돌려진다.',
   dev='사용자', dev2='YAML 수정, 풀 리퀘스트', git='Git 저장소', git2='원하는 상태, 모든 변경은 커밋',
   agent='GitOps 에이전트 (Argo CD)', repo='repo server: 클론과 렌더링', ctrl='controller: 비교와 동기화',
   cluster='쿠버네티스 클러스터', cluster2='실제 상태', push='커밋 + 머지', pull='pull (약 3분마다 또는 웹훅)',
   apply='차이를 적용', watch='실제 오브젝트 감시', drift='kubectl edit = 드리프트', revert='OutOfSync로 보고 또는 되돌림 (self-heal)',
   p1='선언적', p2='버전 관리·불변', p3='자동으로 pull', p4='지속적 조정'),
}
def box(x, y, w, h, fill, stroke, t1, t2, dash=False):
    d = ' stroke-dasharray="6 4"' if dash else ''
    return (f'  <rect x="{x}" y="{y}" width="{w}" height="{h}" rx="12" fill="{fill}" stroke="{stroke}" stroke-width="2"{d}/>\n'
            f'  <text x="{x + w/2}" y="{y + h/2 - 3}" text-anchor="middle" class="h">{t1}</text>\n'
            f'  <text x="{x + w/2}" y="{y + h/2 + 17}" text-anchor="middle" class="lbl">{t2}</text>\n')
for lang, s in G.items():
    suffix = '' if lang == 'en' else '.ko'
    b = ''
    b += box(20, 40, 220, 70, '#e9d5ff', '#7c3aed', s['dev'], s['dev2'])
    b += box(350, 40, 280, 70, '#fde68a', '#d97706', s['git'], s['git2'])
    # agent: container with two inner boxes
    b += f'  <rect x="676" y="150" width="274" height="150" rx="12" fill="#bfdbfe" stroke="#2563eb" stroke-width="2"/>\n'
    b += f'  <text x="813" y="175" text-anchor="middle" class="h">{s["agent"]}</text>\n'
    b += f'  <rect x="693" y="190" width="240" height="40" rx="8" fill="#f8fafc" stroke="#2563eb" stroke-width="1.5"/>\n  <text x="813" y="215" text-anchor="middle" class="small">{s["repo"]}</text>\n'
    b += f'  <rect x="693" y="244" width="240" height="40" rx="8" fill="#f8fafc" stroke="#2563eb" stroke-width="1.5"/>\n  <text x="813" y="269" text-anchor="middle" class="small">{s["ctrl"]}</text>\n'
    b += box(370, 340, 240, 70, '#bbf7d0', '#16a34a', s['cluster'], s['cluster2'])
    # edges
    b += '  <path class="edge" d="M240,75 L348,75" marker-end="url(#arrow)"/>\n' + pill(300, 134, s['push'])
    b += '  <path class="edge" d="M632,75 C740,75 815,90 815,148" marker-end="url(#arrow)"/>\n' + pill(735, 58, s['pull'])
    b += '  <path class="edge" d="M760,302 C760,360 700,380 612,380" marker-end="url(#arrow)"/>\n' + pill(720, 352 + 30, s['apply'])
    b += '  <path class="edge" d="M612,350 C660,340 690,330 700,303" marker-end="url(#arrow)"/>\n' + pill(590, 314, s['watch'])
    # drift
    b += '  <path class="edge" d="M130,112 C130,300 250,375 368,375" stroke-dasharray="6 5" marker-end="url(#arrow)"/>\n'
    b += pill(150, 250, s['drift'], w=width(s['drift'], True) + 6, cls='mono')
    b += pill(210, 290, s['revert'], cls='small')
    # principles
    xs = [125, 355, 595, 835]
    for xx, key in zip(xs, ['p1', 'p2', 'p3', 'p4']):
        b += f'  <rect x="{xx - 113}" y="432" width="226" height="30" rx="15" fill="#e0e7ff" stroke="#4f46e5" stroke-width="1.5"/>\n'
        b += f'  <text x="{xx}" y="452" text-anchor="middle" class="lbl bold">{s[key]}</text>\n'
    open(f'{OUT}/gitops-loop{suffix}.svg', 'w').write(svg(960, 475, s['title'], s['desc'], b))
