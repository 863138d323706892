# Helm 4, the learner's `helm`, version-stamped as its Makefile does. (Helm 4 derives its default
# Kubernetes version from client-go's build info, so no k8sVersion stamps as for Helm 3.)
COMPONENT_VERSION="$HELM4_VERSION"
COMPONENT_MODULE="helm.sh/helm/v4"
COMPONENT_SHELL_TOOLS="helm"

component_build() {
  local v=helm.sh/helm/v4/internal/version
  go_install_at "helm.sh/helm/v4/cmd/helm@$HELM4_VERSION" -ldflags "-s -w \
    -X $v.version=$HELM4_VERSION -X $v.metadata= -X $v.gitTreeState=clean"
}

component_verify() {
  expect_output "$HELM4_VERSION" "$OUT_BIN/helm" version --short
  expect_static "$OUT_BIN/helm"
}
