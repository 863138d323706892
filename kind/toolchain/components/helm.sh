# Helm 3, version-stamped as its Makefile does (helm reports and checks these values). The
# learner's `helm` is Helm 4 (helm4.sh); Helm 3 is on PATH as `helm3`, for tests on the release
# records it writes (learners may bring Helm 3). Argo CD's image carries Helm 4, as upstream's.
COMPONENT_VERSION="$HELM_VERSION"
COMPONENT_MODULE="helm.sh/helm/v3"
COMPONENT_SHELL_TOOLS="helm3=helm"

component_build() {
  local dir client_go major minor
  dir="$(go_mod_dir helm.sh/helm/v3 "$HELM_VERSION")"
  # The Kubernetes version helm assumes by default comes from its client-go (v0.X.Y -> 1.X).
  client_go="$(sed -n 's/^\s*k8s\.io\/client-go v0\.\([0-9]*\)\.[0-9]*.*/\1/p' "$dir/go.mod")"
  [ -n "$client_go" ] || { echo "no k8s.io/client-go requirement in $dir/go.mod" >&2; return 1; }
  major=1 minor="$client_go"
  local v=helm.sh/helm/v3/internal/version
  go_install_at "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" -ldflags "-s -w \
    -X $v.version=$HELM_VERSION -X $v.metadata= -X $v.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
}

component_verify() {
  expect_output "$HELM_VERSION" "$OUT_BIN/helm" version --short
  expect_static "$OUT_BIN/helm"
}
