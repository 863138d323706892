// The instructor's dashboard for one class, live: every `snapshot` event of
// /api/classroom/cohorts/<id>/events carries the whole state (learners, grid, failure reasons,
// raised hands), and the page redraws from it — no reload, and a dropped feed comes back by
// itself. Actions (dismiss a hand, reset a lab, recreate an environment, a message to everyone,
// ending the class) are POSTs with the CSRF token, behind a confirmation: red for the destructive
// ones, neutral for a message. This file is the page: its head, notice, help queue, class actions
// and feed; the machine panel, the grid and the learner drawer are its -pool, -grid and -drawer files.
import { call, el, fill, liveFeed, minutesAgo, say, spacedCode, whoAmI } from './classroom-client.ts';
import { drawDrawer, learnerDrawer } from './classroom-dashboard-drawer.ts';
import { drawFailures, drawGrid } from './classroom-dashboard-grid.ts';
import { drawPool } from './classroom-dashboard-pool.ts';
import { act, dashboardOf, type Dashboard, type Snapshot } from './classroom-dashboard-state.ts';

/** Matches STUCK_MINUTES / STUCK_ATTEMPTS in src/classroom/board.ts (the legend only). */
const STUCK = { minutes: 15, attempts: 3 };

const root = document.querySelector<HTMLElement>('[data-classroom-dashboard]');
if (root) start(dashboardOf(root));

function start(d: Dashboard): void {
  const { page, w, language, $ } = d;
  const api = `/api/classroom/cohorts/${d.cohortId}`;

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
    d.ended = true;
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
    if (cohort.endedAt && !d.ended) setEnded();
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

  function draw(snapshot: Snapshot): void {
    d.latest = snapshot;
    drawHead(snapshot);
    drawPool(d, snapshot);
    drawHelp(snapshot);
    drawGrid(d, snapshot);
    drawFailures(d, snapshot);
    drawDrawer(d);
    page.dataset.learners = String(snapshot.learners.length);
  }

  // "3 min ago" moves on between snapshots.
  setInterval(() => d.latest && drawHelp(d.latest), 30_000);

  const drawer = learnerDrawer(d);

  function dismissHelp(button: HTMLButtonElement): void {
    button.disabled = true;
    void call('POST', `/api/classroom/learners/${button.dataset.crDismiss}/dismiss-help`, { csrf: d.csrf }).then((answer) => {
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
    if (open) return drawer.open(Number(open.dataset.crOpen));
    // A click anywhere on a learner's row opens them too.
    const row = target.closest<HTMLElement>('[data-cr-grid-body] tr');
    if (row?.dataset.learner) drawer.open(Number(row.dataset.learner));
  });

  // ---- class actions ----
  const broadcast = $<HTMLFormElement>('[data-cr-broadcast]');
  broadcast.addEventListener('submit', (event) => {
    event.preventDefault();
    const box = broadcast.querySelector<HTMLTextAreaElement>('textarea')!;
    const message = box.value.trim();
    const status = $('[data-cr-broadcast-status]');
    if (!message) return say(status, w.messageNeeded);
    void act(d, `${api}/broadcast`, { message }, status, {
      text: fill(w.confirmBroadcast, { count: d.latest?.learners.length ?? 0 }),
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
    void act(d, `${api}/end`, {}, $('[data-cr-end-status]'), { text: fill(w.confirmEnd, { name: d.latest?.cohort.name ?? '' }) }).then((done) => done && setEnded());
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
