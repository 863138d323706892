#!/usr/bin/env bash
# Regenerates the wrapper go.mod/go.sum for an Argo CD version: requires the module, copies
# upstream's replace block (minus its local ./gitops-engine replace; that module is on the proxy
# at the same version) and lets `go mod tidy` resolve the rest through the Go module proxy.
# Usage: gen-go-mod.sh <version, e.g. v3.6.1>
set -euo pipefail
version="${1:?usage: gen-go-mod.sh <version>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOPROXY="$(go env GOPROXY | sed 's/,direct$//')" GOFLAGS=-mod=mod
export GOTOOLCHAIN="${ARGOCD_GO_TOOLCHAIN:-go1.27.4}"
upstream_mod="$(cd /tmp && GOFLAGS= go mod download -json "github.com/argoproj/argo-cd/v3@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
[ -f "$upstream_mod" ] || { echo "gen-go-mod.sh: no go.mod for argo-cd $version on the proxy" >&2; exit 1; }
go_version="$(sed -n 's/^go \(.*\)$/\1/p' "$upstream_mod")"
{
  echo "// Wrapper module: builds Argo CD $version (github.com/argoproj/argo-cd/v3, cmd/ multi-call binary)"
  echo "// from the Go module proxy. Replace directives only apply in the main module, so upstream's"
  echo "// (except its local ./gitops-engine one; that module is on the proxy at the same version) are"
  echo "// copied here. Regenerate for a new version with kind/argocd/gen-go-mod.sh <version>."
  echo "module kubernetes-labs/argocd-build"
  echo
  echo "go $go_version"
  echo
  echo "tool github.com/argoproj/argo-cd/v3/cmd"
  echo
  echo "require github.com/argoproj/argo-cd/v3 $version"
  echo
  awk '/^replace \(/{p=1} p{print} p&&/^\)/{p=0}' "$upstream_mod"
} > "$here/go.mod"
rm -f "$here/go.sum"
(cd "$here" && nice -n 5 go mod tidy)
echo "wrote $here/go.mod ($(grep -c . "$here/go.mod") lines) and go.sum"
