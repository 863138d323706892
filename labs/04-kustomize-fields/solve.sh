#!/usr/bin/env bash
# Lab 04 reference solution: what a learner types. Works from any directory; edits a scratch
# copy of files/ (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-04.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"

kubectl create namespace test --dry-run=client -o yaml | kubectl apply -f -

cat > kustomization.yaml <<'YAML'
namespace: test
namePrefix: lab-
nameSuffix: -v1
labels:
  - pairs:
      env: test
    includeSelectors: true
images:
  - name: nginx
    newTag: "1.23.1"
resources:
  - pod-1.yaml
  - service.yaml
YAML

kubectl kustomize .
kubectl apply -k .
kubectl -n test get pods,services -o wide
