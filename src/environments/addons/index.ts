// Cluster add-ons a lab can require (lab.yaml `setup.requires`), by name. The platform calls
// ensureAddons before a lab that needs them; `labs addon <name>` installs one by hand.
import type { ProgressListener } from '../progress.ts';
import { argocdReady, installArgocd, type ArgocdTarget } from './argocd.ts';
import { ensureGitServer } from '../../gitserver/service.ts';

export { installArgocd, argocdReady, argocdServerUrl, initialAdminPassword, adminPasswordCommand } from './argocd.ts';
export { createArgocdProxy, type ArgocdProxy } from './argocd-proxy.ts';

type Addon = {
  /** Already there and working (cheap). */
  ready: (target: ArgocdTarget) => Promise<boolean>;
  install: (target: ArgocdTarget & { onProgress?: ProgressListener }) => Promise<unknown>;
};

export const addons: Record<string, Addon> = {
  argocd: { ready: argocdReady, install: (t) => installArgocd(t) },
  'git-server': {
    ready: async () => ensureGitServer().then(() => true, () => false),
    install: () => ensureGitServer(),
  },
};

/** Installs whichever of `names` is not ready; an unknown name is an error naming it. */
export async function ensureAddons(names: string[], target: ArgocdTarget & { onProgress?: ProgressListener } = {}): Promise<string[]> {
  const installed: string[] = [];
  for (const name of names) {
    const addon = addons[name];
    if (!addon) throw new Error(`unknown add-on "${name}" (known: ${Object.keys(addons).join(', ')})`);
    if (await addon.ready(target)) continue;
    await addon.install(target);
    installed.push(name);
  }
  return installed;
}
