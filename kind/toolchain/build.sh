#!/usr/bin/env bash
# Builds the offline Kubernetes toolchain from Go modules into a versioned cache.
# Each component is built only when its cache entry is missing; see README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
self="$here/$(basename "${BASH_SOURCE[0]}")"

# Builds share the CPU with the learner's cluster and other work: stay polite.
if [ -z "${LABS_TOOLCHAIN_NICED:-}" ]; then
  export LABS_TOOLCHAIN_NICED=1
  exec nice -n 5 "$self" "$@"
fi

usage() {
  cat <<EOF
Usage: build.sh [--force] <component>... | all
       build.sh --print-dir <component>    print the component's bin dir (built or not)
       build.sh --check <component>...|all exit 0 only if every component is built
       build.sh --list [--json]            components, versions and cache state

Builds each component from the Go module proxy when its cache entry is missing, into
  \$LABS_CACHE/go/<component>-<version>/bin/   (LABS_CACHE defaults to ~/.cache/kubernetes-labs)
and links the learner-shell tools (kind, kubectl, helm, helm3, kustomize) into \$LABS_CACHE/bin/.

Options:
  --force    rebuild even if the cache entry exists
  -h, --help show this help

Components: $(all_components | tr '\n' ' ')
EOF
}

cache_root() { echo "${LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubernetes-labs}"; }
all_components() { # build order: the longest build first
  echo kubernetes
  local f
  for f in "$here"/components/*.sh; do
    f="$(basename "$f" .sh)"
    [ "$f" = kubernetes ] || echo "$f"
  done
}

# Reads one variable from a component recipe without running its build.
component_var() { # <component> <VAR>
  (
    set -euo pipefail
    # shellcheck source=versions.env
    . "$here/versions.env"
    # shellcheck source=/dev/null
    . "$here/components/$1.sh"
    eval "printf '%s' \"\${$2:-}\""
  )
}

component_dir() { echo "$(cache_root)/go/$1-$(component_var "$1" COMPONENT_VERSION)"; }

require_component() {
  [ -f "$here/components/$1.sh" ] || {
    echo "build.sh: unknown component \"$1\" (known: $(all_components | tr '\n' ' '))" >&2
    exit 2
  }
}

expand_components() { # turns "all" into the full list
  local c
  for c in "$@"; do
    if [ "$c" = all ]; then all_components; else require_component "$c"; echo "$c"; fi
  done | awk '!seen[$0]++'
}

fmt_duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# COMPONENT_SHELL_TOOLS entries are "binary" or "link=binary" (helm3=helm: Helm 3 on PATH as
# helm3, since `helm` is Helm 4's).
link_shell_tools() { # <component> <bin dir>
  local tool bin_dir
  bin_dir="$(cache_root)/bin"
  for tool in $(component_var "$1" COMPONENT_SHELL_TOOLS); do
    mkdir -p "$bin_dir"
    ln -sfn "$2/${tool#*=}" "$bin_dir/${tool%%=*}"
  done
}

# Runs a recipe (build + verify) in a fresh bash process: `set -e` would be silently ignored
# in a subshell of a function called from a conditional context.
run_recipe() { # <component> <out bin> <work dir>
  bash -euo pipefail -c '
    here="$1" name="$2"
    . "$here/lib.sh"
    . "$here/versions.env"
    . "$here/components/$name.sh"
    go_env_offline
    export OUT_BIN="$3" WORK="$4"
    if [ -n "${COMPONENT_APT:-}" ]; then
      apt_ensure $COMPONENT_APT
    fi
    cd "$WORK"
    echo "== build $name $COMPONENT_VERSION ($(go version))"
    component_build
    cd "$WORK"
    echo "== verify $name"
    component_verify
  ' run-recipe "$here" "$@"
}

# Set while a recipe runs, for the interrupt handler.
recipe_pid='' build_tmp='' build_work='' building=''
on_interrupt() {
  if [ -n "$recipe_pid" ]; then
    kill -TERM -- "-$recipe_pid" 2>/dev/null || true
    wait "$recipe_pid" 2>/dev/null || true
  fi
  rm -rf "$build_tmp" "$build_work"
  echo "build.sh: interrupted${building:+ while building $building}; nothing partial was cached" >&2
  exit 130
}
trap on_interrupt INT TERM

build_one() { # <index> <total> <component>
  local idx="$1" total="$2" name="$3" version module final lock log start elapsed
  version="$(component_var "$name" COMPONENT_VERSION)"
  module="$(component_var "$name" COMPONENT_MODULE)"
  final="$(cache_root)/go/$name-$version"
  mkdir -p "$(cache_root)/go/.locks" "$(cache_root)/go/logs"
  lock="$(cache_root)/go/.locks/$name.lock"
  log="$(cache_root)/go/logs/$name-$version.log"

  # Another build.sh may be building the same component: wait for it, then re-check.
  exec 9>"$lock"
  if ! flock -n 9; then
    echo "[$idx/$total] $name $version: waiting for another build.sh to finish it" >&2
    flock 9
  fi
  if [ -f "$final/.done" ] && [ "$FORCE" != 1 ]; then
    echo "[$idx/$total] $name $version cached ($final/bin)" >&2
    link_shell_tools "$name" "$final/bin"
    exec 9>&-
    return 0
  fi

  echo "[$idx/$total] building $name $version … (log: $log)" >&2
  building="$name $version"
  # (build_one runs under `||`, where set -e is off: check each step by hand)
  build_tmp="$(mktemp -d "$(cache_root)/go/.tmp-$name-$version.XXXXXX")" &&
    build_work="$(mktemp -d "${TMPDIR:-/tmp}/labs-toolchain-$name.XXXXXX")" &&
    mkdir -p "$build_tmp/bin" || { echo "build.sh: cannot create build dirs under $(cache_root)/go" >&2; return 1; }
  start="$(date +%s)"
  # Own process group (set -m), so an interrupt can stop the whole recipe tree.
  set -m
  run_recipe "$name" "$build_tmp/bin" "$build_work" >"$log" 2>&1 &
  recipe_pid=$!
  set +m
  # Heartbeat so a long build never looks hung.
  local next=60
  while kill -0 "$recipe_pid" 2>/dev/null; do
    sleep 2
    elapsed=$(($(date +%s) - start))
    if [ "$elapsed" -ge "$next" ]; then
      echo "[$idx/$total]   … $name still building ($(fmt_duration "$elapsed"))" >&2
      next=$((next + 60))
    fi
  done
  if ! wait "$recipe_pid"; then
    recipe_pid=''
    rm -rf "$build_tmp" "$build_work"
    echo "build.sh: failed to build $name $version (module $module); log: $log" >&2
    exec 9>&-
    return 1
  fi
  recipe_pid=''
  elapsed=$(($(date +%s) - start))
  chmod -R a+rX,go-w "$build_tmp" || true
  rm -rf "$build_work"
  {
    echo "component=$name"
    echo "version=$version"
    echo "module=$module"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "seconds=$elapsed"
    echo "go=$(go version | awk '{print $3}')"
    echo "recipe_sha256=$(sha256sum "$here/components/$name.sh" | cut -d' ' -f1)"
  } >"$build_tmp/.done"
  rm -rf "$final" && mv "$build_tmp" "$final" ||
    { echo "build.sh: cannot move $build_tmp to $final" >&2; exec 9>&-; return 1; }
  build_tmp='' build_work=''
  link_shell_tools "$name" "$final/bin"
  echo "[$idx/$total] built $name $version in $(fmt_duration "$elapsed") ($(du -sh "$final/bin" | cut -f1))" >&2
  exec 9>&-
}

list_components() { # [--json]
  local c v d state first=1
  [ "${1:-}" = --json ] && printf '['
  for c in $(all_components); do
    v="$(component_var "$c" COMPONENT_VERSION)"
    d="$(cache_root)/go/$c-$v"
    if [ -f "$d/.done" ]; then state=built; else state=missing; fi
    if [ "${1:-}" = --json ]; then
      [ "$first" = 1 ] || printf ','
      first=0
      printf '{"component":"%s","version":"%s","module":"%s","state":"%s","binDir":"%s/bin","seconds":%s}' \
        "$c" "$v" "$(component_var "$c" COMPONENT_MODULE)" "$state" "$d" \
        "$(sed -n 's/^seconds=//p' "$d/.done" 2>/dev/null || true)$( [ -f "$d/.done" ] || echo null)"
    else
      printf '%-24s %-12s %-8s %s\n' "$c" "$v" "$state" "$d/bin"
    fi
  done
  [ "${1:-}" = --json ] && printf ']\n'
  return 0
}

FORCE=0
components=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --force) FORCE=1 ;;
    --print-dir)
      [ $# -eq 2 ] || { echo "build.sh: --print-dir takes exactly one component" >&2; exit 2; }
      require_component "$2"
      echo "$(component_dir "$2")/bin"
      exit 0 ;;
    --check)
      shift
      [ $# -gt 0 ] || { echo "build.sh: --check needs components (or all)" >&2; exit 2; }
      missing=0
      for c in "$@"; do [ "$c" = all ] || require_component "$c"; done
      for c in $(expand_components "$@"); do
        [ -f "$(component_dir "$c")/.done" ] || { echo "not built: $c" >&2; missing=1; }
      done
      exit "$missing" ;;
    --list) shift; list_components "$@"; exit 0 ;;
    -*) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) components+=("$1") ;;
  esac
  shift
done
[ "${#components[@]}" -gt 0 ] || { usage >&2; exit 2; }

command -v go >/dev/null || { echo "build.sh: go not found on PATH (Go >= 1.24 is needed)" >&2; exit 2; }
command -v flock >/dev/null || { echo "build.sh: flock not found (Debian package util-linux)" >&2; exit 2; }

for c in "${components[@]}"; do [ "$c" = all ] || require_component "$c"; done
mapfile -t selected < <(expand_components "${components[@]}")
total="${#selected[@]}"
failed=()
i=0
for c in "${selected[@]}"; do
  i=$((i + 1))
  build_one "$i" "$total" "$c" || failed+=("$c")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "build.sh: ${#failed[@]} of $total failed: ${failed[*]}" >&2
  exit 1
fi
