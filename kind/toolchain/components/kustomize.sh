# Standalone kustomize (kubectl embeds an older one; the lessons use both).
COMPONENT_VERSION="$KUSTOMIZE_VERSION"
COMPONENT_MODULE="sigs.k8s.io/kustomize/kustomize/v5"
COMPONENT_SHELL_TOOLS="kustomize"

component_build() {
  # kustomize reads its version from the Go build info that `go install …@version` records.
  go_install_at "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" -ldflags "-s -w"
}

component_verify() {
  expect_output "$KUSTOMIZE_VERSION" "$OUT_BIN/kustomize" version
  expect_static "$OUT_BIN/kustomize"
}
