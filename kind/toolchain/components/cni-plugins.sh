# The CNI plugins kind's node image ships (kindnetd's config uses ptp, host-local, portmap).
COMPONENT_VERSION="$CNI_PLUGINS_VERSION"
COMPONENT_MODULE="github.com/containernetworking/plugins"

CNI_PLUGINS="main/bridge ipam/host-local main/loopback meta/portmap main/ptp"

component_build() {
  local p
  for p in $CNI_PLUGINS; do
    go_install_at "github.com/containernetworking/plugins/plugins/$p@$CNI_PLUGINS_VERSION" \
      -ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
  done
}

component_verify() {
  local p
  for p in $CNI_PLUGINS; do
    # A plugin run without CNI_COMMAND prints its "about" line.
    expect_output "plugin $CNI_PLUGINS_VERSION" "$OUT_BIN/${p#*/}"
  done
  expect_static "$OUT_BIN"/*
}
