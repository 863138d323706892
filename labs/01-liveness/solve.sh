#!/usr/bin/env bash
# Lab 01 reference solution: what a learner types. Works from any directory; edits a scratch
# copy of files/ (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-01.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"

kubectl create namespace liveness --dry-run=client -o yaml | kubectl apply -f -

cat > liveness-test.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: liveness-http
  namespace: liveness
  labels:
    test: liveness
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
YAML

# A Pod's probes are immutable: if an older liveness-http differs, replace it (as a learner would).
kubectl apply -f liveness-test.yaml || {
  kubectl delete -f liveness-test.yaml --wait=true
  kubectl apply -f liveness-test.yaml
}
kubectl -n liveness get pod liveness-http -o wide
