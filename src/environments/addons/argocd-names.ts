// Argo CD's fixed names and numbers, in a leaf module: the CLI's help text uses them without
// loading the add-on (and with it the toolchain, mirror and git server modules).
export const argocdNamespace = 'argocd';
/** NodePort of argocd-server's https port, as the seed patches it (443 → 8080, nodePort 31001). */
export const argocdNodePort = 31001;
export const adminPasswordCommand =
  'kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath="{.data.password}" | base64 -d; echo';
/** Argo CD's repository credential template for the in-class git server (one per cluster). */
export const gitCredentialSecret = 'labs-git-creds';
