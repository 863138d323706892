// Check buttons: POST /api/labs/<n>/verify (the same grader as `labs verify <n>`) and show
// each check with what was expected and what the cluster showed.
import type { LabResult } from '../../grader/result.ts';
import { pageToken, renewPageToken } from './page-token.ts';

type Words = Record<'checking' | 'unavailable' | 'failed' | 'passed' | 'notYet' | 'expected' | 'observed' | 'hint', string>;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

function renderResult(target: HTMLElement, result: LabResult, words: Words): void {
  target.replaceChildren();
  const summary = el('p', `lab-summary ${result.passed ? 'is-passed' : 'is-failed'}`);
  summary.append(el('strong', undefined, result.passed ? words.passed : words.notYet), ` · ${result.score}/${result.maxScore}`);
  target.append(summary);
  const list = el('ul', 'check-list');
  for (const check of result.checks) {
    const item = el('li', check.passed ? 'is-passed' : 'is-failed');
    item.append(el('span', 'check-mark', check.passed ? '✓' : '✗'), el('span', 'check-title', check.title));
    if (!check.passed) {
      const details = el('dl', 'check-details');
      for (const [label, value] of [[words.expected, check.expected], [words.observed, check.observed], [words.hint, check.hint]] as const) {
        if (!value) continue;
        details.append(el('dt', undefined, label), el('dd', label === words.hint ? 'is-hint' : undefined, value));
      }
      if (details.childElementCount > 0) item.append(details);
      if (check.diagnostics?.length) item.append(el('pre', 'check-diagnostics', check.diagnostics.join('\n')));
    }
    list.append(item);
  }
  target.append(list);
}

const panel = document.querySelector<HTMLElement>('[data-lab-panel]');

/** Lab titles come from the lab catalog (labs/NN-name/lab.yaml) through the server. */
async function fillTitles(container: HTMLElement): Promise<void> {
  try {
    const response = await fetch('/api/labs', { headers: { accept: 'application/json' } });
    if (!response.ok) return;
    const labs = (await response.json()) as { number: number; title: string }[];
    for (const card of container.querySelectorAll<HTMLElement>('[data-lab]')) {
      const lab = labs.find((entry) => String(entry.number) === card.dataset.lab);
      const title = card.querySelector<HTMLElement>('[data-lab-title]');
      if (lab && title) title.textContent = lab.title;
    }
  } catch {
    // Titles are a nicety; the Check button works without them.
  }
}

if (panel) {
  void fillTitles(panel);
  const words = JSON.parse(panel.dataset.words ?? '{}') as Words;
  panel.addEventListener('click', async (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('[data-lab-check]');
    const card = button?.closest<HTMLElement>('[data-lab]');
    if (!button || !card) return;
    const result = card.querySelector<HTMLElement>('[data-lab-result]')!;
    button.disabled = true;
    result.replaceChildren(el('p', 'muted', words.checking));
    try {
      const post = () => fetch(`/api/labs/${card.dataset.lab}/verify`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-labs-token': pageToken() },
      });
      let response = await post();
      // The server no longer accepts this page's token (restarted, or the token expired): renew once.
      if (response.status === 403) response = await renewPageToken().then(post);
      if (response.status === 503) {
        result.replaceChildren(el('p', 'muted', words.unavailable));
      } else if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        result.replaceChildren(el('p', 'lab-error', `${words.failed}: ${body.error ?? response.statusText}`));
      } else {
        renderResult(result, (await response.json()) as LabResult, words);
      }
    } catch (error) {
      result.replaceChildren(el('p', 'lab-error', `${words.failed}: ${(error as Error).message}`));
    } finally {
      button.disabled = false;
    }
  });
}
