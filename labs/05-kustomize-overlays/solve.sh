#!/usr/bin/env bash
# Lab 05 reference solution: what a learner types. Works from any directory; edits a scratch
# copy of files/ (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-05.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"

kubectl create namespace overlays --dry-run=client -o yaml | kubectl apply -f -

cat > overlays/dev/kustomization.yaml <<'YAML'
resources:
- ../../base
namePrefix: dev-
YAML

cat > overlays/prd/kustomization.yaml <<'YAML'
resources:
- ../../base
namePrefix: prd-
YAML

kubectl kustomize overlays/dev
kubectl kustomize overlays/prd
kubectl apply -k overlays/dev
kubectl apply -k overlays/prd
kubectl -n overlays get pods
