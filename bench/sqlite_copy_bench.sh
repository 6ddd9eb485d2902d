#!/usr/bin/env bash
# SQLite -> SQLite copy benchmark: peerlock copy and verify against the peer,
# `sqlite3 legacy.db .dump | sqlite3 dump.db`, on the generated demo shop database.
# Builds nothing: run `make build` first. See bench/README.md.
#   SCALE=1 RUNS=3 bench/sqlite_copy_bench.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peerlock=${PEERLOCK:-$root/build/peerlock}
scale=${SCALE:-1}
runs=${RUNS:-3}
workers=${WORKERS:-2}

die() { echo "sqlite_copy_bench: $*" >&2; exit 2; }

[[ -x "$peerlock" ]] || die "$peerlock not found: run 'make build' first"
command -v sqlite3 >/dev/null || die "sqlite3 not found: run 'scripts/install-deps'"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive integer, got '$workers'"

dir=$(mktemp -d "${TMPDIR:-/tmp}/peerlock-bench.XXXXXX")
cleanup() { rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM  # so the EXIT trap cleans up on Ctrl-C too

legacy=$dir/legacy.db
target=$dir/peerlock.db
dump=$dir/dump.db

# Runs "$@" from the temp dir (so any state PeerLock keeps beside its work lands there, not in
# the caller's tree), output to a log shown only on failure. Sets $elapsed (seconds).
elapsed=
timed() {
  local log=$dir/last.log start end
  start=$(date +%s.%N)
  if ! (cd "$dir" && "$@") >"$log" 2>&1; then
    echo "sqlite_copy_bench: failed: $*" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  elapsed=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
}

# The middle of the given numbers (the lower middle for an even count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

remove_db() { rm -f "$1" "$1-journal" "$1-wal" "$1-shm"; }

# Rows in every user table of a database, counted by sqlite3 itself.
count_rows() {
  local db=$1 tables sql=""
  tables=$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table'
                          AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name")
  [[ -n "$tables" ]] || { echo 0; return; }
  while IFS= read -r t; do
    sql+="${sql:+ + }(SELECT count(*) FROM \"${t//\"/\"\"}\")"
  done <<<"$tables"
  sqlite3 "$db" "SELECT $sql"
}

# --- the source database -------------------------------------------------------------------
generate=("$peerlock" demo --generate-only --dir "$dir")
# Captured first: `| grep -q` would stop reading early, and pipefail would count the SIGPIPE.
demo_help=$("$peerlock" demo --help 2>&1 || true)
if [[ "$demo_help" == *--scale* ]]; then
  generate+=(--scale "$scale")
elif ! awk -v s="$scale" 'BEGIN { exit !(s + 0 == 1) }'; then
  die "this peerlock's 'demo' has no --scale option, so SCALE=$scale cannot be honoured"
fi
timed "${generate[@]}"
generate_seconds=$elapsed
[[ -f "$legacy" ]] || die "'${generate[*]}' did not create $legacy"
rows=$(count_rows "$legacy")
((rows > 0)) || die "$legacy holds no rows"

# --- the runs ------------------------------------------------------------------------------
peer_copy() { sqlite3 "$legacy" .dump | sqlite3 "$dump"; }

copy_times=() verify_times=() peer_times=()
for ((i = 1; i <= runs; i++)); do
  remove_db "$target"
  rm -rf "$dir/.peerlock"  # a fresh copy, not a resume of the previous one
  timed "$peerlock" copy --source "sqlite://$legacy" --target "sqlite://$target" \
    --workers "$workers"
  copy_times+=("$elapsed")
  # Verify reads the copy just made; it exits non-zero on a difference, which stops the bench.
  timed "$peerlock" verify --source "sqlite://$legacy" --target "sqlite://$target"
  verify_times+=("$elapsed")
  remove_db "$dump"
  timed peer_copy
  peer_times+=("$elapsed")
done

# A benchmark of a wrong copy is worthless: both copies must hold every row.
for db in "$target" "$dump"; do
  got=$(count_rows "$db")
  [[ "$got" == "$rows" ]] || die "$db holds $got rows, the source $rows"
done

copy_s=$(median "${copy_times[@]}")
verify_s=$(median "${verify_times[@]}")
peer_s=$(median "${peer_times[@]}")

echo "SQLite -> SQLite, demo shop SCALE=$scale: $rows rows, $(du -h "$legacy" | cut -f1)B;" \
  "median of $runs runs; sqlite3 $(sqlite3 --version | cut -d' ' -f1); $(nproc) cores"
echo "(generation took ${generate_seconds}s; runs: copy ${copy_times[*]}," \
  "verify ${verify_times[*]}, peer ${peer_times[*]})"
awk -v rows="$rows" -v peer="$peer_s" -v workers="$workers" \
  -v copy="$copy_s" -v verify="$verify_s" '
  function line(tool, s) {
    # Parenthesised: an unbracketed ">" in a printf list is an output redirection in awk.
    printf "%-34s %9.3f %12s %14s\n", tool, s, (s > 0 ? sprintf("%.0f", rows / s) : "-"),
           (s > 0 ? sprintf("%.2f", peer / s) : "-")
  }
  BEGIN {
    printf "%-34s %9s %12s %14s\n", "tool", "seconds", "rows/s", "peer/peerlock"
    line("peerlock copy (" workers " workers)", copy)
    line("peerlock verify", verify)
    line("sqlite3 .dump | sqlite3 (peer)", peer)
  }'
