// Two probe timelines on one time axis (0–60 s): a slow-starting container killed by its
// liveness probe, and the same container protected by a startup probe. Used by lesson 02.
import { fixed1, num, perLanguage, real, svgDocument, textWidth, type Diagrams } from './svg.ts';

const X0 = 135;
const SCALE = 11.9;
/** x coordinate of second `t`. */
const x = (t: number): number => X0 + t * SCALE;

const width = (text: string) => textWidth(text, 8.3, 15.5, 20);

const STYLE = `  <defs>
    <pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="8" height="8" fill="#e5e7eb"/><line x1="0" y1="0" x2="0" y2="8" stroke="#9ca3af" stroke-width="3"/>
    </pattern>
    <style>
      text { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans KR", "Apple SD Gothic Neo", sans-serif; fill: #1f2937; }
      .lbl { font-size: 15px; }
      .small { font-size: 14px; }
      .bold { font-weight: 700; }
      .pill { fill: #f1f5f9; stroke: #94a3b8; stroke-width: 1; }
      .axis { stroke: #8b95a5; stroke-width: 2; }
      .tick { stroke: #8b95a5; stroke-width: 1.5; }
      .kill { stroke: #dc2626; stroke-width: 2; stroke-dasharray: 6 4; }
    </style>
  </defs>
`;

type PillOptions = { w?: number; cls?: string; bold?: boolean; /** cy lies between two rows (written with a decimal) */ between?: boolean };

function pill(cx: number, cy: number, text: string, { w, cls = 'lbl', bold = false, between = false }: PillOptions = {}): string {
  const wide = w || Math.max(40, [...text].length * 8.3 + 20);
  const y = between ? real : num;
  const b = bold ? ' bold' : '';
  return (
    `  <rect x="${fixed1(cx - wide / 2)}" y="${y(cy - 13)}" width="${fixed1(wide)}" height="26" rx="8" class="pill"/>\n` +
    `  <text x="${fixed1(cx)}" y="${y(cy + 5)}" text-anchor="middle" class="${cls}${b}">${text}</text>\n`
  );
}

const rowLabel = (y: number, text: string): string => pill(62, y, text, { w: 112, bold: true });

/** A bar from second t0 to t1 on a row, optionally labelled. */
function segment(t0: number, t1: number, y: number, h: number, fill: string, stroke: string, text = ''): string {
  let s = `  <rect x="${fixed1(x(t0))}" y="${num(y)}" width="${fixed1(x(t1) - x(t0))}" height="${num(h)}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>\n`;
  if (text) s += `  <text x="${fixed1((x(t0) + x(t1)) / 2)}" y="${real(y + h / 2 + 4.5)}" text-anchor="middle" class="small">${text}</text>\n`;
  return s;
}

/** A probe attempt at second t: a green tick or a red cross. */
function probe(t: number, y: number, ok: boolean): string {
  const cx = x(t);
  if (ok) {
    return (
      `  <circle cx="${fixed1(cx)}" cy="${num(y)}" r="9" fill="#bbf7d0" stroke="#16a34a" stroke-width="2"/>\n` +
      `  <path d="M${fixed1(cx - 4)},${num(y)} l3,3.5 l5.5,-7" stroke="#166534" stroke-width="2" fill="none"/>\n`
    );
  }
  return (
    `  <circle cx="${fixed1(cx)}" cy="${num(y)}" r="9" fill="#fecaca" stroke="#dc2626" stroke-width="2"/>\n` +
    `  <path d="M${fixed1(cx - 3.5)},${real(y - 3.5)} l7,7 M${fixed1(cx + 3.5)},${real(y - 3.5)} l-7,7" stroke="#991b1b" stroke-width="2"/>\n`
  );
}

function axis(y: number, label: string): string {
  let s = `  <line x1="${real(x(0))}" y1="${num(y)}" x2="${real(x(60) + 12)}" y2="${num(y)}" class="axis"/>\n`;
  for (let t = 0; t <= 60; t += 5) {
    s += `  <line x1="${fixed1(x(t))}" y1="${num(y)}" x2="${fixed1(x(t))}" y2="${num(y + (t % 10 === 0 ? 7 : 4))}" class="tick"/>\n`;
    if (t % 10 === 0) s += pill(x(t), y + 22, String(t), { w: 30, cls: 'small' });
  }
  s += pill(x(60) + 56, y + 22, label, { w: width(label), cls: 'small' });
  return s;
}

type Labels = Record<
  | 't1' | 'd1' | 'head1' | 'container' | 'liveness' | 'readiness' | 'startup' | 'starting' | 'starting2' | 'backoff1' | 'backoff2'
  | 'kill' | 'seconds' | 'foot1' | 't2' | 'd2' | 'head2' | 'starting3' | 'serving' | 'off' | 'budget' | 'ready' | 'first',
  string
>;

const LABELS: Record<'en' | 'ko', Labels> = {
  en: {
    t1: 'Liveness probe without a startup probe',
    d1: 'A container needs 30 seconds to start, but its liveness probe (initial delay 5 s, period 5 s, failure threshold 3) kills it after 15 seconds, every time, so it never starts.',
    head1: 'livenessProbe only: initialDelaySeconds 5 · periodSeconds 5 · failureThreshold 3',
    container: 'container',
    liveness: 'liveness',
    readiness: 'readiness',
    startup: 'startup',
    starting: 'starting (needs 30 s)',
    starting2: 'starting again',
    backoff1: 'back-off 10 s',
    backoff2: 'back-off 20 s …',
    kill: '3rd failure: kill',
    seconds: 'seconds',
    foot1: 'The app needs 30 s but is killed after 15 s, every time: CrashLoopBackOff',
    t2: 'Startup probe protecting a slow start',
    d2: 'The startup probe is tried every 5 seconds for up to 60 seconds. It succeeds at 30 seconds; only then do the liveness and readiness probes begin, and the Pod becomes Ready.',
    head2: 'startupProbe: periodSeconds 5 · failureThreshold 12 → up to 60 s to start',
    starting3: 'starting (needs 30 s)',
    serving: 'serving',
    off: 'off until the startup probe succeeds',
    budget: 'budget: 12 × 5 s = 60 s',
    ready: 'Ready: traffic flows',
    first: 'first success: liveness and readiness take over',
  },
  ko: {
    t1: 'startup 프로브 없이 liveness 프로브만 둔 경우',
    d1: '시작에 30초가 걸리는 컨테이너가 liveness 프로브(초기 지연 5초, 주기 5초, 실패 임계값 3)에 의해 매번 15초 만에 종료되어 끝내 시작하지 못한다.',
    head1: 'livenessProbe만 설정: initialDelaySeconds 5 · periodSeconds 5 · failureThreshold 3',
    container: '컨테이너',
    liveness: 'liveness',
    readiness: 'readiness',
    startup: 'startup',
    starting: '시작 중 (30초 필요)',
    starting2: '다시 시작 중',
    backoff1: '백오프 10초',
    backoff2: '백오프 20초 …',
    kill: '3번째 실패: 종료',
    seconds: '초',
    foot1: '앱은 30초가 필요한데 매번 15초 만에 종료된다 → CrashLoopBackOff',
    t2: '느린 시작을 보호하는 startup 프로브',
    d2: 'startup 프로브는 5초마다, 최대 60초 동안 시도된다. 30초에 성공하면 그때부터 liveness와 readiness 프로브가 동작하고 Pod가 Ready가 된다.',
    head2: 'startupProbe: periodSeconds 5 · failureThreshold 12 → 시작에 최대 60초 허용',
    starting3: '시작 중 (30초 필요)',
    serving: '서비스 중',
    off: 'startup 프로브가 성공할 때까지 꺼져 있음',
    budget: '허용 시간: 12 × 5초 = 60초',
    ready: 'Ready: 트래픽 수신',
    first: '첫 성공: 이제 liveness·readiness가 이어받음',
  },
};

function withoutStartup(s: Labels): string {
  let b = pill(480, 22, s.head1, { w: width(s.head1) });
  const [yC, yL] = [66, 130];
  b += rowLabel(yC + 16, s.container) + rowLabel(yL, s.liveness);
  b += segment(0, 15, yC, 32, '#fde68a', '#d97706', s.starting);
  b += segment(15, 25, yC, 32, 'url(#hatch)', '#9ca3af');
  b += segment(25, 40, yC, 32, '#fde68a', '#d97706', s.starting2);
  b += segment(40, 60, yC, 32, 'url(#hatch)', '#9ca3af');
  b += pill(x(20), yC + 16, s.backoff1, { w: width(s.backoff1), cls: 'small' });
  b += pill(x(50), yC + 16, s.backoff2, { w: width(s.backoff2), cls: 'small' });
  for (const t of [15, 40]) {
    b += `  <line x1="${fixed1(x(t))}" y1="${num(yC - 8)}" x2="${fixed1(x(t))}" y2="${num(yL + 22)}" class="kill"/>\n`;
    b += pill(x(t), yL + 36, s.kill, { w: width(s.kill), cls: 'small' });
  }
  for (const t of [5, 10, 15, 30, 35, 40]) b += probe(t, yL, false);
  b += axis(200, s.seconds);
  b += pill(480, 262, s.foot1, { w: width(s.foot1) * 1.1, bold: true });
  return svgDocument(960, 282, s.t1, s.d1, STYLE, b);
}

function withStartup(s: Labels): string {
  let b = pill(480, 22, s.head2, { w: width(s.head2) });
  const [yC, yS, yL, yR] = [62, 124, 180, 236];
  b += rowLabel(yC + 16, s.container) + rowLabel(yS, s.startup) + rowLabel(yL, s.liveness) + rowLabel(yR, s.readiness);
  b += segment(0, 30, yC, 32, '#fde68a', '#d97706', s.starting3);
  b += segment(30, 60, yC, 32, '#bbf7d0', '#16a34a', s.serving);
  for (const t of [5, 10, 15, 20, 25]) b += probe(t, yS, false);
  b += probe(30, yS, true);
  b += `  <line x1="${real(x(0))}" y1="${num(yS + 20)}" x2="${real(x(60))}" y2="${num(yS + 20)}" stroke="#7c3aed" stroke-width="2" stroke-dasharray="3 3"/>\n`;
  b += `  <line x1="${real(x(60))}" y1="${num(yS + 13)}" x2="${real(x(60))}" y2="${num(yS + 27)}" stroke="#7c3aed" stroke-width="2"/>\n`;
  b += pill(x(45), yS, s.budget, { w: width(s.budget), cls: 'small' });
  b += segment(0, 30, yL - 11, 22, 'url(#hatch)', '#9ca3af');
  b += segment(0, 30, yR - 11, 22, 'url(#hatch)', '#9ca3af');
  b += pill(x(15), (yL + yR) / 2, s.off, { w: width(s.off), cls: 'small', between: true });
  for (const t of [35, 40, 45, 50, 55, 60]) {
    b += probe(t, yL, true);
    b += probe(t, yR, true);
  }
  b += `  <line x1="${fixed1(x(30))}" y1="${num(yC - 8)}" x2="${fixed1(x(30))}" y2="${num(yR + 16)}" stroke="#16a34a" stroke-width="2" stroke-dasharray="6 4"/>\n`;
  b += pill(x(35), yR + 32, s.ready, { w: width(s.ready), cls: 'small' });
  b += axis(288, s.seconds);
  b += pill(480, 346, s.first, { w: width(s.first) * 1.1, bold: true });
  return svgDocument(960, 366, s.t2, s.d2, STYLE, b);
}

export const probeTimelines = (): Diagrams => ({
  ...perLanguage('probe-timeline-without-startup', LABELS, withoutStartup),
  ...perLanguage('probe-timeline-with-startup', LABELS, withStartup),
});
