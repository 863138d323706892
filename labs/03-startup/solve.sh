#!/usr/bin/env bash
# Lab 03 reference solution: what a learner types. Works from any directory; edits a scratch
# copy of files/ (LABS_WORKDIR, else a temp dir), never the repository.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${LABS_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/labs-03.XXXXXX")}
mkdir -p "$work" && cp -R "$lab_dir/files/." "$work/" && cd "$work"

kubectl create namespace startup --dry-run=client -o yaml | kubectl apply -f -

# 1. The app as it is: its liveness probe kills it during the warm-up.
kubectl apply -f no-startup.yaml

# 2. The same app with a startup probe: it cannot fail before (12 − 1) × 5 s = 55 s (at the latest
#    12 × 5 s = 60 s), well past the 30-second warm-up; then liveness takes over.
cat > with-startup.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: slow-app
  namespace: startup
  labels:
    app: slow-app
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo warming up; sleep 30; touch /tmp/started; echo started; while true; do sleep 5; done"]
    livenessProbe:
      exec:
        command: ["cat", "/tmp/started"]
      periodSeconds: 5
      failureThreshold: 3
    startupProbe:
      exec:
        command: ["cat", "/tmp/started"]
      periodSeconds: 5
      failureThreshold: 12
YAML

# Probes are immutable: if an older slow-app differs, replace it.
kubectl apply -f with-startup.yaml || {
  kubectl delete -f with-startup.yaml --wait=true
  kubectl apply -f with-startup.yaml
}
kubectl -n startup get pods
