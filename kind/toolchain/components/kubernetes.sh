# Kubernetes node and control-plane binaries plus agnhost, from k8s.io/kubernetes.
# The k8s module requires its staging modules (k8s.io/api, …) at v0.0.0 and replaces them
# with ./staging paths, which only work inside its own repository: a wrapper module pins
# each one to the published v0.X.Y instead.
COMPONENT_VERSION="$KUBERNETES_VERSION"
COMPONENT_MODULE="k8s.io/kubernetes"
COMPONENT_SHELL_TOOLS="kubectl"

KUBE_COMMANDS="kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy"

component_build() {
  local k8s_dir staging_version build_date major minor
  k8s_dir="$(go_mod_dir k8s.io/kubernetes "$KUBERNETES_VERSION")"
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  build_date="$(go_mod_time k8s.io/kubernetes "$KUBERNETES_VERSION")"
  major=1
  minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"

  # The Go version and godebug default as k8s.io/kubernetes' own go.mod (1.37: go 1.26.0)
  wrapper_module kubernetes "$(awk '$1 == "go" {print $2; exit}' "$k8s_dir/go.mod")" "k8s.io/kubernetes $KUBERNETES_VERSION"
  {
    echo
    grep '^godebug ' "$k8s_dir/go.mod"
    echo
    echo 'replace ('
    staging_replaces "$k8s_dir/go.mod" "$staging_version"
    echo ')'
  } >>go.mod
  cat go.mod

  # Same stamps as hack/lib/version.sh. The proxy does not carry the git commit, so gitCommit
  # stays empty rather than invented; the source is the unmodified tagged module (clean).
  local ldflags="-s -w" key val
  for kv in "gitVersion=$KUBERNETES_VERSION" "gitMajor=$major" "gitMinor=$minor" \
    "gitCommit=" "gitTreeState=clean" "buildDate=$build_date"; do
    key="${kv%%=*}" val="${kv#*=}"
    ldflags="$ldflags -X k8s.io/component-base/version.$key=$val -X k8s.io/client-go/pkg/version.$key=$val"
  done

  local pkgs=() c
  for c in $KUBE_COMMANDS; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  # Tags as hack/lib/golang.sh uses for release builds.
  CGO_ENABLED=0 go build -v -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ldflags" \
    -o "$OUT_BIN/" "${pkgs[@]}"

  local agnhost_version
  agnhost_version="$(tr -d '[:space:]' <"$k8s_dir/test/images/agnhost/VERSION")"
  [ "$agnhost_version" = "$AGNHOST_VERSION" ] ||
    { echo "versions.env AGNHOST_VERSION=$AGNHOST_VERSION but the module says $agnhost_version" >&2; return 1; }
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=$agnhost_version" \
    -o "$OUT_BIN/agnhost" k8s.io/kubernetes/test/images/agnhost
}

component_verify() {
  local b="$OUT_BIN"
  expect_output "$KUBERNETES_VERSION" "$b/kubeadm" version -o short
  expect_output "Client Version: $KUBERNETES_VERSION" "$b/kubectl" version --client
  expect_output "Kubernetes $KUBERNETES_VERSION" "$b/kubelet" --version
  expect_output "Kubernetes $KUBERNETES_VERSION" "$b/kube-apiserver" --version
  expect_output "Kubernetes $KUBERNETES_VERSION" "$b/kube-controller-manager" --version
  expect_output "Kubernetes $KUBERNETES_VERSION" "$b/kube-scheduler" --version
  expect_output "Kubernetes $KUBERNETES_VERSION" "$b/kube-proxy" --version
  expect_output "$AGNHOST_VERSION" "$b/agnhost" --version
  expect_static "$b"/*

  # The images kubeadm will ask for must be exactly the tags versions.env promises.
  local want got
  want="$(printf '%s\n' \
    "$IMAGE_REPOSITORY/kube-apiserver:$KUBE_IMAGE_TAG" \
    "$IMAGE_REPOSITORY/kube-controller-manager:$KUBE_IMAGE_TAG" \
    "$IMAGE_REPOSITORY/kube-scheduler:$KUBE_IMAGE_TAG" \
    "$IMAGE_REPOSITORY/kube-proxy:$KUBE_IMAGE_TAG" \
    "$IMAGE_REPOSITORY/$COREDNS_IMAGE_NAME:$COREDNS_IMAGE_TAG" \
    "$IMAGE_REPOSITORY/pause:$PAUSE_IMAGE_TAG" \
    "$IMAGE_REPOSITORY/etcd:$ETCD_IMAGE_TAG")"
  got="$("$b/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION")"
  if [ "$got" != "$want" ]; then
    printf 'verify failed: kubeadm wants:\n%s\nversions.env says:\n%s\n' "$got" "$want" >&2
    return 1
  fi
  echo "$got" >"$(dirname "$OUT_BIN")/kubeadm-images.txt"
  echo "ok: kubeadm config images list matches versions.env"
}
