#!/usr/bin/env bash
# Lab 07 reference solution: what a learner types. Works from any directory; works in a scratch
# directory (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-07.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"
ns=helm-upgrade

[ -d nginx ] || helm create nginx
# 1. Install an older nginx (revision 1), unless the release already exists.
helm status mynginx --namespace "$ns" >/dev/null 2>&1 ||
  helm install mynginx ./nginx --namespace "$ns" --create-namespace --set image.tag=1.23.1

# 2. The seed's tag change, from a values file (quoted: 1.24 unquoted is a YAML number).
cat > values.yaml <<'YAML'
image:
  tag: "1.24"
YAML
helm upgrade mynginx ./nginx --namespace "$ns" -f values.yaml --wait --timeout 120s

# 3. A bad upgrade: a tag the mirror lacks, so its pods never become ready and --wait gives up
#    (revision marked failed). Then back to the previous revision by hand. (Helm 4's
#    --rollback-on-failure would do that rollback itself; the lab asks for helm rollback.)
helm upgrade mynginx ./nginx --namespace "$ns" --set image.tag=1.999-no-such-tag --wait --timeout 30s ||
  echo "the bad upgrade failed, as intended"
helm rollback mynginx --namespace "$ns" --wait --timeout 120s

helm history mynginx --namespace "$ns"
helm ls --namespace "$ns"
kubectl --namespace "$ns" rollout status deployment/mynginx --timeout=120s
