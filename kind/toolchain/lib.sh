# Helpers shared by build.sh and the component recipes (sourced, not executed).
# A recipe runs in its own subshell with `set -euo pipefail`, cwd = $WORK (a scratch dir),
# and writes its binaries into $OUT_BIN. See README.md for the contract.

# Only the Go module proxy is reachable: never let Go fall back to a VCS host.
go_env_offline() {
  GOPROXY="$(go env GOPROXY | sed 's/,direct$//')"
  export GOPROXY GOFLAGS=-mod=mod GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
}

# Install Debian packages only when missing (CI machines start fresh).
apt_ensure() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local sudo=''
  [ "$(id -u)" -eq 0 ] || sudo='sudo'
  if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
    $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

# Module source directory (downloads the module through the proxy when not cached).
go_mod_dir() { # <module> <version>
  (cd "$WORK" && GOFLAGS= go mod download -json "$1@$2") | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p'
}

# Commit time the proxy records for a module version (used as a reproducible build date).
go_mod_time() { # <module> <version>
  local info
  info="$( (cd "$WORK" && GOFLAGS= go mod download -json "$1@$2") | sed -n 's/^\s*"Info": "\(.*\)",$/\1/p')"
  sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info"
}

# `go install module/cmd@version` into $OUT_BIN: the module's own go.mod (incl. replaces) rules.
go_install_at() { # <package@version> [go build flags...]
  local pkg="$1"; shift
  GOFLAGS= GOBIN="$OUT_BIN" CGO_ENABLED="${CGO_ENABLED:-0}" go install -trimpath "$@" "$pkg"
}

# Start a throw-away wrapper module in $WORK/<name>; later `go build` calls resolve imports
# through the proxy (-mod=mod) and record go.sum.
wrapper_module() { # <name> <go version> <require lines...>
  local name="$1" gover="$2"; shift 2
  mkdir -p "$WORK/$name"
  {
    printf 'module labs.local/toolchain/%s\n\ngo %s\n\nrequire (\n' "$name" "$gover"
    printf '\t%s\n' "$@"
    printf ')\n'
  } > "$WORK/$name/go.mod"
  cd "$WORK/$name"
}

# A module's own `exclude` blocks/lines, to copy into a wrapper so its dependencies resolve
# exactly as when it is the main module (`go install …@version` refuses such modules).
go_mod_excludes() { # <go.mod path>
  awk '/^exclude \($/ {on=1} on {print} on && /^\)$/ {on=0; next} /^exclude [^(]/ {print}' "$1"
}

# The `replace` block that pins every staging module a k8s-style go.mod declares as v0.0.0
# (or replaces with ./staging/...) to the published v0.X.Y.
staging_replaces() { # <go.mod path> <v0.X.Y>
  {
    sed -n 's/^\s*\(k8s\.io\/[A-Za-z0-9._-]*\) v0\.0\.0\(\s*\/\/.*\)\?$/\1/p' "$1"
    sed -n 's/^\s*\(k8s\.io\/[A-Za-z0-9._-]*\) => \.\/staging\/.*/\1/p' "$1"
  } | sort -u | sed "s|.*|\t& => & $2|"
}

# Fail unless "$@" prints something containing $expected (verification of a built binary).
expect_output() { # <expected substring> <command...>
  local expected="$1" out; shift
  out="$("$@" 2>&1)" || { echo "verify failed: '$*' exited non-zero: $out" >&2; return 1; }
  case "$out" in
    *"$expected"*) echo "ok: $* -> $(printf '%s' "$out" | head -n 3 | tr '\n' ' ')" ;;
    *) echo "verify failed: '$*' printed '$out', expected '$expected'" >&2; return 1 ;;
  esac
}

# Fail if a binary is dynamically linked (nodes and images get these files as they are).
expect_static() { # <binary...>
  local b out
  for b in "$@"; do
    # glibc's ldd (always installed) says so for static and static-PIE executables alike; it
    # exits non-zero for the former, hence no pipe (pipefail).
    out="$(ldd "$b" 2>&1 || true)"
    case "$out" in
      *'not a dynamic executable'* | *'statically linked'*) ;;
      *) echo "verify failed: $b is dynamically linked: $(printf '%s' "$out" | tr '\n' ' ')" >&2; return 1 ;;
    esac
  done
  echo "ok: static: $*"
}
