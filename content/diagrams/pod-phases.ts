// Pod phases (Pending → Running → Succeeded/Failed, Unknown) and, below, the container states
// inside a Pod. Used by lesson 01.
import { fixed1, num, perLanguage, real, svgDocument, textWidth, type Diagrams } from './svg.ts';

const STYLE = `  <defs>
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
`;

const width = (text: string) => textWidth(text, 7.9, 15, 22);

/** A label on a rounded grey pill centred at (cx, cy), one or more lines. */
function pill(cx: number, cy: number, lines: string | string[], bold = false): string {
  const list = typeof lines === 'string' ? [lines] : lines;
  const w = Math.max(...list.map(width));
  const h = 8 + 18 * list.length;
  let s = `  <rect x="${fixed1(cx - w / 2)}" y="${fixed1(cy - h / 2)}" width="${fixed1(w)}" height="${num(h)}" rx="8" class="pill"/>\n`;
  list.forEach((line, i) => {
    const weight = bold ? ' font-weight="700"' : '';
    s += `  <text x="${fixed1(cx)}" y="${fixed1(cy - h / 2 + 18 + i * 18)}" text-anchor="middle" class="lbl"${weight}>${line}</text>\n`;
  });
  return s;
}

/** A coloured state box: a title and its explanation lines. */
function box(x: number, y: number, w: number, h: number, fill: string, stroke: string, title: string, lines: string[], cls = 'h', dash = false): string {
  const d = dash ? ' stroke-dasharray="6 4"' : '';
  let s = `  <rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" rx="12" fill="${fill}" stroke="${stroke}" stroke-width="2"${d}/>\n`;
  const top = lines.length ? num(y + 30) : real(y + h / 2 + 7);
  s += `  <text x="${real(x + w / 2)}" y="${top}" text-anchor="middle" class="${cls}">${title}</text>\n`;
  lines.forEach((line, i) => {
    s += `  <text x="${real(x + w / 2)}" y="${num(y + 30 + 24 + i * 19)}" text-anchor="middle" class="s">${line}</text>\n`;
  });
  return s;
}

type Labels = {
  title: string;
  desc: string;
  pending: string[];
  running: string[];
  succeeded: string[];
  failed: string[];
  unknown: string[];
  e1: string[];
  e2: string;
  e3: string;
  loop: string;
  band: string;
  waiting: string[];
  crunning: string[];
  terminated: string[];
  restart: string;
};

const LABELS: Record<'en' | 'ko', Labels> = {
  en: {
    title: 'Pod phases and container states',
    desc: 'A Pod starts Pending, becomes Running, and ends Succeeded or Failed. Unknown means the node stopped reporting. Inside a Running Pod the kubelet restarts containers in place. Each container moves between Waiting, Running and Terminated.',
    pending: ['waiting for a node,', 'images, init containers'],
    running: ['on a node, at least one', 'container running'],
    succeeded: ['all containers exited 0,', 'none will restart'],
    failed: ['all stopped, one or more', 'failed, none will restart'],
    unknown: ['the node stopped reporting'],
    e1: ['scheduled,', 'containers started'],
    e2: 'all exit 0',
    e3: 'a container fails',
    loop: 'kubelet restarts a container in place',
    band: 'each container inside the Pod',
    waiting: ['ContainerCreating,', 'CrashLoopBackOff'],
    crunning: ['the process is running'],
    terminated: ['exitCode and reason'],
    restart: 'restart after a growing back-off',
  },
  ko: {
    title: '파드 단계와 컨테이너 상태',
    desc: '파드는 Pending으로 시작해 Running이 되고 Succeeded 또는 Failed로 끝난다. Unknown은 노드가 보고를 멈췄다는 뜻이다. Running 파드 안에서 kubelet은 컨테이너를 제자리에서 재시작한다. 각 컨테이너는 Waiting, Running, Terminated 사이를 오간다.',
    pending: ['노드 배정 대기,', '이미지 받기, init 컨테이너'],
    running: ['노드에 배정됨,', '컨테이너 하나 이상 실행 중'],
    succeeded: ['모든 컨테이너가 0으로 종료,', '다시 시작하지 않음'],
    failed: ['모두 멈춤, 하나 이상 실패,', '다시 시작하지 않음'],
    unknown: ['노드가 보고를 멈춤'],
    e1: ['스케줄되고', '컨테이너 시작'],
    e2: '모두 0 종료',
    e3: '컨테이너 실패',
    loop: 'kubelet이 컨테이너를 제자리에서 재시작',
    band: '파드 안의 각 컨테이너',
    waiting: ['ContainerCreating,', 'CrashLoopBackOff'],
    crunning: ['프로세스 실행 중'],
    terminated: ['exitCode와 reason 기록'],
    restart: '점점 늘어나는 대기 후 재시작',
  },
};

export function podPhases(): Diagrams {
  return perLanguage('pod-phases', LABELS, (t) => {
    let b = '';
    b += box(20, 80, 230, 100, '#fde68a', '#d97706', 'Pending', t.pending);
    b += box(365, 80, 230, 100, '#bfdbfe', '#2563eb', 'Running', t.running);
    b += box(710, 26, 230, 96, '#bbf7d0', '#16a34a', 'Succeeded', t.succeeded);
    b += box(710, 146, 230, 96, '#fecaca', '#dc2626', 'Failed', t.failed);
    b += box(365, 262, 230, 74, '#e5e7eb', '#6b7280', 'Unknown', t.unknown, 'h', true);
    b += '  <path class="edge" d="M250,130 L363,130" marker-end="url(#arrow)"/>\n' + pill(306, 166, t.e1);
    b += '  <path class="edge" d="M595,108 C640,80 670,70 708,72" marker-end="url(#arrow)"/>\n' + pill(652, 66, t.e2);
    b += '  <path class="edge" d="M595,152 C640,175 670,192 708,192" marker-end="url(#arrow)"/>\n' + pill(652, 212, t.e3);
    b += '  <path class="edge" d="M440,80 C430,34 530,34 520,78" marker-end="url(#arrow)"/>\n' + pill(480, 20, t.loop);
    b += '  <path class="edge" d="M480,180 L480,260" stroke-dasharray="5 4" marker-end="url(#arrow)"/>\n';
    b += '  <path class="edge" d="M135,180 C135,270 280,299 363,299" stroke-dasharray="5 4" marker-end="url(#arrow)"/>\n';
    b += '  <rect x="20" y="360" width="920" height="170" rx="12" class="band"/>\n';
    b += pill(150, 384, t.band, true);
    b += box(40, 404, 250, 82, '#fde68a', '#d97706', 'Waiting', t.waiting, 'h2');
    b += box(355, 404, 250, 82, '#bfdbfe', '#2563eb', 'Running', t.crunning, 'h2');
    b += box(670, 404, 250, 82, '#e9d5ff', '#7c3aed', 'Terminated', t.terminated, 'h2');
    b += '  <path class="edge" d="M290,445 L353,445" marker-end="url(#arrow)"/>\n  <path class="edge" d="M605,445 L668,445" marker-end="url(#arrow)"/>\n';
    b += '  <path class="edge" d="M795,486 C795,508 760,512 720,512 L240,512 C195,512 165,508 165,488" marker-end="url(#arrow)"/>\n';
    b += pill(480, 512, t.restart);
    return svgDocument(960, 545, t.title, t.desc, STYLE, b);
  });
}
