// Lab cards: Check my work (POST /api/labs/<n>/verify, the same grader as `labs verify <n>`)
// marks each task ✓/✗ with what was expected and observed; Reset and the reference solution sit
// behind an inline confirmation. Errors are said in the page's language, with the server's
// detail under "Details".
import type { CheckResult, LabResult } from '../../grader/result.ts';
import type { CheckWords, LabResultWords } from '../../grader/result-words.ts';
import { clusterWords, currentCluster, fill, whereText, type ClusterInfo } from './cluster-state.ts';
import { pageToken, renewPageToken } from './page-token.ts';
import type { LabWords } from './ui-strings.ts';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

type ApiError = { code?: string; error?: string; progress?: ClusterInfo['progress'] };

/** POST from this page (token, renewed once if the server no longer takes it). */
async function post(path: string): Promise<Response> {
  const send = () => fetch(path, { method: 'POST', headers: { accept: 'application/json', 'x-labs-token': pageToken() } });
  const response = await send();
  return response.status === 403 ? renewPageToken().then(send) : response;
}

function errorLine(words: LabWords, status: number, body: ApiError): string {
  switch (body.code) {
    case 'cluster-not-ready':
      return fill(clusterWords.notReady, { where: whereText({ state: 'creating', progress: body.progress ?? currentCluster()?.progress }) });
    case 'no-cluster':
      return words.noCluster;
    case 'cluster-unreachable':
      return words.unreachable;
    case 'lab-not-found':
      return words.labNotFound;
    default:
      return status === 503 ? words.unavailable : words.failed;
  }
}

/** The localized line, and the server's own words under Details (they name files and clusters). */
function showError(target: HTMLElement, words: LabWords, status: number, body: ApiError): void {
  const line = el('p', 'lab-error', errorLine(words, status, body));
  target.replaceChildren(line);
  if (body.error && body.code !== 'cluster-not-ready') {
    const details = el('details', 'lab-error-details');
    details.append(el('summary', undefined, words.details), el('p', undefined, body.error));
    target.append(details);
  }
}

/** The page's language, when the server has the grader's words in it (grader/words-ko.ts). */
const resultLanguage = document.documentElement.lang === 'ko' ? 'ko' : undefined;

function markTask(item: HTMLElement, words: LabWords, check: CheckResult | undefined, said?: CheckWords): void {
  const state = check === undefined ? 'unknown' : check.passed ? 'passed' : 'failed';
  item.dataset.state = state;
  item.querySelector('.task-mark')!.textContent = state === 'passed' ? '✓' : state === 'failed' ? '✗' : '○';
  item.querySelector('[data-task-state-text]')!.textContent = words.taskState[state];
  const target = item.querySelector<HTMLElement>('[data-task-result]')!;
  target.replaceChildren();
  if (!check || check.passed) return;
  const details = el('dl', 'check-details');
  // In the page's language when the server gave it (`localized`), else as the grader said it.
  for (const [label, value] of [[words.expected, said?.expected ?? check.expected], [words.observed, said?.observed ?? check.observed]] as const) {
    if (value) details.append(el('dt', undefined, label), el('dd', undefined, value));
  }
  if (details.childElementCount > 0) target.append(details);
  if (check.diagnostics?.length) target.append(el('pre', 'check-diagnostics', check.diagnostics.join('\n')));
  // A failing task's hint is one click away: open it.
  item.querySelector<HTMLDetailsElement>('.task-hint')?.setAttribute('open', '');
}

function showResult(card: HTMLElement, words: LabWords, result: LabResult & { localized?: LabResultWords }): void {
  for (const item of card.querySelectorAll<HTMLElement>('[data-task]')) {
    const id = item.dataset.task;
    markTask(item, words, result.checks.find((check) => check.id === id), result.localized?.checks.find((check) => check.id === id));
  }
  const summary = el('p', `lab-summary ${result.passed ? 'is-passed' : 'is-failed'}`);
  summary.append(el('strong', undefined, result.passed ? words.passed : words.notYet), ` · ${result.score}/${result.maxScore}`);
  card.querySelector<HTMLElement>('[data-lab-result]')!.replaceChildren(summary);
  const score = card.querySelector<HTMLElement>('[data-lab-score]');
  if (score) score.textContent = fill(words.points, { score: result.score, max: result.maxScore });
  // Done stays done (a later failure does not undo a pass); otherwise it is now in progress.
  if (result.passed) card.dataset.status = 'done';
  else if (card.dataset.status === 'not-started') card.dataset.status = 'in-progress';
  card.querySelector('[data-lab-status]')!.textContent = words.status[card.dataset.status as keyof LabWords['status']];
}

async function check(card: HTMLElement, words: LabWords, button: HTMLButtonElement): Promise<void> {
  const result = card.querySelector<HTMLElement>('[data-lab-result]')!;
  button.disabled = true;
  result.replaceChildren(el('p', 'muted', words.checking));
  try {
    const response = await post(`/api/labs/${card.dataset.lab}/verify${resultLanguage ? `?lang=${resultLanguage}` : ''}`);
    const body = (await response.json().catch(() => ({}))) as LabResult & ApiError;
    if (response.ok) showResult(card, words, body);
    else showError(result, words, response.status, body);
  } catch (error) {
    showError(result, words, 0, { error: (error as Error).message });
  } finally {
    button.disabled = false;
  }
}

async function reset(card: HTMLElement, words: LabWords): Promise<void> {
  const result = card.querySelector<HTMLElement>('[data-lab-result]')!;
  result.replaceChildren(el('p', 'muted', words.resetting));
  const response = await post(`/api/labs/${card.dataset.lab}/reset`).catch(() => undefined);
  const body = (await response?.json().catch(() => ({}))) as ApiError;
  if (!response?.ok) return showError(result, words, response?.status ?? 0, body ?? {});
  for (const item of card.querySelectorAll<HTMLElement>('[data-task]')) markTask(item, words, undefined);
  result.replaceChildren(el('p', 'muted', words.resetDone));
}

async function solution(card: HTMLElement, words: LabWords): Promise<void> {
  const target = card.querySelector<HTMLElement>('[data-lab-solution]')!;
  const response = await fetch(`/api/labs/${card.dataset.lab}/solution`, { headers: { accept: 'application/json' } }).catch(() => undefined);
  const body = (await response?.json().catch(() => ({}))) as { steps?: string } & ApiError;
  if (!response?.ok || !body.steps) return showError(target, words, response?.status ?? 0, body ?? {});
  const copy = el('button', 'small-button', words.copy);
  copy.type = 'button';
  copy.addEventListener('click', () => void navigator.clipboard?.writeText(body.steps!).then(() => (copy.textContent = words.copied)));
  target.replaceChildren(el('p', undefined, words.solutionIntro), el('pre', 'lab-solution-steps', body.steps), copy);
  target.hidden = false;
}

/** Reset and Solution ask first, inline (no browser dialog), and say what will happen. */
function confirmThen(card: HTMLElement, words: LabWords, action: 'reset' | 'solution', trigger: HTMLButtonElement): void {
  const box = card.querySelector<HTMLElement>('[data-lab-confirm]')!;
  const yes = box.querySelector<HTMLButtonElement>('[data-lab-confirm-yes]')!;
  const no = box.querySelector<HTMLButtonElement>('[data-lab-confirm-no]')!;
  box.querySelector('[data-lab-confirm-text]')!.textContent = action === 'reset' ? words.resetConfirm : words.solutionConfirm;
  yes.textContent = action === 'reset' ? words.resetYes : words.solutionYes;
  yes.classList.toggle('danger', action === 'reset');
  box.hidden = false;
  trigger.setAttribute('aria-expanded', 'true');
  yes.focus();
  const close = () => {
    box.hidden = true;
    trigger.setAttribute('aria-expanded', 'false');
    yes.onclick = no.onclick = null;
    trigger.focus();
  };
  no.onclick = close;
  yes.onclick = () => {
    close();
    void (action === 'reset' ? reset(card, words) : solution(card, words));
  };
}

const panel = document.querySelector<HTMLElement>('[data-lab-panel]');
if (panel) {
  const words = JSON.parse(panel.dataset.words ?? '{}') as LabWords;
  panel.addEventListener('click', (event) => {
    const target = event.target as Element | null;
    const card = target?.closest<HTMLElement>('[data-lab]');
    if (!card) return;
    const checkButton = target?.closest<HTMLButtonElement>('[data-lab-check]');
    if (checkButton) return void check(card, words, checkButton);
    const actionButton = target?.closest<HTMLButtonElement>('[data-lab-action]');
    if (actionButton) confirmThen(card, words, actionButton.dataset.labAction as 'reset' | 'solution', actionButton);
  });
}

// The live Argo CD view is on one lesson only: its code loads there, not on every lesson page.
if (document.querySelector('[data-gitops-view]')) void import('./gitops-view.ts');
