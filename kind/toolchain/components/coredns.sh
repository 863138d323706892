# CoreDNS at the version kubeadm deploys.
COMPONENT_VERSION="$COREDNS_VERSION"
COMPONENT_MODULE="github.com/coredns/coredns"

component_build() {
  go_install_at "github.com/coredns/coredns@$COREDNS_VERSION" -ldflags "-s -w"
}

component_verify() {
  expect_output "CoreDNS-${COREDNS_VERSION#v}" "$OUT_BIN/coredns" -version
  expect_static "$OUT_BIN/coredns"
}
