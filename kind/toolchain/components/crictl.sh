# crictl, the CRI client kind and kubeadm use on the node.
COMPONENT_VERSION="$CRICTL_VERSION"
COMPONENT_MODULE="sigs.k8s.io/cri-tools"

component_build() {
  go_install_at "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" \
    -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${CRICTL_VERSION#v}"
}

component_verify() {
  expect_output "crictl version ${CRICTL_VERSION#v}" "$OUT_BIN/crictl" --version
  expect_static "$OUT_BIN/crictl"
}
