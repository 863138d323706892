# etcd server and etcdctl. Their go.mod files replace sibling modules with ../ paths, which
# `go install …@version` refuses; a wrapper module requires the published modules instead.
COMPONENT_VERSION="$ETCD_VERSION"
COMPONENT_MODULE="go.etcd.io/etcd/server/v3, go.etcd.io/etcd/etcdctl/v3"

component_build() {
  wrapper_module etcd 1.24 \
    "go.etcd.io/etcd/server/v3 $ETCD_VERSION" "go.etcd.io/etcd/etcdctl/v3 $ETCD_VERSION"
  # server/v3's main.go is etcd's own main (etcdmain.Main); etcdctl/v3 is etcdctl's.
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT_BIN/etcd" go.etcd.io/etcd/server/v3
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$OUT_BIN/etcdctl" go.etcd.io/etcd/etcdctl/v3
}

component_verify() {
  expect_output "etcd Version: ${ETCD_VERSION#v}" "$OUT_BIN/etcd" --version
  expect_output "etcdctl version: ${ETCD_VERSION#v}" "$OUT_BIN/etcdctl" version
  expect_static "$OUT_BIN/etcd" "$OUT_BIN/etcdctl"
}
