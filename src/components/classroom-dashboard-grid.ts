// The dashboard's progress grid: a row per learner (their name, their environment), a cell per
// lab (tasks passed, minutes, attempts, stuck), and the failure list beside it (the same cells,
// grouped by what fails). The cell's words are shared with the learner drawer.
import { el, fill, spacedCode, type EnvironmentStatus } from './classroom-client.ts';
import { withOptionsAsCode, type Cell, type Dashboard, type Snapshot } from './classroom-dashboard-state.ts';
import { noLearnersLine } from './join-address.ts';
import type { ClassroomWords } from './ui-strings.ts';

/** 'none': the learner has not started the lab (no Check, nothing of theirs seen by the grader). */
export function cellState(cell: Cell): 'passed' | 'stuck' | 'working' | 'none' {
  if (cell.passed) return 'passed';
  if (!cell.started) return 'none';
  return cell.stuck ? 'stuck' : 'working';
}

/** "0 min" would read as "not started": a lab started less than a minute ago says so. */
export const minutesText = (w: ClassroomWords, minutes: number): string => (minutes < 1 ? w.underMinute : fill(w.minutes, { minutes }));

export function environmentBadge(w: ClassroomWords, environment: EnvironmentStatus | undefined, ended = false): HTMLElement {
  const state = environment?.state ?? 'pending';
  const badge = el('span', 'cr-env-badge');
  badge.dataset.state = ended ? 'gone' : state;
  badge.append(el('span', 'status-dot'), el('span', undefined, ended ? w.envEnded : w.envStates[state] ?? state));
  // Paused for idleness is no fault: the words say why and what thaws it.
  if (!ended && state === 'frozen') badge.title = w.envFrozen;
  return badge;
}

function cellNode(d: Dashboard, learnerName: string, cell: Cell): HTMLTableCellElement {
  const { w } = d;
  const lab = d.labOf(cell.lab);
  const td = el('td', 'cr-cell');
  const state = cellState(cell);
  td.dataset.state = state;
  td.dataset.lab = String(cell.lab);
  if (state === 'none') {
    td.title = `${learnerName} · ${lab.label}: ${w.notStarted}`;
    td.append(el('span', 'cr-cell-none', '—'), el('span', 'visually-hidden', w.notStarted));
    return td;
  }
  td.title = `${learnerName} · ${fill(w.cellTitle, { lab: lab.label, passed: cell.tasksPassed, total: cell.tasksTotal, minutes: cell.minutes, attempts: cell.attempts })}`;
  td.append(el('span', 'cr-cell-tasks', `${state === 'passed' ? '✓ ' : ''}${fill(w.tasks, { passed: cell.tasksPassed, total: cell.tasksTotal })}`));
  td.append(el('span', 'cr-cell-meta', `${minutesText(w, cell.minutes)} · ${fill(w.attempts, { attempts: cell.attempts })}`));
  if (state === 'stuck') td.append(el('span', 'cr-cell-flag', `⚑ ${w.stuck}`));
  return td;
}

export function drawGrid(d: Dashboard, snapshot: Snapshot): void {
  const { page, w, ended, $ } = d;
  const head = $('[data-cr-grid-head]');
  const columns = snapshot.cohort.labs.map(d.labOf);
  const wanted = columns.map((lab) => lab.number).join(',');
  if (head.dataset.labs !== wanted) {
    head.dataset.labs = wanted;
    const learner = el('th', 'cr-col-learner', w.learner);
    learner.scope = 'col';
    const environment = el('th', 'cr-col-env', w.environment);
    environment.scope = 'col';
    head.replaceChildren(
      learner,
      environment,
      ...columns.map((lab) => {
        const th = el('th', 'cr-col-lab');
        th.scope = 'col';
        th.title = lab.title;
        th.append(el('span', 'cr-lab-label', lab.label), el('span', 'cr-lab-title', lab.title));
        return th;
      }),
    );
  }
  const environments = new Map(snapshot.learners.map((l) => [l.id, l.environment]));
  const focused = (document.activeElement as HTMLElement | null)?.dataset.crOpen;
  $('[data-cr-grid-body]').replaceChildren(
    ...snapshot.grid.map((row) => {
      const tr = el('tr');
      tr.dataset.learner = String(row.learner.id);
      if (row.learner.id === d.openLearner) tr.dataset.open = '';
      const name = el('th', 'cr-row-name');
      name.scope = 'row';
      const button = el('button', 'cr-link-button', row.learner.displayName);
      button.type = 'button';
      button.title = row.learner.displayName;
      button.dataset.crOpen = String(row.learner.id);
      const environment = environments.get(row.learner.id);
      // Phones: the environment sits under the name (its own column is hidden there).
      const compact = environmentBadge(w, environment, ended);
      compact.classList.add('cr-name-env');
      name.append(button, compact);
      const env = el('td', 'cr-row-env');
      env.dataset.state = ended ? 'gone' : environment?.state ?? 'pending';
      env.append(environmentBadge(w, environment, ended));
      if (environment?.state === 'error' && environment.message) {
        const message = el('span', 'cr-env-message', environment.message);
        message.title = environment.message;
        env.append(message);
      }
      tr.append(name, env, ...row.cells.map((cell) => cellNode(d, row.learner.displayName, cell)));
      return tr;
    }),
  );
  if (focused) page.querySelector<HTMLElement>(`[data-cr-grid-body] [data-cr-open="${CSS.escape(focused)}"]`)?.focus();
  const empty = snapshot.grid.length === 0;
  $('[data-cr-grid-scroll]').hidden = empty;
  const none = $('[data-cr-no-learners]');
  none.hidden = !empty;
  const line = noLearnersLine(w, page, spacedCode(snapshot.cohort.joinCode), ended);
  none.replaceChildren(...withOptionsAsCode(line.text));
  // Nobody can join (the class ended, or no learner reaches this server): a status notice, as the
  // page's own notices are, not a quiet grey line under the panel's title.
  none.classList.toggle('muted', line.open);
  none.classList.toggle('callout', !line.open);
  none.classList.toggle('cr-no-join', !line.open);
  if (line.open) none.removeAttribute('role');
  else none.setAttribute('role', 'status');
}

export function drawFailures(d: Dashboard, snapshot: Snapshot): void {
  const { w, $ } = d;
  $('[data-cr-no-failures]').hidden = snapshot.failures.length > 0;
  $('[data-cr-failures]').replaceChildren(
    ...snapshot.failures.map((failure) => {
      // A near miss is one group per lab and place, whichever of its tasks it fails.
      const item = el('li', failure.nearMiss ? 'cr-failure cr-failure-near' : 'cr-failure');
      const count = failure.learners.length;
      const line = el('p', 'cr-failure-line');
      line.append(el('strong', 'cr-failure-count', count === 1 ? w.oneLearner : fill(w.manyLearners, { count })), ' ');
      line.append(el('span', 'cr-failure-task', `${d.labOf(failure.lab).label} · ${failure.nearMiss ? w.nearMiss : d.taskTitle(failure.lab, failure.task)}`));
      item.append(line);
      if (failure.observed) item.append(el('p', 'cr-failure-observed', failure.observed));
      const who = el('details', 'cr-failure-who');
      who.append(el('summary', undefined, w.who), el('p', undefined, failure.learners.join(', ')));
      item.append(who);
      return item;
    }),
  );
  // Labs not started: a quiet count, never a failure (the names on hover).
  $('[data-cr-not-started]').replaceChildren(
    ...snapshot.notStarted.map(({ lab, learners }) => {
      const item = el('li', 'cr-not-started-item', fill(learners.length === 1 ? w.notStartedOne : w.notStartedMany, { count: learners.length, lab: d.labOf(lab).label }));
      item.dataset.lab = String(lab);
      item.title = learners.join(', ');
      return item;
    }),
  );
}
