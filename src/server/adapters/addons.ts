// The one place the web server reaches cluster add-ons for a learner: Argo CD in their cluster
// and their repository on the in-class git server (lab 8). The same installArgocd as
// `labs addon argocd`; in classroom mode the learner's `labs addon argocd` in their sandbox asks
// the server (it holds the learner cluster's kubeconfig and runs the git server), as that learner.
import { argocdReady, argocdServerUrl, initialAdminPassword, installArgocd, type ArgocdTarget } from '../../environments/addons/argocd.ts';
import { ensureGitServer, learnerRepo, type LearnerRepo } from '../../gitserver/service.ts';

/** Whose Argo CD: their cluster (a kubeconfig; default the solo cluster) and their git name. */
export type AddonTarget = { kubeconfig?: string; cluster?: string; gitUser: string };

export type GitAccess = {
  /** Clone/push URL without credentials (what an Argo CD Application names). */
  url: string;
  username: string;
  password: string;
  /** The shared read-only examples repository. */
  examplesUrl: string;
  /** Every repository on the server starts with this (for git's credential store). */
  baseUrl: string;
};

export type ArgocdAccess = {
  ready: boolean;
  /** https://<node>:31001, as the learner's shell reaches it (self-signed certificate). */
  serverUrl?: string;
  adminPassword?: string;
  /** Left out when the caller asked for the state only (`?git=0`): every handout is a new password. */
  git?: GitAccess;
};

export type AddonsAdapter = {
  /** Argo CD's state in the learner's cluster (never installs), and their git access unless `git` is false. */
  argocdStatus(target: AddonTarget, options?: { git?: boolean }): Promise<ArgocdAccess>;
  /** Installs Argo CD where it is not ready (minutes the first time), connected to the learner's repository. */
  installArgocd(target: AddonTarget, onLine?: (line: string) => void): Promise<ArgocdAccess>;
};

const gitAccess = (repo: LearnerRepo): GitAccess => ({
  url: repo.url, username: repo.learner, password: repo.password, examplesUrl: repo.examplesUrl, baseUrl: repo.credentialPrefix,
});

const argocdTarget = (t: AddonTarget): ArgocdTarget => ({ kubeconfig: t.kubeconfig, cluster: t.cluster });

export function createAddonsAdapter(): AddonsAdapter {
  return {
    async argocdStatus(target, { git = true } = {}) {
      const t = argocdTarget(target);
      // A password shown again is a new one: Argo CD's (from the install) stays as it is.
      const [ready, repo] = await Promise.all([argocdReady(t), git ? ensureGitServer().then((server) => learnerRepo(server, target.gitUser, { use: 'handout' })) : undefined]);
      return {
        ready,
        ...(ready ? { serverUrl: await argocdServerUrl(t), adminPassword: await initialAdminPassword(t) } : {}),
        ...(repo ? { git: gitAccess(repo) } : {}),
      };
    },
    async installArgocd(target, onLine) {
      const done = await installArgocd({ ...argocdTarget(target), learner: target.gitUser, onProgress: onLine && ((e) => onLine(e.message)) });
      return { ready: true, serverUrl: done.serverUrl, adminPassword: done.adminPassword, git: gitAccess(done.git) };
    },
  };
}
