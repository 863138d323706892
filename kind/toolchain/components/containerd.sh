# containerd, its runc shim and ctr, at the version kind's base image uses (its config format
# and `ctr images import --label` are what kind relies on). Pure Go: CGO off, fully static.
COMPONENT_VERSION="$CONTAINERD_VERSION"
COMPONENT_MODULE="github.com/containerd/containerd/v2"

component_build() {
  local pkg=github.com/containerd/containerd/v2 dir
  # containerd's go.mod has `exclude` directives, so `go install …@version` refuses it: build
  # from a wrapper module that requires it and repeats those excludes.
  dir="$(go_mod_dir "$pkg" "$CONTAINERD_VERSION")"
  wrapper_module containerd 1.23.0 "$pkg $CONTAINERD_VERSION"
  { echo; go_mod_excludes "$dir/go.mod"; } >>go.mod
  cat go.mod
  local stamp="-s -w -X $pkg/version.Version=$CONTAINERD_VERSION -X $pkg/version.Package=$pkg"
  # Snapshotters kind's base image leaves out (its BUILDTAGS), plus the Makefile's default.
  local tags="no_aufs no_zfs no_btrfs no_devmapper urfave_cli_no_docs"
  export CGO_ENABLED=0
  go build -trimpath -tags "$tags" -ldflags "$stamp" -o "$OUT_BIN/" "$pkg/cmd/containerd" "$pkg/cmd/ctr"
  go build -trimpath -tags "$tags no_grpc" -ldflags "$stamp" -o "$OUT_BIN/containerd-shim-runc-v2" \
    "$pkg/cmd/containerd-shim-runc-v2"
}

component_verify() {
  expect_output "containerd github.com/containerd/containerd/v2 $CONTAINERD_VERSION" "$OUT_BIN/containerd" --version
  expect_output "ctr github.com/containerd/containerd/v2 $CONTAINERD_VERSION" "$OUT_BIN/ctr" --version
  expect_output "Version:  $CONTAINERD_VERSION" "$OUT_BIN/containerd-shim-runc-v2" -v
  expect_static "$OUT_BIN"/*
}
