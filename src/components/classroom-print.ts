// The printable join page: the class's code from GET /api/classroom/cohorts/<id>, the join
// address learners reach (join-address.ts), and a QR code of the address with the code filled
// in, drawn here as SVG (qrcode-generator is pure JavaScript: no network, no canvas).
import qrcode from 'qrcode-generator';
import { call, el, errorText, pageWords, spacedCode, type Cohort } from './classroom-client.ts';
import { joinAddressOf } from './join-address.ts';

const SVG = 'http://www.w3.org/2000/svg';

/** The QR code of `text` as one SVG path (a 4-module quiet zone around it). */
export function drawQr(svg: SVGSVGElement, text: string): void {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const size = qr.getModuleCount();
  const margin = 4;
  let d = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) if (qr.isDark(row, col)) d += `M${col + margin},${row + margin}h1v1h-1z`;
  }
  const total = size + 2 * margin;
  svg.setAttribute('viewBox', `0 0 ${total} ${total}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(total));
  background.setAttribute('height', String(total));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.replaceChildren(background, modules);
  svg.dataset.qrText = text;
}

const page = document.querySelector<HTMLElement>('[data-classroom-print]');
if (page) {
  const w = pageWords(page);
  page.querySelector('[data-cr-print]')?.addEventListener('click', () => window.print());
  void call<{ cohort: Cohort }>('GET', `/api/classroom/cohorts/${page.dataset.cohort}`).then((answer) => {
    const cohort = answer.body.cohort;
    if (!answer.ok || !cohort) {
      const notice = page.querySelector<HTMLElement>('[data-cr-notice]')!;
      notice.textContent = errorText(w, answer, (status) => (status === 404 ? w.notFound : status === 401 ? w.signedOut : undefined));
      notice.hidden = false;
      return;
    }
    // The address learners reach (the server's, not this browser's); none: only this machine does.
    const address = joinAddressOf(page) ?? `${location.origin}/join`;
    page.querySelector<HTMLElement>('[data-cr-no-join-address]')!.hidden = joinAddressOf(page) !== undefined;
    page.querySelector('[data-cr-cohort-name]')!.textContent = cohort.name;
    // A narrow page breaks the address before "/join", never inside a word.
    page.querySelector('[data-cr-join-url]')!.replaceChildren(address.replace(/\/join$/, ''), el('wbr'), '/join');
    const code = page.querySelector<HTMLElement>('[data-cr-join-code]')!;
    code.textContent = spacedCode(cohort.joinCode);
    code.dataset.joinCode = cohort.joinCode;
    const svg = page.querySelector<SVGSVGElement>('[data-cr-qr]')!;
    drawQr(svg, `${address}?code=${encodeURIComponent(cohort.joinCode)}`);
    svg.setAttribute('aria-label', `${address}?code=${cohort.joinCode}`);
    page.querySelector<HTMLElement>('[data-cr-sheet]')!.hidden = false;
    document.title = `${cohort.name} · ${w.printTitle}`;
  });
}
