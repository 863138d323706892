// Header behaviour on every page: the theme toggle and the cluster status pill.

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

type ClusterStatus = { state?: string; name?: string; detail?: string };

async function refreshClusterStatus(): Promise<void> {
  const pill = document.querySelector<HTMLElement>('[data-cluster-status]');
  const label = pill?.querySelector<HTMLElement>('[data-cluster-state]');
  if (!pill || !label) return;
  try {
    const response = await fetch('/api/cluster', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(String(response.status));
    const status = (await response.json()) as ClusterStatus;
    pill.dataset.state = status.state ?? 'unknown';
    const state = (status.state ?? '').replace('-', ' ');
    label.textContent = status.name ? `${status.name} · ${state}` : state || (label.dataset.unknown ?? '');
    pill.title = status.detail ?? '';
  } catch {
    pill.dataset.state = 'unknown';
    label.textContent = label.dataset.unknown ?? 'unknown';
  }
}

void refreshClusterStatus();
setInterval(() => {
  if (document.visibilityState === 'visible') void refreshClusterStatus();
}, 15_000);
