// The dashboard's learner drawer: one learner's environment and every lab of theirs with the
// failing tasks' expected and observed, a link to watch their terminal, and the actions on them
// (reset a lab, recreate the environment). Opened from the grid, the help queue or a row.
import { el, fill, say } from './classroom-client.ts';
import { act, type Dashboard, type Reason } from './classroom-dashboard-state.ts';
import { cellState, environmentBadge, minutesText } from './classroom-dashboard-grid.ts';

/** A failing task of the learner's latest result: its title, what was expected and what the grader saw. */
function reasonNode(d: Dashboard, labNumber: number, reason: Reason): HTMLElement {
  const item = el('li', 'cr-reason');
  item.dataset.task = reason.task;
  item.append(el('span', 'cr-reason-task', d.taskTitle(labNumber, reason.task)));
  for (const [label, text] of [[d.w.expected, reason.expected], [d.w.observed, reason.observed]] as const) {
    if (!text) continue;
    const line = el('span', 'cr-reason-line');
    line.append(el('span', 'cr-reason-label', label), el('span', 'cr-reason-text', text));
    item.append(line);
  }
  return item;
}

/** Draws the open learner from the latest snapshot (hidden when none is open, or they left it). */
export function drawDrawer(d: Dashboard): void {
  const { w, $, latest, ended } = d;
  const drawer = $('[data-cr-drawer]');
  const learner = latest?.learners.find((l) => l.id === d.openLearner);
  const row = latest?.grid.find((r) => r.learner.id === d.openLearner);
  if (!learner || !row || !latest) {
    drawer.hidden = true;
    return;
  }
  drawer.hidden = false;
  drawer.dataset.learner = String(learner.id);
  $('[data-cr-drawer-name]').textContent = learner.displayName;
  $('[data-cr-drawer-joined]').textContent = fill(w.detailJoined, { time: d.timeFormat.format(new Date(learner.joinedAt)) });
  const env = $('[data-cr-drawer-env]');
  env.replaceChildren(environmentBadge(w, learner.environment, ended));
  // What the provider says while it works or after it failed ("ready" needs no second word); a
  // paused environment is explained in the dashboard's language.
  const detail = learner.environment?.state === 'frozen' ? w.envFrozen : learner.environment?.state !== 'ready' ? learner.environment?.message : undefined;
  if (!ended && detail) env.append(el('span', 'cr-env-detail', detail));
  $('[data-cr-drawer-labs]').replaceChildren(
    ...row.cells.map((cell) => {
      const lab = d.labOf(cell.lab);
      const item = el('li', 'cr-drawer-lab');
      item.dataset.state = cellState(cell);
      item.dataset.lab = String(cell.lab);
      item.append(el('span', 'cr-drawer-lab-name', `${lab.label} · ${lab.title}`));
      const words = cellState(cell) === 'none'
        ? w.notStarted
        : [fill(w.tasks, { passed: cell.tasksPassed, total: cell.tasksTotal }), minutesText(w, cell.minutes), fill(w.attempts, { attempts: cell.attempts }), cell.passed ? w.passed : cell.stuck ? `⚑ ${w.stuck}` : ''].filter(Boolean).join(' · ');
      item.append(el('span', 'cr-drawer-lab-state', words));
      if (cell.reasons.length) {
        const reasons = el('ul', 'cr-reasons');
        reasons.append(...cell.reasons.map((reason) => reasonNode(d, cell.lab, reason)));
        item.append(reasons);
      }
      return item;
    }),
  );
  $<HTMLAnchorElement>('[data-cr-watch]').href = `/${d.language}/classroom/watch/${learner.id}/?cohort=${d.cohortId}`;
  const select = $<HTMLSelectElement>('[data-cr-reset-lab]');
  const options = latest.cohort.labs.map((n) => `${n}`).join(',');
  if (select.dataset.labs !== options) {
    select.dataset.labs = options;
    select.replaceChildren(...latest.cohort.labs.map((n) => Object.assign(el('option', undefined, `${d.labOf(n).label} · ${d.labOf(n).title}`), { value: String(n) })));
  }
}

/** Wires the drawer's close button, Escape and actions; returns how to open it on a learner. */
export function learnerDrawer(d: Dashboard): { open(id: number): void } {
  const { page, w, $ } = d;
  function open(id: number): void {
    d.openLearner = id;
    for (const tr of page.querySelectorAll<HTMLElement>('[data-cr-grid-body] tr')) {
      if (tr.dataset.learner === String(id)) tr.dataset.open = '';
      else delete tr.dataset.open;
    }
    say($('[data-cr-drawer-status]'), '');
    drawDrawer(d);
    $('[data-cr-drawer-close]').focus();
  }
  function close(): void {
    const was = d.openLearner;
    d.openLearner = undefined;
    $('[data-cr-drawer]').hidden = true;
    page.querySelector('[data-cr-grid-body] tr[data-open]')?.removeAttribute('data-open');
    page.querySelector<HTMLElement>(`[data-cr-grid-body] [data-cr-open="${was}"]`)?.focus();
  }
  $('[data-cr-drawer-close]').addEventListener('click', close);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && d.openLearner !== undefined && !document.querySelector('dialog[open]')) close();
  });

  const openLearner = () => d.latest?.learners.find((l) => l.id === d.openLearner);
  $('[data-cr-reset]').addEventListener('click', () => {
    const learner = openLearner();
    if (!learner) return;
    const lab = Number($<HTMLSelectElement>('[data-cr-reset-lab]').value);
    void act(d, `/api/classroom/learners/${learner.id}/reset`, { lab }, $('[data-cr-drawer-status]'), { text: fill(w.confirmReset, { lab: d.labOf(lab).label, name: learner.displayName }) });
  });
  $('[data-cr-recreate]').addEventListener('click', () => {
    const learner = openLearner();
    if (!learner) return;
    void act(d, `/api/classroom/learners/${learner.id}/recreate`, {}, $('[data-cr-drawer-status]'), { text: fill(w.confirmRecreate, { name: learner.displayName }) });
  });
  return { open };
}
