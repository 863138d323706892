# The CNCF distribution registry: the local image mirror every cluster pulls from.
COMPONENT_VERSION="$REGISTRY_VERSION"
COMPONENT_MODULE="github.com/distribution/distribution/v3"

component_build() {
  local pkg=github.com/distribution/distribution/v3
  go_install_at "$pkg/cmd/registry@$REGISTRY_VERSION" \
    -ldflags "-s -w -X $pkg/version.version=$REGISTRY_VERSION -X $pkg/version.mainpkg=$pkg"
}

component_verify() {
  expect_output "$REGISTRY_VERSION" "$OUT_BIN/registry" --version
  expect_static "$OUT_BIN/registry"
}
