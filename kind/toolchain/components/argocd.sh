# Argo CD's multi-call binary (argocd, argocd-server, argocd-repo-server,
# argocd-application-controller, … dispatch on argv[0]) through the wrapper module in
# kind/argocd/ (upstream's replace directives only apply in a main module), plus the module's
# own install manifest, kept beside the binary for `labs addon argocd`.
#   bin/argocd                 the binary (also the learner's `argocd` CLI)
#   manifests/install.yaml     manifests/install.yaml from the same module zip
#   ui.txt                     why the web UI is not embedded (see kind/argocd/README.md)
_argocd_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../argocd" && pwd)"
COMPONENT_VERSION="$(sed -n 's/^\s*\(require \)\?github\.com\/argoproj\/argo-cd\/v3 \(v[^ ]*\).*/\2/p' "$_argocd_dir/go.mod")"
COMPONENT_MODULE="github.com/argoproj/argo-cd/v3"
COMPONENT_SHELL_TOOLS="argocd"
# Argo CD 3.6 declares `go 1.27.0`; the toolchain module comes through the same Go module proxy.
# Exported here (not only in component_build) so build.sh's "== build … (go version …)" line
# names the Go that really builds it; go_env_offline keeps a GOTOOLCHAIN that is already set.
ARGOCD_GO_TOOLCHAIN="${ARGOCD_GO_TOOLCHAIN:-go1.27.4}"
export GOTOOLCHAIN="$ARGOCD_GO_TOOLCHAIN"

component_build() {
  mkdir -p "$WORK/argocd"
  cp "$_argocd_dir/go.mod" "$_argocd_dir/go.sum" "$WORK/argocd/"
  cd "$WORK/argocd"
  local dir date p=github.com/argoproj/argo-cd/v3/common client_go
  dir="$(go_mod_dir "$COMPONENT_MODULE" "$COMPONENT_VERSION")"
  date="$(go_mod_time "$COMPONENT_MODULE" "$COMPONENT_VERSION")"
  # kubectlVersion: the client-go the wrapper resolves (upstream's Makefile does the same).
  client_go="$(go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' k8s.io/client-go)"
  CGO_ENABLED=0 go build -trimpath -o "$OUT_BIN/argocd" -ldflags "-s -w \
    -X $p.version=${COMPONENT_VERSION#v} -X $p.buildDate=$date -X $p.gitTag=$COMPONENT_VERSION \
    -X $p.gitTreeState=clean -X $p.kubectlVersion=$client_go" \
    "$COMPONENT_MODULE/cmd"
  mkdir -p "$OUT_BIN/../manifests" "$OUT_BIN/../hack"
  cp "$dir/manifests/install.yaml" "$OUT_BIN/../manifests/install.yaml"
  # The image's helper scripts, exactly as upstream's Dockerfile copies them.
  cp "$dir/entrypoint.sh" "$dir/hack/gpg-wrapper.sh" "$dir/hack/git-verify-wrapper.sh" "$OUT_BIN/../hack/"
  chmod -R u+w "$OUT_BIN/.."
  cp "$_argocd_dir/UI.md" "$OUT_BIN/../ui.txt"
}

component_verify() {
  expect_output "argocd: v${COMPONENT_VERSION#v}" "$OUT_BIN/argocd" version --client --short
  expect_static "$OUT_BIN/argocd"
  # The multi-call dispatch: the same file answers as the server under its other name.
  ln -sf "$OUT_BIN/argocd" "$WORK/argocd-server"
  expect_output "argocd-server" "$WORK/argocd-server" --help
  grep -q 'name: argocd-server' "$OUT_BIN/../manifests/install.yaml"
}
