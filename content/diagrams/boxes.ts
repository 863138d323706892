// Building blocks of the box-and-arrow diagrams (Kustomize layering, GitOps loop, Argo CD):
// one stylesheet, labelled pills, file cards with a coloured header, and titled boxes.
import { fixed1, num, real, textWidth } from './svg.ts';

export const STYLE = `  <defs>
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
`;

/** Rough width of a label; monospace Latin is a little wider. */
export const width = (text: string, mono = false): number => textWidth(text, mono ? 8.9 : 8.3, 15.5, 20);

export type PillOptions = { w?: number; cls?: string; bold?: boolean };

/** A one-line label on a rounded grey pill centred at (cx, cy). */
export function pill(cx: number, cy: number, text: string, { w, cls = 'lbl', bold = false }: PillOptions = {}): string {
  const wide = w || width(text);
  const b = bold ? ' bold' : '';
  return (
    `  <rect x="${fixed1(cx - wide / 2)}" y="${num(cy - 13)}" width="${fixed1(wide)}" height="26" rx="8" class="pill"/>\n` +
    `  <text x="${fixed1(cx)}" y="${num(cy + 5)}" text-anchor="middle" class="${cls}${b}">${text}</text>\n`
  );
}

/** A file or folder card: a coloured header with the title, then lines (monospace or not). */
export function card(x: number, y: number, w: number, title: string, lines: [text: string, mono: boolean][], headFill: string, stroke: string, lineHeight = 19): string {
  const h = 34 + lines.length * lineHeight + 10;
  let s = `  <rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" rx="10" class="body" stroke="${stroke}"/>\n`;
  s += `  <path d="M${num(x)},${num(y + 10)} a10,10 0 0 1 10,-10 h${num(w - 20)} a10,10 0 0 1 10,10 v20 h-${num(w)} z" fill="${headFill}" stroke="${stroke}" stroke-width="2"/>\n`;
  s += `  <text x="${num(x + 12)}" y="${num(y + 21)}" class="h">${title}</text>\n`;
  lines.forEach(([text, mono], i) => {
    s += `  <text x="${num(x + 14)}" y="${num(y + 34 + 18 + i * lineHeight)}" class="${mono ? 'mono' : 'lbl'}" xml:space="preserve">${text}</text>\n`;
  });
  return s;
}

/** A coloured box with a bold title and, if given, a second line. */
export function box(x: number, y: number, w: number, h: number, fill: string, stroke: string, title: string, subtitle: string, dash = false): string {
  const d = dash ? ' stroke-dasharray="6 4"' : '';
  const rect = `  <rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" rx="12" fill="${fill}" stroke="${stroke}" stroke-width="2"${d}/>\n`;
  if (!subtitle) return rect + `  <text x="${real(x + w / 2)}" y="${real(y + h / 2 + 5)}" text-anchor="middle" class="h">${title}</text>\n`;
  return (
    rect +
    `  <text x="${real(x + w / 2)}" y="${real(y + h / 2 - 3)}" text-anchor="middle" class="h">${title}</text>\n` +
    `  <text x="${real(x + w / 2)}" y="${real(y + h / 2 + 17)}" text-anchor="middle" class="lbl">${subtitle}</text>\n`
  );
}
