#!/usr/bin/env bash
# Lab 02 reference solution: what a learner types. Works from any directory; edits a scratch
# copy of files/ (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-02.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"

kubectl create namespace readiness --dry-run=client -o yaml | kubectl apply -f -

cat > readiness-test.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: readiness-http
  namespace: readiness
  labels:
    test: readiness
spec:
  containers:
  - name: readiness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    ports:
    - containerPort: 8080
    readinessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
YAML

# A Pod's probes are immutable: if an older readiness-http differs, replace it.
kubectl apply -f readiness-test.yaml || {
  kubectl delete -f readiness-test.yaml --wait=true
  kubectl apply -f readiness-test.yaml
}
kubectl apply -f readiness-service.yaml
kubectl -n readiness get pod -o wide
kubectl -n readiness describe endpointslices -l kubernetes.io/service-name=readiness-http | grep -A2 Conditions || true
