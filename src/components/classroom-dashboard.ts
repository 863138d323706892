// The instructor's dashboard for one class, live: every `snapshot` event of
// /api/classroom/cohorts/<id>/events carries the whole state (learners, grid, failure reasons,
// raised hands), and the page redraws from it — no reload, and a dropped feed comes back by
// itself. Actions (dismiss a hand, reset a lab, recreate an environment, a message to everyone,
// ending the class) are POSTs with the CSRF token, behind a confirmation: red for the destructive
// ones, neutral for a message.
import { call, confirmAction, el, errorText, fill, liveFeed, minutesAgo, pageWords, say, spacedCode, whoAmI, type Cohort, type EnvironmentStatus } from './classroom-client.ts';
import type { LabChoice } from './classroom-pages.ts';
import { noLearnersText } from './join-address.ts';
import type { ClassroomWords } from './ui-strings.ts';

type Reason = { task: string; expected?: string; observed?: string; nearMiss?: true };
type Cell = { lab: number; started: boolean; passed: boolean; tasksPassed: number; tasksTotal: number; attempts: number; minutes: number; stuck: boolean; reasons: Reason[] };
type Snapshot = {
  cohort: Cohort;
  learners: { id: number; displayName: string; joinedAt: string; environment: EnvironmentStatus }[];
  grid: { learner: { id: number; displayName: string }; cells: Cell[] }[];
  failures: { lab: number; task: string; observed: string; learners: string[]; started: number; latestAt: string; nearMiss?: true }[];
  notStarted: { lab: number; learners: string[] }[];
  help: { learnerId: number; displayName: string; message: string; at: string }[];
  /** The machine's preparation and warm pool (PoolStatus); none for an ended class or without environments. */
  pool?: Pool;
};
type Pool = {
  assigned: number; warm: number; creating: number; warmCreating?: number; warmTarget: number; fit: number; limit: 'memory' | 'cpu' | 'cap'; limitMessage: string; idle?: boolean;
  preparing?: { message: string; progress?: { phase?: string; step: number; steps: number; etaSeconds?: number } };
};
type Lab = LabChoice & { label: string };

/** Matches STUCK_MINUTES / STUCK_ATTEMPTS in src/classroom/board.ts (the legend only). */
const STUCK = { minutes: 15, attempts: 3 };

const root = document.querySelector<HTMLElement>('[data-classroom-dashboard]');
if (root) start(root);

/** 'none': the learner has not started the lab (no Check, nothing of theirs seen by the grader). */
export function cellState(cell: Cell): 'passed' | 'stuck' | 'working' | 'none' {
  if (cell.passed) return 'passed';
  if (!cell.started) return 'none';
  return cell.stuck ? 'stuck' : 'working';
}

/** "0 min" would read as "not started": a lab started less than a minute ago says so. */
const minutesText = (w: ClassroomWords, minutes: number): string => (minutes < 1 ? w.underMinute : fill(w.minutes, { minutes }));

function environmentBadge(w: ClassroomWords, environment: EnvironmentStatus | undefined, ended = false): HTMLElement {
  const state = environment?.state ?? 'pending';
  const badge = el('span', 'cr-env-badge');
  badge.dataset.state = ended ? 'gone' : state;
  badge.append(el('span', 'status-dot'), el('span', undefined, ended ? w.envEnded : w.envStates[state] ?? state));
  return badge;
}

/**
 * The machine's preparation and the warm pool, in a sentence or two (the "why is nobody's cluster
 * ready" answer). The step is named in the page's language (the build's own line, English and
 * changing every few seconds, is the panel's tooltip); `detail`: the limit's figures, which the
 * server words in English, are said too.
 */
export function poolLines(w: ClassroomWords, pool: Pool, detail = true): string[] {
  const limit = detail ? `${w.poolLimits[pool.limit]}: ${pool.limitMessage}` : w.poolLimits[pool.limit];
  if (pool.preparing) {
    const p = pool.preparing.progress;
    const left = p?.etaSeconds !== undefined ? fill(w.poolLeft, { minutes: Math.max(1, Math.round(p.etaSeconds / 60)) }) : '';
    const step = (p?.phase && w.poolPhases[p.phase]) || pool.preparing.message;
    return [fill(w.poolPreparing, { message: step, step: p?.step ?? 1, steps: p?.steps ?? 1, left })];
  }
  if (pool.idle) return [w.poolIdle];
  // A learner's environment being made is theirs ("in use"), not the pool's.
  const counts = fill(w.poolCounts, { warm: pool.warm, creating: pool.warmCreating ?? pool.creating, assigned: pool.assigned, target: pool.warmTarget });
  return [counts, poolFull(pool) ? fill(w.poolFull, { limit }) : fill(w.poolRoom, { fit: pool.fit, limit: w.poolLimits[pool.limit] })];
}

/** No room for another environment and none ready or being made for the next learner who joins. */
const poolFull = (pool: Pool): boolean => pool.fit < 1 && pool.warm < 1 && (pool.warmCreating ?? 0) < 1;

function start(page: HTMLElement): void {
  const w = pageWords(page);
  const language = page.dataset.lang ?? 'en';
  const cohortId = Number(page.dataset.cohort);
  const csrf = page.dataset.csrf ?? '';
  const labs = JSON.parse(page.dataset.labs ?? '[]') as Lab[];
  const api = `/api/classroom/cohorts/${cohortId}`;
  const $ = <T extends HTMLElement = HTMLElement>(selector: string) => page.querySelector<T>(selector)!;
  const timeFormat = new Intl.DateTimeFormat(language, { timeStyle: 'short' });
  const labOf = (n: number): Lab => labs.find((lab) => lab.number === n) ?? { number: n, title: '', label: `${n}`, tasks: [] };
  const taskTitle = (n: number, task: string) => labOf(n).tasks.find((t) => t.id === task)?.title ?? task;

  let latest: Snapshot | undefined;
  let openLearner: number | undefined;
  let ended = false;

  $('[data-cr-legend]').textContent = fill(w.legend, STUCK);

  function notice(text: string, link?: { href: string; label: string }): void {
    const box = $('[data-cr-notice]');
    box.replaceChildren(text);
    if (link) {
      const a = el('a', undefined, link.label);
      a.href = link.href;
      box.append(' ', a);
    }
    box.hidden = false;
  }

  function setEnded(): void {
    ended = true;
    page.dataset.ended = '';
    for (const button of page.querySelectorAll<HTMLButtonElement>('[data-cr-action]')) button.disabled = true;
    notice(w.endedNotice);
  }

  // ---- drawing ----
  function drawHead(snapshot: Snapshot): void {
    const { cohort } = snapshot;
    $('[data-cr-cohort-name]').textContent = cohort.name;
    document.title = `${cohort.name} · ${document.title.split(' · ').slice(-1)[0]}`;
    const code = $('[data-cr-join-code]');
    code.textContent = spacedCode(cohort.joinCode);
    code.dataset.joinCode = cohort.joinCode;
    $('[data-cr-learner-count]').textContent = `${snapshot.learners.length}/${cohort.capacity}`;
    if (cohort.endedAt && !ended) setEnded();
  }

  function drawPool(snapshot: Snapshot): void {
    let panel = page.querySelector<HTMLElement>('[data-cr-pool]');
    if (!panel) {
      panel = el('section', 'callout cr-pool');
      panel.dataset.crPool = '';
      panel.setAttribute('role', 'status');
      panel.setAttribute('aria-label', w.poolTitle);
      $('[data-cr-notice]').after(panel);
    }
    panel.hidden = !snapshot.pool;
    if (!snapshot.pool) return;
    panel.dataset.state = snapshot.pool.preparing ? 'preparing' : snapshot.pool.idle ? 'idle' : poolFull(snapshot.pool) ? 'full' : 'ready';
    panel.title = snapshot.pool.preparing?.message ?? (language === 'en' ? '' : snapshot.pool.limitMessage);
    // An option (--max-environments) is code, kept on one line (a phone broke it after its first dash).
    const sentence = (line: string) => {
      const span = el('span', 'cr-pool-line');
      span.append(...line.split(/(--[a-z][a-z-]*)/).map((part, i) => (i % 2 ? el('code', 'cr-pool-option', part) : part)));
      return span;
    };
    panel.replaceChildren(el('strong', 'cr-pool-title', `${w.poolTitle}:`), ...poolLines(w, snapshot.pool, language === 'en').flatMap((line) => [' ', sentence(line)]));
  }

  function drawHelp(snapshot: Snapshot): void {
    $('[data-cr-help-count]').textContent = snapshot.help.length ? String(snapshot.help.length) : '';
    $('[data-cr-no-help]').hidden = snapshot.help.length > 0;
    $('[data-cr-help]').replaceChildren(
      ...snapshot.help.map((request) => {
        const item = el('li', 'cr-help-item');
        item.dataset.learner = String(request.learnerId);
        const who = el('button', 'cr-link-button cr-help-name', request.displayName);
        who.type = 'button';
        who.dataset.crOpen = String(request.learnerId);
        const text = el('div', 'cr-help-text');
        text.append(who, el('span', 'muted cr-help-when', minutesAgo(w, request.at)));
        if (request.message) text.append(el('p', 'cr-help-message', request.message));
        const dismiss = el('button', 'small-button', w.dismiss);
        dismiss.type = 'button';
        dismiss.dataset.crDismiss = String(request.learnerId);
        item.append(text, dismiss);
        return item;
      }),
    );
  }

  function cellNode(learnerName: string, cell: Cell): HTMLTableCellElement {
    const lab = labOf(cell.lab);
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

  function drawGrid(snapshot: Snapshot): void {
    const head = $('[data-cr-grid-head]');
    const columns = snapshot.cohort.labs.map(labOf);
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
        if (row.learner.id === openLearner) tr.dataset.open = '';
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
        tr.append(name, env, ...row.cells.map((cell) => cellNode(row.learner.displayName, cell)));
        return tr;
      }),
    );
    if (focused) page.querySelector<HTMLElement>(`[data-cr-grid-body] [data-cr-open="${CSS.escape(focused)}"]`)?.focus();
    const empty = snapshot.grid.length === 0;
    $('[data-cr-grid-scroll]').hidden = empty;
    const none = $('[data-cr-no-learners]');
    none.hidden = !empty;
    none.textContent = noLearnersText(w, page, spacedCode(snapshot.cohort.joinCode));
  }

  function drawFailures(snapshot: Snapshot): void {
    $('[data-cr-no-failures]').hidden = snapshot.failures.length > 0;
    $('[data-cr-failures]').replaceChildren(
      ...snapshot.failures.map((failure) => {
        // A near miss is one group per lab and place, whichever of its tasks it fails.
        const item = el('li', failure.nearMiss ? 'cr-failure cr-failure-near' : 'cr-failure');
        const count = failure.learners.length;
        const line = el('p', 'cr-failure-line');
        line.append(el('strong', 'cr-failure-count', count === 1 ? w.oneLearner : fill(w.manyLearners, { count })), ' ');
        line.append(el('span', 'cr-failure-task', `${labOf(failure.lab).label} · ${failure.nearMiss ? w.nearMiss : taskTitle(failure.lab, failure.task)}`));
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
        const item = el('li', 'cr-not-started-item', fill(learners.length === 1 ? w.notStartedOne : w.notStartedMany, { count: learners.length, lab: labOf(lab).label }));
        item.dataset.lab = String(lab);
        item.title = learners.join(', ');
        return item;
      }),
    );
  }

  /** A failing task of the learner's latest result: its title, what was expected and what the grader saw. */
  function reasonNode(labNumber: number, reason: Reason): HTMLElement {
    const item = el('li', 'cr-reason');
    item.dataset.task = reason.task;
    item.append(el('span', 'cr-reason-task', taskTitle(labNumber, reason.task)));
    for (const [label, text] of [[w.expected, reason.expected], [w.observed, reason.observed]] as const) {
      if (!text) continue;
      const line = el('span', 'cr-reason-line');
      line.append(el('span', 'cr-reason-label', label), el('span', 'cr-reason-text', text));
      item.append(line);
    }
    return item;
  }

  function drawDrawer(): void {
    const drawer = $('[data-cr-drawer]');
    const learner = latest?.learners.find((l) => l.id === openLearner);
    const row = latest?.grid.find((r) => r.learner.id === openLearner);
    if (!learner || !row || !latest) {
      drawer.hidden = true;
      return;
    }
    drawer.hidden = false;
    drawer.dataset.learner = String(learner.id);
    $('[data-cr-drawer-name]').textContent = learner.displayName;
    $('[data-cr-drawer-joined]').textContent = fill(w.detailJoined, { time: timeFormat.format(new Date(learner.joinedAt)) });
    const env = $('[data-cr-drawer-env]');
    env.replaceChildren(environmentBadge(w, learner.environment, ended));
    // What the provider says while it works or after it failed ("ready" needs no second word).
    if (!ended && learner.environment?.message && learner.environment.state !== 'ready') env.append(el('span', 'cr-env-detail', learner.environment.message));
    $('[data-cr-drawer-labs]').replaceChildren(
      ...row.cells.map((cell) => {
        const lab = labOf(cell.lab);
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
          reasons.append(...cell.reasons.map((reason) => reasonNode(cell.lab, reason)));
          item.append(reasons);
        }
        return item;
      }),
    );
    $<HTMLAnchorElement>('[data-cr-watch]').href = `/${language}/classroom/watch/${learner.id}/?cohort=${cohortId}`;
    const select = $<HTMLSelectElement>('[data-cr-reset-lab]');
    const options = latest.cohort.labs.map((n) => `${n}`).join(',');
    if (select.dataset.labs !== options) {
      select.dataset.labs = options;
      select.replaceChildren(...latest.cohort.labs.map((n) => Object.assign(el('option', undefined, `${labOf(n).label} · ${labOf(n).title}`), { value: String(n) })));
    }
  }

  function draw(snapshot: Snapshot): void {
    latest = snapshot;
    drawHead(snapshot);
    drawPool(snapshot);
    drawHelp(snapshot);
    drawGrid(snapshot);
    drawFailures(snapshot);
    drawDrawer();
    page.dataset.learners = String(snapshot.learners.length);
  }

  // "3 min ago" moves on between snapshots.
  setInterval(() => latest && drawHelp(latest), 30_000);

  // ---- the learner drawer ----
  function openDrawer(id: number): void {
    openLearner = id;
    for (const tr of page.querySelectorAll<HTMLElement>('[data-cr-grid-body] tr')) {
      if (tr.dataset.learner === String(id)) tr.dataset.open = '';
      else delete tr.dataset.open;
    }
    say($('[data-cr-drawer-status]'), '');
    drawDrawer();
    $('[data-cr-drawer-close]').focus();
  }
  function closeDrawer(): void {
    const was = openLearner;
    openLearner = undefined;
    $('[data-cr-drawer]').hidden = true;
    page.querySelector('[data-cr-grid-body] tr[data-open]')?.removeAttribute('data-open');
    page.querySelector<HTMLElement>(`[data-cr-grid-body] [data-cr-open="${was}"]`)?.focus();
  }
  $('[data-cr-drawer-close]').addEventListener('click', closeDrawer);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && openLearner !== undefined && !document.querySelector('dialog[open]')) closeDrawer();
  });

  /** A learner action (confirmed first when `question` is given); the outcome shows in `status`. */
  async function act(path: string, body: unknown, status: HTMLElement, question?: { text: string; detail?: string; confirm?: string; tone?: 'neutral' }): Promise<boolean> {
    if (ended) return false;
    if (question && !(await confirmAction(w, question.text, question.detail, question.confirm, question.tone))) return false;
    const answer = await call('POST', path, { body, csrf });
    say(status, answer.ok ? w.done : errorText(w, answer, (code) => (code === 404 ? w.notFound : undefined)), answer.ok ? 'ok' : 'error');
    return answer.ok;
  }

  function dismissHelp(button: HTMLButtonElement): void {
    button.disabled = true;
    void call('POST', `/api/classroom/learners/${button.dataset.crDismiss}/dismiss-help`, { csrf }).then((answer) => {
      if (answer.ok) button.closest('li')?.remove();
      else button.disabled = false;
      $('[data-cr-no-help]').hidden = $('[data-cr-help]').childElementCount > 0;
    });
  }

  page.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const dismiss = target.closest<HTMLButtonElement>('[data-cr-dismiss]');
    if (dismiss) return dismissHelp(dismiss);
    const open = target.closest<HTMLElement>('[data-cr-open]');
    if (open) return openDrawer(Number(open.dataset.crOpen));
    // A click anywhere on a learner's row opens them too.
    const row = target.closest<HTMLElement>('[data-cr-grid-body] tr');
    if (row?.dataset.learner) openDrawer(Number(row.dataset.learner));
  });

  $('[data-cr-reset]').addEventListener('click', () => {
    const learner = latest?.learners.find((l) => l.id === openLearner);
    if (!learner) return;
    const lab = Number($<HTMLSelectElement>('[data-cr-reset-lab]').value);
    void act(`/api/classroom/learners/${learner.id}/reset`, { lab }, $('[data-cr-drawer-status]'), { text: fill(w.confirmReset, { lab: labOf(lab).label, name: learner.displayName }) });
  });
  $('[data-cr-recreate]').addEventListener('click', () => {
    const learner = latest?.learners.find((l) => l.id === openLearner);
    if (!learner) return;
    void act(`/api/classroom/learners/${learner.id}/recreate`, {}, $('[data-cr-drawer-status]'), { text: fill(w.confirmRecreate, { name: learner.displayName }) });
  });

  // ---- class actions ----
  const broadcast = $<HTMLFormElement>('[data-cr-broadcast]');
  broadcast.addEventListener('submit', (event) => {
    event.preventDefault();
    const box = broadcast.querySelector<HTMLTextAreaElement>('textarea')!;
    const message = box.value.trim();
    const status = $('[data-cr-broadcast-status]');
    if (!message) return say(status, w.messageNeeded);
    void act(`${api}/broadcast`, { message }, status, {
      text: fill(w.confirmBroadcast, { count: latest?.learners.length ?? 0 }),
      detail: message,
      confirm: w.sendToEveryone,
      tone: 'neutral',
    }).then((sent) => {
      if (!sent) return;
      say(status, w.sent, 'ok');
      box.value = '';
    });
  });
  $('[data-cr-end]').addEventListener('click', () => {
    void act(`${api}/end`, {}, $('[data-cr-end-status]'), { text: fill(w.confirmEnd, { name: latest?.cohort.name ?? '' }) }).then((done) => done && setEnded());
  });

  // ---- the live feed ----
  const live = $('[data-cr-live]');
  liveFeed(
    `${api}/events`,
    { snapshot: (data) => draw(data as unknown as Snapshot) },
    (state) => {
      live.dataset.state = state;
      $('[data-cr-live-text]').textContent = state === 'live' ? w.live : w.reconnecting;
    },
    async () => {
      const me = await whoAmI();
      if (me !== 'off' && me?.role !== 'instructor') {
        notice(w.signedOut, { href: `/${language}/classroom/`, label: w.signInAgain });
        return false;
      }
      const answer = await call('GET', api);
      if (answer.status === 404 && !answer.notClassroom) {
        notice(w.notFound);
        return false;
      }
      return true;
    },
  );
}
