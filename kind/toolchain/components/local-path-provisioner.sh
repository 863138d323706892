# kind's default StorageClass provisioner (kind v0.30.0 built its image from this tag, the newest the module proxy serves; kind v0.33.0 builds v0.0.34).
COMPONENT_VERSION="$LOCAL_PATH_PROVISIONER_VERSION"
COMPONENT_MODULE="github.com/rancher/local-path-provisioner"

component_build() {
  go_install_at "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION" \
    -ldflags "-s -w -X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"
}

component_verify() {
  expect_output "$LOCAL_PATH_PROVISIONER_VERSION" "$OUT_BIN/local-path-provisioner" --version
  expect_static "$OUT_BIN/local-path-provisioner"
}
