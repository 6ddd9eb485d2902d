# shellcheck shell=bash
# Sourced first by every benchmark (bench/*.sh): where things are and how progress is told.
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# Sets root (the repository) and shared (../shared beside it, the standard dataset's home),
# sources deps.sh (bench_install_deps), and defines die (message on stderr, exit 2: the
# benchmark cannot run) and say (progress on stderr with the time), both naming the benchmark.

bench_name=$(basename "${BASH_SOURCE[1]}" .sh)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=$(dirname "$root")/shared
# shellcheck source=bench/lib/deps.sh
source "$root/bench/lib/deps.sh"

die() { echo "$bench_name: $*" >&2; exit 2; }
say() { echo "$bench_name: $(date +%T) $*" >&2; }
