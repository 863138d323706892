# The kind CLI (cluster lifecycle; `kind build node-image` too).
COMPONENT_VERSION="$KIND_VERSION"
COMPONENT_MODULE="sigs.k8s.io/kind"
COMPONENT_SHELL_TOOLS="kind"

component_build() {
  go_install_at "sigs.k8s.io/kind@$KIND_VERSION" -ldflags "-s -w"
}

component_verify() {
  expect_output "kind $KIND_VERSION " "$OUT_BIN/kind" version
  expect_static "$OUT_BIN/kind"
}
