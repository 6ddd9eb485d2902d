# shellcheck shell=bash
# Sourced by the benchmarks: installs the Debian packages a benchmark needs, only those missing,
# the way scripts/install-deps does (dpkg-query status check, then `apt-get install -y`).
# Idempotent: when everything is installed it runs nothing and prints nothing.
#   source bench/lib/deps.sh; bench_install_deps pgcopydb pgloader sqlite3

bench_install_deps() {
  local p status missing=()
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} > 0)) || return 0

  echo "bench: installing ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || {
      echo "bench: need root or sudo to apt-get install ${missing[*]}" >&2
      return 3
    }
    sudo=(sudo)
  fi
  # Quiet on success; apt's output goes to stderr so it never mixes with a report on stdout.
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" >&2; then
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "${missing[@]}" >&2
  fi
}
