#!/usr/bin/env bash
# Builds a Debian bookworm root filesystem with debootstrap and packs it as a tar that
# `docker import` turns into an image. Usage: rootfs.sh <out.tar> [package ...]
# The Debian mirror is the one apt on this machine already uses (never hard-coded here);
# downloaded .debs are kept in $LABS_CACHE/debs so a rebuild does not download again.
set -euo pipefail

out="$1"; shift
packages="$(IFS=,; echo "$*")"
cache="${LABS_CACHE:-$HOME/.cache/kubernetes-labs}"

command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

# The first deb822 URIs line or classic `deb` line that names the main Debian archive.
mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | awk '/^(URIs:|deb )/ && !/security|updates/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }')" || true
[ -n "$mirror" ] || { echo "rootfs.sh: no Debian mirror found in /etc/apt/sources.list*" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/labs-rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache/debs"

debootstrap --variant=minbase --cache-dir="$cache/debs" ${packages:+--include="$packages"} \
  bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; echo "rootfs.sh: debootstrap failed (mirror $mirror)" >&2; exit 1; }

# Slim the tree: package caches, docs and man pages are never used inside an image.
rm -rf "$work/root"/var/cache/apt/archives/*.deb "$work/root"/var/lib/apt/lists/* \
  "$work/root"/usr/share/doc/* "$work/root"/usr/share/man/* "$work/root"/usr/share/info/* \
  "$work/root"/var/log/*.log "$work/root"/var/cache/debconf/*-old

mkdir -p "$(dirname "$out")"
tar --numeric-owner -C "$work/root" -cf "$out.partial" .
mv "$out.partial" "$out"
