#!/usr/bin/env bash
# Lab 06 reference solution: what a learner types. Works from any directory; works in a scratch
# directory (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-06.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"

[ -d mychart ] || helm create mychart
# The scaffold's image tag defaults to its appVersion (1.16.0); the lesson pins 1.24 instead.
helm upgrade --install myapp ./mychart \
  --namespace helm-create --create-namespace \
  --set image.tag=1.24
helm ls --namespace helm-create
kubectl --namespace helm-create rollout status deployment/myapp-mychart --timeout=120s
