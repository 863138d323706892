#!/usr/bin/env bash
# Builds Argo CD's two container images offline, under the names its install manifest uses:
#   argocd  the multi-call binary + git, git-lfs, gpg, ssh client, tini, helm, kustomize
#           (what upstream's Dockerfile puts in its image), user 999, entrypoint tini
#   redis   Debian bookworm's redis-server package (the manifest only passes arguments)
# Binaries come from kind/toolchain/build.sh (argocd, helm4, kustomize); the Debian trees from
# kind/images/rootfs.sh. An image whose recipe hash label matches is left alone, so a second
# run is a no-op. Prints one "built|cached <ref>" line per image on stdout; progress on stderr.
# Usage: images.sh [--force] [--print-refs]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
toolchain="$root/kind/toolchain/build.sh"
force=0 print_refs=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --print-refs) print_refs=1 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "images.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { echo "argocd images: $*" >&2; }

argocd_bin="$("$toolchain" --print-dir argocd)"
manifest="$argocd_bin/../manifests/install.yaml"
refs_from_manifest() {
  [ -f "$manifest" ] || { echo "images.sh: $manifest missing (build the argocd component first)" >&2; return 1; }
  local argocd redis
  argocd="$(sed -n 's/^ *image: \(.*argoproj\/argocd:.*\)$/\1/p' "$manifest" | sort -u)"
  redis="$(sed -n 's/^ *image: \(.*\/redis:.*\)$/\1/p' "$manifest" | sort -u)"
  [ "$(printf '%s\n' "$argocd" | wc -l)" = 1 ] && [ -n "$argocd" ] || { echo "images.sh: expected one argocd image in $manifest, got: $argocd" >&2; return 1; }
  [ "$(printf '%s\n' "$redis" | wc -l)" = 1 ] && [ -n "$redis" ] || { echo "images.sh: expected one redis image in $manifest, got: $redis" >&2; return 1; }
  ARGOCD_REF="$argocd" REDIS_REF="$redis"
}

if [ "$print_refs" = 1 ]; then
  refs_from_manifest
  echo "$ARGOCD_REF"
  echo "$REDIS_REF"
  exit 0
fi

say "toolchain: argocd, helm4, kustomize (cached builds are reused)"
"$toolchain" argocd helm4 kustomize >&2
refs_from_manifest
# Helm 4, as upstream's image: Argo CD v3.6.1's hack/tool-versions.sh pins HELM_VERSION=4.3.1.
helm_bin="$("$toolchain" --print-dir helm4)"
kustomize_bin="$("$toolchain" --print-dir kustomize)"

cache="${LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernetes-labs}/argocd"
mkdir -p "$cache"
work="$(mktemp -d "${TMPDIR:-/tmp}/labs-argocd-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Package lists: upstream's Dockerfile installs git tini ca-certificates gpg gpg-agent tzdata
# connect-proxy openssh-client (+ git-lfs from its builder stage).
ARGOCD_PACKAGES=(git git-lfs tini ca-certificates gpg gpg-agent tzdata connect-proxy openssh-client)
REDIS_PACKAGES=(redis-server)

recipe_hash() { # <image name> <files…>: what the image is made of
  {
    echo "$1"
    sha256sum "$0" "${@:2}" | cut -d' ' -f1
  } | sha256sum | cut -c1-16
}
label_of() { docker image inspect "$1" --format '{{index .Config.Labels "org.kubernetes-labs.recipe"}}' 2>/dev/null || true; }

# A cached Debian tree per package list (debootstrap takes minutes; the list is the key).
rootfs_tar() { # <name> <packages…>
  local name="$1"; shift
  echo "$cache/rootfs-$name-$(printf '%s\n' "$@" | sha256sum | cut -c1-12).tar"
}
rootfs() { # <name> <packages…>: extracts the tree (debootstrap first when not cached), prints its path
  local name="$1" tar; shift
  tar="$(rootfs_tar "$name" "$@")"
  if [ ! -f "$tar" ] || [ "$force" = 1 ]; then
    say "debootstrap bookworm for $name ($*)"
    "$root/kind/images/rootfs.sh" "$tar" "$@" >&2
  fi
  mkdir -p "$work/$name"
  tar -C "$work/$name" -xf "$tar"
  echo "$work/$name"
}
was_cached() { [ -f "$(rootfs_tar "$@")" ] && [ "$force" = 0 ] && echo yes || echo no; }

add_user() { # <root> <name> <uid> <home>
  grep -q "^$2:" "$1/etc/group" || echo "$2:x:$3:" >>"$1/etc/group"
  grep -q "^$2:" "$1/etc/passwd" || echo "$2:x:$3:$3::$4:/usr/sbin/nologin" >>"$1/etc/passwd"
  grep -q "^$2:" "$1/etc/shadow" 2>/dev/null || echo "$2:!:19000::::::" >>"$1/etc/shadow"
}

import_image() { # <tree> <ref> <recipe hash> <docker import --change args…>
  local tree="$1" ref="$2" hash="$3"; shift 3
  tar --numeric-owner -C "$tree" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.kubernetes-labs.recipe=$hash" \
    "$@" - "$ref" >/dev/null
}

# --- argocd -----------------------------------------------------------------------------
argocd_hash="$(recipe_hash "$ARGOCD_REF ${ARGOCD_PACKAGES[*]}" "$argocd_bin/argocd" "$helm_bin/helm" "$kustomize_bin/kustomize" "$argocd_bin/../hack/"*)"
if [ "$force" = 0 ] && [ "$(label_of "$ARGOCD_REF")" = "$argocd_hash" ]; then
  echo "cached $ARGOCD_REF"
else
  start=$(date +%s)
  rootfs_was_cached="$(was_cached argocd "${ARGOCD_PACKAGES[@]}")"
  tree="$(rootfs argocd "${ARGOCD_PACKAGES[@]}")"
  add_user "$tree" argocd 999 /home/argocd
  install -d -o 999 -g 0 -m 0775 "$tree/home/argocd"
  install -m 0755 "$argocd_bin/argocd" "$helm_bin/helm" "$kustomize_bin/kustomize" "$tree/usr/local/bin/"
  install -m 0755 "$argocd_bin/../hack/"*.sh "$tree/usr/local/bin/"
  ln -sf /usr/local/bin/entrypoint.sh "$tree/usr/local/bin/uid_entrypoint.sh"
  for name in argocd-server argocd-repo-server argocd-cmp-server argocd-application-controller argocd-dex \
    argocd-notifications argocd-applicationset-controller argocd-k8s-auth argocd-commit-server; do
    ln -sf /usr/local/bin/argocd "$tree/usr/local/bin/$name"
  done
  # LFS filters system-wide, as upstream's `git lfs install --skip-repo --system`.
  chroot "$tree" git lfs install --skip-repo --system >/dev/null
  mkdir -p "$tree/app/config/ssh" "$tree/app/config/tls" "$tree/app/config/gpg/source"
  touch "$tree/app/config/ssh/ssh_known_hosts"
  mkdir -p "$tree/etc/ssh" && ln -sf /app/config/ssh/ssh_known_hosts "$tree/etc/ssh/ssh_known_hosts"
  install -d -o 999 -m 0700 "$tree/app/config/gpg/keys"
  import_image "$tree" "$ARGOCD_REF" "$argocd_hash" \
    --change 'ENV USER=argocd' --change 'ENV GRPC_ENABLE_TXT_SERVICE_CONFIG=false' \
    --change 'ENV DEBIAN_FRONTEND=noninteractive' \
    --change 'USER 999' --change 'WORKDIR /home/argocd' \
    --change 'ENTRYPOINT ["/usr/bin/tini", "--"]' \
    --change "LABEL org.opencontainers.image.description=\"Argo CD ${ARGOCD_REF##*:} built offline by kubernetes-labs from the Go module proxy on Debian bookworm (web UI not embedded: see kind/argocd/UI.md)\""
  rm -rf "$tree"
  say "built $ARGOCD_REF in $(($(date +%s) - start))s"
  echo "$(date -u +%FT%TZ) argocd image $(($(date +%s) - start))s (rootfs cached before: $rootfs_was_cached)" >>"$cache/image-build-seconds"
  echo "built $ARGOCD_REF"
fi

# --- redis ------------------------------------------------------------------------------
redis_hash="$(recipe_hash "$REDIS_REF ${REDIS_PACKAGES[*]}")"
if [ "$force" = 0 ] && [ "$(label_of "$REDIS_REF")" = "$redis_hash" ]; then
  echo "cached $REDIS_REF"
else
  start=$(date +%s)
  rootfs_was_cached="$(was_cached redis "${REDIS_PACKAGES[@]}")"
  tree="$(rootfs redis "${REDIS_PACKAGES[@]}")"
  version="$(chroot "$tree" dpkg-query -W -f='${Version}' redis-server)"
  install -d -m 0777 "$tree/data"
  import_image "$tree" "$REDIS_REF" "$redis_hash" \
    --change 'USER 999:999' --change 'WORKDIR /data' --change 'EXPOSE 6379' \
    --change 'ENTRYPOINT ["/usr/bin/redis-server"]' \
    --change "LABEL org.opencontainers.image.version=$version" \
    --change "LABEL org.opencontainers.image.description=\"NOT the upstream redis image: Debian bookworm's redis-server $version, built offline by kubernetes-labs and tagged as Argo CD's install manifest names it\""
  rm -rf "$tree"
  say "built $REDIS_REF (Debian redis-server $version) in $(($(date +%s) - start))s"
  echo "$(date -u +%FT%TZ) redis image $(($(date +%s) - start))s (rootfs cached before: $rootfs_was_cached)" >>"$cache/image-build-seconds"
  echo "built $REDIS_REF"
fi
