# runc with seccomp support. That needs cgo and libseccomp; libseccomp is linked statically
# (Debian's libseccomp-dev ships libseccomp.a) so the binary runs on any node image.
COMPONENT_VERSION="$RUNC_VERSION"
COMPONENT_MODULE="github.com/opencontainers/runc"
COMPONENT_APT="gcc libc6-dev libseccomp-dev pkg-config"

component_build() {
  # As runc's `make static` on amd64: static PIE, netgo/osusergo so glibc's NSS is not needed.
  CGO_ENABLED=1 go_install_at "github.com/opencontainers/runc@$RUNC_VERSION" \
    -buildmode=pie -tags "seccomp urfave_cli_no_docs netgo osusergo" \
    -ldflags "-s -w -linkmode external -extldflags -static-pie"
}

component_verify() {
  expect_output "runc version ${RUNC_VERSION#v}" "$OUT_BIN/runc" --version
  expect_output "libseccomp: " "$OUT_BIN/runc" --version
  expect_static "$OUT_BIN/runc"
}
