// The learner cluster's state in the page: polled from /api/cluster (every 5 s while it is being
// built, 2 s while a classroom environment is paused for idleness, 15 s otherwise) and announced as a `labs:cluster` event, so the header, the banner, the
// terminal, Run and Check all say the same thing in the page's language. Only pages with the
// header's cluster pill ask (not the instructor's), and a page told it has no cluster (401/403:
// nobody in a class is signed in) stops asking.
import type { BuildProgress, ClusterStatus } from '../contract/cluster.ts';
import type { ClusterWords } from './ui-strings.ts';

export type ClusterProgress = BuildProgress;
/** What /api/cluster answered, or "unknown" before it has. */
export type ClusterInfo = Omit<ClusterStatus, 'name' | 'state'> & { name?: string; state: ClusterStatus['state'] | 'unknown' };

export const clusterWords = JSON.parse(document.querySelector<HTMLElement>('[data-cluster-words]')?.dataset.clusterWords ?? '{}') as ClusterWords;

/** "{step} of {steps}" with values filled in. */
export const fill = (template: string, values: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));

export function etaText(progress: ClusterProgress | undefined): string {
  const seconds = progress?.etaSeconds;
  if (seconds === undefined) return '';
  return seconds < 60 ? clusterWords.etaSoon : fill(clusterWords.eta, { minutes: Math.round(seconds / 60) });
}

/** "step 4/7, about 9 min left" — where a build stands, for one-line messages. */
export function whereText(info: ClusterInfo | undefined): string {
  const progress = info?.progress;
  if (!progress) return clusterWords.states?.creating ?? '';
  return fill(clusterWords.notReadyWhere, { step: progress.step, steps: progress.steps, eta: etaText(progress) }).replace(/, $/, '');
}

/** Commands that talk to the cluster (so Run holds them while it is being built). */
export const needsCluster = (command: string): boolean => /(^|[\s;&|(])(kubectl|helm|argocd|kustomize|labs|kind)\b/.test(command);

let latest: ClusterInfo | undefined;
export const currentCluster = (): ClusterInfo | undefined => latest;
export const clusterBeingBuilt = (): boolean => latest?.state === 'creating';

async function poll(): Promise<void> {
  let info: ClusterInfo;
  let refused = false;
  try {
    const response = await fetch('/api/cluster', { headers: { accept: 'application/json' } });
    refused = response.status === 401 || response.status === 403;
    info = response.ok ? ((await response.json()) as ClusterInfo) : { state: 'unknown' };
  } catch {
    info = { state: 'unknown' };
  }
  latest = info;
  window.dispatchEvent(new CustomEvent<ClusterInfo>('labs:cluster', { detail: info }));
  if (refused) return;
  // A cluster being built, or an answer that did not come (a busy server), is asked again soon.
  // A paused (frozen) environment thaws within a second of the learner's next action: asked again soon.
  const next = info.state === 'creating' ? 5_000 : info.state === 'unknown' || info.state === 'paused' ? 2_000 : 15_000;
  setTimeout(() => (document.visibilityState === 'visible' ? void poll() : document.addEventListener('visibilitychange', () => void poll(), { once: true })), next);
}

if (document.querySelector('[data-cluster-status]')) void poll();
