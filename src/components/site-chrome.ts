// Header behaviour on every page: the theme toggle, the cluster status pill and the banner
// that explains a cluster still being built, one that failed, or a classroom environment paused
// while idle.
import { clusterWords, etaText, fill, type ClusterInfo } from './cluster-state.ts';

const root = document.documentElement;

document.querySelector('[data-theme-toggle]')?.addEventListener('click', () => {
  const next = root.dataset.theme === 'dark' ? 'light' : 'dark';
  root.dataset.theme = next;
  try {
    localStorage.setItem('labs.theme', next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  window.dispatchEvent(new CustomEvent('labs:theme', { detail: next }));
});

/** The header's pill and the banner under the header, from the shared cluster state. */
function showCluster(info: ClusterInfo): void {
  const pill = document.querySelector<HTMLElement>('[data-cluster-status]');
  const label = pill?.querySelector<HTMLElement>('[data-cluster-state]');
  const words = clusterWords;
  if (pill && label) {
    pill.dataset.state = info.state;
    const state = words.states?.[info.state] ?? info.state;
    // The cluster's name in its own span: narrow headers show only the dot and the state.
    const name = Object.assign(document.createElement('span'), { className: 'cluster-name', textContent: `${info.name} · ` });
    label.replaceChildren(...(info.name ? [name] : []), state);
    // Paused: the page's own words (the provider's detail is English and for the instructor).
    pill.title = info.state === 'paused' ? words.pausedDetail : info.detail ?? '';
  }
  const banner = document.querySelector<HTMLElement>('[data-cluster-banner]');
  if (!banner) return;
  const show = info.state === 'creating' || info.state === 'error' || info.state === 'not-created' || info.state === 'paused';
  banner.hidden = !show;
  banner.dataset.state = info.state;
  if (!show) return;
  const title = banner.querySelector<HTMLElement>('[data-banner-title]')!;
  const detail = banner.querySelector<HTMLElement>('[data-banner-detail]')!;
  const bar = banner.querySelector<HTMLElement>('[data-banner-bar]')!;
  const progress = info.progress;
  if (info.state === 'paused') {
    // A classroom environment frozen while idle: nothing to do, it thaws at the learner's next action.
    bar.parentElement!.hidden = true;
    title.textContent = words.paused;
    detail.replaceChildren(Object.assign(document.createElement('span'), { textContent: words.pausedDetail }));
  } else if (info.state === 'creating') {
    title.textContent = words.building;
    const parts: string[] = [];
    if (progress) {
      const phase = (words.phases as Record<string, string>)[progress.phase] ?? progress.phase;
      const item = progress.item ? ` — ${fill(words.component, progress.item)}` : '';
      parts.push(fill(words.step, { step: progress.step, steps: progress.steps, phase }) + item);
      const minutes = Math.floor((Date.now() - Date.parse(progress.startedAt)) / 60_000);
      parts.push([fill(words.elapsed, { minutes }), etaText(progress)].filter(Boolean).join(', '));
      if (progress.phase === 'toolchain') parts.push(words.buildingFirst);
    }
    parts.push(words.meanwhile);
    detail.replaceChildren(...parts.map((text) => Object.assign(document.createElement('span'), { textContent: text })));
    const elapsed = progress ? (Date.now() - Date.parse(progress.startedAt)) / 1000 : 0;
    const total = elapsed + (progress?.etaSeconds ?? 0);
    bar.parentElement!.hidden = !progress?.etaSeconds;
    bar.style.width = `${total > 0 ? Math.min(99, Math.max(2, (100 * elapsed) / total)) : 2}%`;
  } else {
    bar.parentElement!.hidden = true;
    // In a class the learner's environment is the instructor's to repair, not a CLI's.
    const inClass = banner.dataset.classroom !== undefined;
    title.textContent = info.state === 'error' || inClass ? words.failed : words.notCreated;
    const action = inClass ? words.failedActionClassroom : words.failedAction;
    detail.replaceChildren(...(info.state === 'error' || inClass ? [info.detail ?? '', action] : []).map((text) => Object.assign(document.createElement('span'), { textContent: text })));
  }
}

window.addEventListener('labs:cluster', (event) => showCluster((event as CustomEvent<ClusterInfo>).detail));
