# Course diagram source (English and Korean). Regenerate all: python3 content/diagrams/generate.py
import sys
OUT = sys.argv[1]
STYLE = '''  <defs>
    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" fill="#8b95a5"/>
    </marker>
    <style>
      text { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans KR", "Apple SD Gothic Neo", sans-serif; fill: #1f2937; }
      .h { font-size: 21px; font-weight: 700; }
      .h2 { font-size: 18px; font-weight: 700; }
      .s { font-size: 14.5px; }
      .lbl { font-size: 14px; }
      .edge { stroke: #8b95a5; stroke-width: 2; fill: none; }
      .pill { fill: #f1f5f9; stroke: #94a3b8; stroke-width: 1; }
      .band { fill: none; stroke: #94a3b8; stroke-width: 1.5; stroke-dasharray: 4 4; }
    </style>
  </defs>
'''
def width(text):
    return sum(15 if ord(c) > 0x1100 else 7.9 for c in text) + 22
def pill(cx, cy, lines, bold=False):
    lines = lines if isinstance(lines, list) else [lines]
    w = max(width(l) for l in lines); h = 8 + 18 * len(lines)
    s = f'  <rect x="{cx - w/2:.1f}" y="{cy - h/2:.1f}" width="{w:.1f}" height="{h}" rx="8" class="pill"/>\n'
    for i, l in enumerate(lines):
        fw = ' font-weight="700"' if bold else ''
        s += f'  <text x="{cx:.1f}" y="{cy - h/2 + 18 + i*18:.1f}" text-anchor="middle" class="lbl"{fw}>{l}</text>\n'
    return s
def box(x, y, w, h, fill, stroke, title, lines, cls='h', dash=False):
    d = ' stroke-dasharray="6 4"' if dash else ''
    s = f'  <rect x="{x}" y="{y}" width="{w}" height="{h}" rx="12" fill="{fill}" stroke="{stroke}" stroke-width="2"{d}/>\n'
    top = y + 30 if lines else y + h/2 + 7
    s += f'  <text x="{x + w/2}" y="{top}" text-anchor="middle" class="{cls}">{title}</text>\n'
    for i, l in enumerate(lines):
        s += f'  <text x="{x + w/2}" y="{top + 24 + i*19}" text-anchor="middle" class="s">{l}</text>\n'
    return s
T = {
 'en': dict(title='Pod phases and container states', desc='A Pod starts Pending, becomes Running, and ends Succeeded or Failed. Unknown means the node stopped reporting. Inside a Running Pod the kubelet restarts containers in place. Each container moves between Waiting, Running and Terminated.',
   pending=['waiting for a node,', 'images, init containers'], running=['on a node, at least one', 'container running'],
   succeeded=['all containers exited 0,', 'none will restart'], failed=['all stopped, one or more', 'failed, none will restart'],
   unknown=['the node stopped reporting'], e1=['scheduled,', 'containers started'], e2='all exit 0', e3='a container fails',
   loop='kubelet restarts a container in place', band='each container inside the Pod',
   waiting=['ContainerCreating,', 'CrashLoopBackOff'], crunning=['the process is running'], terminated=['exitCode and reason'],
   restart='restart after a growing back-off'),
 'ko': dict(title='파드 단계와 컨테이너 상태', desc='파드는 Pending으로 시작해 Running이 되고 Succeeded 또는 Failed로 끝난다. Unknown은 노드가 보고를 멈췄다는 뜻이다. Running 파드 안에서 kubelet은 컨테이너를 제자리에서 재시작한다. 각 컨테이너는 Waiting, Running, Terminated 사이를 오간다.',
   pending=['노드 배정 대기,', '이미지 받기, init 컨테이너'], running=['노드에 배정됨,', '컨테이너 하나 이상 실행 중'],
   succeeded=['모든 컨테이너가 0으로 종료,', '다시 시작하지 않음'], failed=['모두 멈춤, 하나 이상 실패,', '다시 시작하지 않음'],
   unknown=['노드가 보고를 멈춤'], e1=['스케줄되고', '컨테이너 시작'], e2='모두 0 종료', e3='컨테이너 실패',
   loop='kubelet이 컨테이너를 제자리에서 재시작', band='파드 안의 각 컨테이너',
   waiting=['ContainerCreating,', 'CrashLoopBackOff'], crunning=['프로세스 실행 중'], terminated=['exitCode와 reason 기록'],
   restart='점점 늘어나는 대기 후 재시작'),
}
for lang, t in T.items():
    suffix = '' if lang == 'en' else '.ko'
    b = ''
    b += box(20, 80, 230, 100, '#fde68a', '#d97706', 'Pending', t['pending'])
    b += box(365, 80, 230, 100, '#bfdbfe', '#2563eb', 'Running', t['running'])
    b += box(710, 26, 230, 96, '#bbf7d0', '#16a34a', 'Succeeded', t['succeeded'])
    b += box(710, 146, 230, 96, '#fecaca', '#dc2626', 'Failed', t['failed'])
    b += box(365, 262, 230, 74, '#e5e7eb', '#6b7280', 'Unknown', t['unknown'], dash=True)
    b += '  <path class="edge" d="M250,130 L363,130" marker-end="url(#arrow)"/>\n' + pill(306, 166, t['e1'])
    b += '  <path class="edge" d="M595,108 C640,80 670,70 708,72" marker-end="url(#arrow)"/>\n' + pill(652, 66, t['e2'])
    b += '  <path class="edge" d="M595,152 C640,175 670,192 708,192" marker-end="url(#arrow)"/>\n' + pill(652, 212, t['e3'])
    b += '  <path class="edge" d="M440,80 C430,34 530,34 520,78" marker-end="url(#arrow)"/>\n' + pill(480, 20, t['loop'])
    b += '  <path class="edge" d="M480,180 L480,260" stroke-dasharray="5 4" marker-end="url(#arrow)"/>\n'
    b += '  <path class="edge" d="M135,180 C135,270 280,299 363,299" stroke-dasharray="5 4" marker-end="url(#arrow)"/>\n'
    b += '  <rect x="20" y="360" width="920" height="170" rx="12" class="band"/>\n'
    b += pill(150, 384, t['band'], bold=True)
    b += box(40, 404, 250, 82, '#fde68a', '#d97706', 'Waiting', t['waiting'], cls='h2')
    b += box(355, 404, 250, 82, '#bfdbfe', '#2563eb', 'Running', t['crunning'], cls='h2')
    b += box(670, 404, 250, 82, '#e9d5ff', '#7c3aed', 'Terminated', t['terminated'], cls='h2')
    b += '  <path class="edge" d="M290,445 L353,445" marker-end="url(#arrow)"/>\n  <path class="edge" d="M605,445 L668,445" marker-end="url(#arrow)"/>\n'
    b += '  <path class="edge" d="M795,486 C795,508 760,512 720,512 L240,512 C195,512 165,508 165,488" marker-end="url(#arrow)"/>\n'
    b += pill(480, 512, t['restart'])
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 545" role="img" aria-labelledby="t d">\n'
           f'  <title id="t">{t["title"]}</title>\n  <desc id="d">{t["desc"]}</desc>\n' + STYLE + b + '</svg>\n')
    open(f'{OUT}/pod-phases{suffix}.svg', 'w').write(svg)
