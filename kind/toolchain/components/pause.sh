# The pause container's only binary: one C file shipped in the Kubernetes module.
COMPONENT_VERSION="$PAUSE_VERSION"
COMPONENT_MODULE="k8s.io/kubernetes (build/pause/linux/pause.c)"
COMPONENT_APT="gcc libc6-dev"

component_build() {
  local src
  src="$(go_mod_dir k8s.io/kubernetes "$KUBERNETES_VERSION")/build/pause/linux/pause.c"
  grep -q "^TAG ?= $PAUSE_VERSION\$" "$(dirname "$(dirname "$src")")/Makefile" ||
    { echo "build/pause/Makefile of kubernetes $KUBERNETES_VERSION does not build pause $PAUSE_VERSION" >&2; return 1; }
  # Flags as build/pause/Makefile; static so it runs in an empty image.
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$OUT_BIN/pause" "$src"
  strip "$OUT_BIN/pause"
}

component_verify() {
  expect_output "pause.c v$PAUSE_VERSION" "$OUT_BIN/pause" -v
  expect_static "$OUT_BIN/pause"
}
