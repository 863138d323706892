// The lesson page's live Argo CD view (./GitopsView.astro): polls GET /api/gitops/applications
// every few seconds while the tab is visible and draws each Application — sync status and
// revision, health, the last sync, the resource tree with each object's sync status and health,
// the sync history — so a learner watches a git push reach the cluster. Everything from the
// cluster is set as text (textContent), never as HTML.
import type { ApplicationView, GitopsView, HistoryView, ResourceView } from '../contract/gitops.ts';
import { clusterWords, fill, whereText } from './cluster-state.ts';
import type { GitopsWords } from './ui-strings.ts';

const ENDPOINT = '/api/gitops/applications';
const POLL_MS = 3_000;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/** Text with `backticks` as inline code (as the lesson's own strings write commands). */
function inline(text: string): Node[] {
  return text.split('`').map((part, i, parts) => (i % 2 === 1 && i < parts.length - 1 ? el('code', undefined, part) : document.createTextNode(part)));
}

/** A URL or object name that may wrap after / . : - (as <wbr>s, so never inside a word). */
function breakable(text: string, className: string): HTMLElement {
  const node = el('span', className);
  for (const part of text.split(/(?<=[/.:-])/)) node.append(document.createTextNode(part), el('wbr'));
  node.lastChild?.remove();
  return node;
}

/** A git commit as people read it (7 hex digits); chart versions and branch names stay whole. */
const shortRevision = (revision: string | undefined): string => (revision && /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision ?? '—');

function revisionCode(revision: string | undefined): HTMLElement {
  const code = el('code', 'gitops-revision', shortRevision(revision));
  if (revision) code.title = revision;
  return code;
}

function badge(kind: 'sync' | 'health', value: string | undefined, label: string): HTMLElement {
  const node = el('span', 'gitops-badge');
  node.dataset.kind = kind;
  node.dataset.value = value ?? 'Unknown';
  node.append(el('span', 'gitops-dot'), el('span', 'visually-hidden', `${label}: `), document.createTextNode(value ?? '—'));
  return node;
}

function start(root: HTMLElement): void {
  const words = JSON.parse(root.dataset.words ?? '{}') as GitopsWords;
  const language = root.dataset.language ?? 'en';
  const body = root.querySelector<HTMLElement>('[data-gitops-body]')!;
  const updated = root.querySelector<HTMLElement>('[data-gitops-updated]')!;
  const announce = root.querySelector<HTMLElement>('[data-gitops-announce]')!;
  const clock = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dated = new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

  const when = (iso: string | undefined): HTMLElement => {
    const date = iso ? new Date(iso) : undefined;
    if (!date || Number.isNaN(date.getTime())) return el('span', 'gitops-time', '—');
    const node = el('time', 'gitops-time', (date.toDateString() === new Date().toDateString() ? clock : dated).format(date));
    node.dateTime = iso!;
    return node;
  };

  const message = (text: string, detail?: string): HTMLElement => {
    const box = el('div', 'gitops-message');
    const line = el('p');
    line.append(...inline(text));
    box.append(line);
    if (detail) {
      const more = el('details', 'gitops-details');
      more.append(el('summary', undefined, words.details), el('p', undefined, detail));
      box.append(more);
    }
    return box;
  };

  const fact = (term: string, ...value: (Node | string)[]): HTMLElement => {
    const row = el('div');
    const dd = el('dd');
    dd.append(...value);
    row.append(el('dt', undefined, term), dd);
    return row;
  };

  const resourceItem = (r: ResourceView): HTMLElement => {
    const item = el('li', 'gitops-resource');
    item.dataset.kind = r.kind;
    const name = el('span', 'gitops-resource-name');
    name.append(el('span', 'gitops-kind', r.kind), breakable(r.namespace ? `${r.namespace}/${r.name}` : r.name, 'gitops-object'));
    const state = el('span', 'gitops-resource-state');
    state.append(badge('sync', r.status, words.sync));
    // Argo CD gives no health to objects that have none (a ServiceAccount, a ConfigMap).
    if (r.health) state.append(badge('health', r.health.status, words.health));
    if (r.requiresPruning) state.append(el('span', 'gitops-note', words.pruning));
    if (r.hook) state.append(el('span', 'gitops-note', words.hook));
    item.append(name, state);
    if (r.health?.message && r.health.status !== 'Healthy') item.append(el('p', 'gitops-resource-message', r.health.message));
    return item;
  };

  const historyItem = (h: HistoryView, current: boolean): HTMLElement => {
    const item = el('li', 'gitops-history-entry');
    if (h.id !== undefined) item.append(el('span', 'gitops-muted', `#${h.id}`));
    item.append(revisionCode(h.revision), when(h.deployedAt));
    const who = h.automated ? words.automated : h.by ? fill(words.by, { user: h.by }) : undefined;
    if (who) item.append(el('span', 'gitops-muted', who));
    if (current) item.append(el('span', 'gitops-now', words.current));
    return item;
  };

  const application = (app: ApplicationView, changed: boolean): HTMLElement => {
    const card = el('article', 'gitops-app');
    card.dataset.app = app.name;
    card.dataset.sync = app.sync.status;
    card.dataset.health = app.health.status;

    const head = el('div', 'gitops-app-head');
    const title = el('p', 'gitops-app-name');
    title.append(el('span', 'visually-hidden', `${words.application} `), document.createTextNode(app.name));
    const badges = el('span', 'gitops-app-badges');
    badges.append(badge('sync', app.sync.status, words.sync), badge('health', app.health.status, words.health), el('span', 'gitops-policy', app.automated ? words.autoSync : words.manualSync));
    head.append(title, badges);

    const facts = el('dl', 'gitops-facts');
    const revision = revisionCode(app.sync.revision);
    revision.dataset.gitopsRevision = app.sync.revision ?? '';
    if (changed) revision.classList.add('is-new');
    facts.append(fact(words.revision, revision));
    if (app.source) {
      const where = [app.source.path ?? app.source.chart, app.source.targetRevision].filter(Boolean).join(' @ ');
      const lines: Node[] = [];
      if (where) lines.push(el('span', 'gitops-line', where));
      if (app.source.repoURL) lines.push(breakable(app.source.repoURL, 'gitops-url'));
      facts.append(fact(words.source, ...lines));
    }
    if (app.destination) {
      const lines: Node[] = [];
      if (app.destination.namespace) lines.push(el('span', 'gitops-line', app.destination.namespace));
      const cluster = app.destination.name ?? app.destination.server;
      if (cluster) lines.push(breakable(cluster, 'gitops-url'));
      facts.append(fact(words.destination, ...lines));
    }
    if (app.operation) {
      const op = app.operation;
      const phase = el('span', 'gitops-phase', words.phases[op.phase] ?? op.phase);
      phase.dataset.phase = op.phase;
      const parts: (Node | string)[] = [phase, ' · ', when(op.finishedAt ?? op.startedAt)];
      if (op.message && op.phase !== 'Succeeded') parts.push(el('span', 'gitops-operation-message', op.message));
      facts.append(fact(words.lastSync, ...parts));
    }
    card.append(head, facts);
    for (const condition of app.conditions ?? []) {
      card.append(el('p', 'gitops-condition', condition.message ? `${condition.type}: ${condition.message}` : condition.type));
    }
    if (app.health.message && app.health.status !== 'Healthy') card.append(el('p', 'gitops-condition', app.health.message));

    const sections = el('div', 'gitops-sections');
    const tree = el('div', 'gitops-section');
    tree.append(el('p', 'gitops-section-title', words.resources));
    if (app.resources.length) {
      const list = el('ul', 'gitops-tree');
      list.setAttribute('aria-label', `${words.resources}: ${app.name}`);
      list.append(...app.resources.map(resourceItem));
      tree.append(list);
      if (!app.resourceHealth) {
        const note = el('p', 'gitops-note-line');
        note.append(...inline(words.healthNotRecorded));
        tree.append(note);
      }
    } else {
      tree.append(el('p', 'gitops-muted', words.noResources));
    }
    const history = el('div', 'gitops-section');
    history.append(el('p', 'gitops-section-title', words.history));
    if (app.history.length) {
      const list = el('ol', 'gitops-history');
      list.append(...app.history.map((h, i) => historyItem(h, i === 0 && h.revision === app.sync.revision)));
      history.append(list);
    } else {
      history.append(el('p', 'gitops-muted', words.noHistory));
    }
    sections.append(tree, history);
    card.append(sections);
    return card;
  };

  /** name → "revision sync health" last drawn, to announce changes and mark a new revision. */
  let seen = new Map<string, { revision?: string; line: string }>();
  let drawn = '';

  const render = (view: GitopsView): void => {
    root.dataset.state = view.state;
    const key = JSON.stringify({ ...view, observedAt: undefined });
    if (key === drawn) return;
    drawn = key;
    switch (view.state) {
      case 'ok': {
        const next = new Map<string, { revision?: string; line: string }>();
        const cards = view.applications.map((app) => {
          const before = seen.get(app.name);
          const line = fill(words.announce, { name: app.name, revision: shortRevision(app.sync.revision), sync: app.sync.status, health: app.health.status });
          next.set(app.name, { revision: app.sync.revision, line });
          if (before && before.line !== line) announce.textContent = line;
          return application(app, Boolean(before && before.revision !== app.sync.revision));
        });
        seen = next;
        body.replaceChildren(...cards);
        return;
      }
      case 'no-applications':
        seen = new Map();
        body.replaceChildren(message(words.noApplications));
        return;
      case 'not-installed':
        body.replaceChildren(message(words.notInstalled, view.detail));
        return;
      case 'cluster-not-ready':
        body.replaceChildren(message(`${fill(clusterWords.notReady ?? '', { where: whereText({ state: 'creating', progress: view.progress }) })} ${words.clusterNotReady}`));
        return;
      case 'no-cluster':
        body.replaceChildren(message(words.noCluster, view.detail));
        return;
      case 'unreachable':
        body.replaceChildren(message(words.unreachable, view.detail));
        return;
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;

  const poll = async (): Promise<void> => {
    timer = undefined;
    if (document.visibilityState !== 'visible') {
      updated.textContent = words.paused;
      return; // visibilitychange starts it again
    }
    inFlight = true;
    try {
      const response = await fetch(ENDPOINT, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(20_000) });
      const answer = (await response.json().catch(() => undefined)) as (GitopsView & { error?: string }) | undefined;
      if (!response.ok || !answer?.state) throw new Error(answer?.error ?? `HTTP ${response.status}`);
      render(answer);
      updated.textContent = fill(words.updated, { time: clock.format(new Date()) });
      updated.classList.remove('is-failed');
    } catch (error) {
      // Keep what was drawn (a restarting server is not a broken cluster); say the read failed.
      if (!drawn) body.replaceChildren(message(words.failed, (error as Error).message));
      updated.textContent = words.failed;
      updated.classList.add('is-failed');
    } finally {
      inFlight = false;
    }
    if (document.visibilityState === 'visible') timer = setTimeout(() => void poll(), POLL_MS);
    else updated.textContent = words.paused;
  };

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !timer && !inFlight) void poll();
  });
  void poll();
}

for (const root of document.querySelectorAll<HTMLElement>('[data-gitops-view]')) start(root);
