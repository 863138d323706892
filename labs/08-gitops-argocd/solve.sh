#!/usr/bin/env bash
# Lab 08 reference solution: what a learner types. The change reaches the cluster through git
# only — this script never scales or edits the Deployment; Argo CD does. Works in a scratch
# directory (LABS_WORKDIR, else a temp dir), never the repository.
# The cluster: KUBECONFIG (`labs solve` sets it, and LABS_CLUSTER, to the cluster it was given),
# else the platform's cluster LABS_CLUSTER (default: labs). kubectl, argocd and the `labs addon`
# calls below all act on that one cluster.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
labs="$lab_dir/../../bin/labs"
[ -x "$labs" ] || labs=labs # a classroom sandbox: its `labs` asks the class server
cluster=${LABS_CLUSTER:-labs}
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-08.XXXXXX")}
mkdir -p "$work" && cd "$work"
export KUBECONFIG=${KUBECONFIG:-${LABS_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kubernetes-labs}/clusters/$cluster/kubeconfig}
PATH="${LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernetes-labs}/bin:$PATH"
# The argocd CLI keeps its login here instead of the learner's ~/.config/argocd.
export ARGOCD_OPTS="--config $work/argocd-config"
app=custom-nginx
ns=gitops

# 0. Argo CD and the class git server (the lab's setup installs them; this makes sure).
"$labs" addon argocd --status >/dev/null || "$labs" addon argocd

# 1. Clone your repository. Argo CD has its own credentials for the server, so the
#    Application gets the URL without them.
clone_url=$("$labs" addon argocd --clone-url)
repo_url="${clone_url%%://*}://${clone_url#*@}"
rm -rf gitops
git clone --quiet "$clone_url" gitops
cd gitops
git config user.name "Lab 08 solution"
git config user.email "solve@labs.invalid"

# 2. Log in to argocd-server (NodePort 31001 on the node) with the initial admin password.
node=$(kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
password=$(kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath="{.data.password}" | base64 -d)
argocd login "$node:31001" --insecure --username admin --password "$password" >/dev/null

# 3. The Application: the chart folder of your repository, automated sync.
if ! argocd app get "$app" >/dev/null 2>&1; then
  argocd app create "$app" --project default \
    --repo "$repo_url" --revision main --path argo-test-chart \
    --dest-server https://kubernetes.default.svc --dest-namespace "$ns" \
    --sync-policy automated --sync-option CreateNamespace=true
fi
argocd app wait "$app" --sync --health --timeout 300 >/dev/null

# 4. The change, through git: two replicas of nginx 1.24.
sed -i -e 's/^replicaCount: .*/replicaCount: 2/' -e 's/^  tag: .*/  tag: "1.24"/' argo-test-chart/values.yaml
if ! git diff --quiet; then
  git commit --quiet -am "Values Modified"
  git push --quiet origin main
fi

# 5. Argo CD polls git every 3 minutes; ask it to look now, then wait for the sync.
argocd app get "$app" --refresh >/dev/null
want=$(git rev-parse HEAD)
for _ in $(seq 1 60); do
  [ "$(kubectl -n argocd get application "$app" -o jsonpath='{.status.sync.revision}')" = "$want" ] && break
  sleep 5
done
argocd app wait "$app" --sync --health --timeout 300 >/dev/null
deployment=$(kubectl -n "$ns" get deploy -l app.kubernetes.io/instance="$app" -o jsonpath='{.items[0].metadata.name}')
kubectl -n "$ns" rollout status "deployment/$deployment" --timeout=180s
argocd app get "$app"
