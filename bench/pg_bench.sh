#!/usr/bin/env bash
# PostgreSQL benchmark: PeerLock against pgcopydb, pg_dump | pg_restore, the raw binary COPY
# limit and pgloader, on the standard dataset (../shared/bench), in one run on one machine.
# Builds nothing: run `make build` first. Prints a Markdown report on stdout (progress and
# failures on stderr). See bench/README.md.
#   bench/pg_bench.sh > bench/results/pg_bench-$(date +%F).md   # 1M customers + 5M orders
#   NCUST=20000 NORD=100000 bench/pg_bench.sh                   # a quick run
set -euo pipefail

# shellcheck source=bench/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=bench/lib/measure.sh
source "$root/bench/lib/measure.sh"
# shellcheck source=bench/lib/dataset.sh
source "$root/bench/lib/dataset.sh"

peerlock_bin=${PEERLOCK:-$root/build/peerlock}
bench_dataset_settings
[[ -x "$peerlock_bin" ]] || die "$peerlock_bin not found: run 'make build' first"

bench_install_deps postgresql-15 postgresql-client-15 pgcopydb pgloader sqlite3 time ||
  die "could not install the packages the benchmark needs"
for tool in psql pg_dump pg_restore pgcopydb pgloader sqlite3; do
  command -v "$tool" >/dev/null || die "$tool not found after installing its package"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (package time)"

# --- the work directory, the clusters and the cleanup --------------------------------------
dir=$(mktemp -d "${TMPDIR:-/tmp}/pgbench.XXXXXX")
chmod 755 "$dir" # run as root, the servers run as `postgres` and must reach their directories
mkdir "$dir/logs"
cleanup() {
  "$root/scripts/pg-cluster" stop "$dir/src" >/dev/null 2>&1 || true
  "$root/scripts/pg-cluster" stop "$dir/dst" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so the EXIT trap stops the servers on Ctrl-C too

private_peerlock "$peerlock_bin"

say "starting the source and target PostgreSQL clusters"
# --owner-pid: the servers also go away if this script is killed with SIGKILL.
"$root/scripts/pg-cluster" start "$dir/src" --owner-pid $$ >/dev/null ||
  die "could not start the source cluster"
"$root/scripts/pg-cluster" start "$dir/dst" --owner-pid $$ >/dev/null ||
  die "could not start the target cluster"
SRC_PORT=$(<"$dir/src/port") DST_PORT=$(<"$dir/dst/port")
# The plans name these variables (password_env); psql, pg_dump and pgloader get PGPASSWORD set
# per command from them; pgcopydb, which talks to both servers, reads a private passfile.
SRC_PW=$(<"$dir/src/password") DST_PW=$(<"$dir/dst/password")
BENCH_DIR=$dir
export SRC_PORT DST_PORT SRC_PW DST_PW BENCH_DIR
bench_secrets=("$SRC_PW" "$DST_PW")
(umask 077 && printf '127.0.0.1:%s:*:peerlock:%s\n127.0.0.1:%s:*:peerlock:%s\n' \
  "$SRC_PORT" "$SRC_PW" "$DST_PORT" "$DST_PW" >"$dir/pgpass")
src_base=postgresql://peerlock@127.0.0.1:$SRC_PORT
dst_base=postgresql://peerlock@127.0.0.1:$DST_PORT

src_psql() { PGPASSWORD=$SRC_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SRC_PORT" -U peerlock "$@"; }
dst_psql() { PGPASSWORD=$DST_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DST_PORT" -U peerlock "$@"; }

# No autovacuum on either server: a background vacuum of one tool's freshly loaded target would
# otherwise run during the next tool's timing. Each tool's own VACUUM/ANALYZE still runs.
for side in src dst; do
  "${side}_psql" -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
done

# Before every timed step: flush what the previous step left dirty, so it is not paid here.
settle() {
  src_psql -d postgres -c CHECKPOINT
  dst_psql -d postgres -c CHECKPOINT
  sync
}

fresh_db() { dst_psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\""; }
drop_db() { dst_psql -d postgres -c "DROP DATABASE IF EXISTS \"$1\""; }

# --- the composite peers -------------------------------------------------------------------
dump_restore() { # pg_dump -Fd -jN -Z0, then pg_restore -jN, into database $2
  local jobs=$1 db=$2
  rm -rf "$BENCH_DIR/dump"
  PGPASSWORD=$SRC_PW pg_dump -h 127.0.0.1 -p "$SRC_PORT" -U peerlock -d bench \
    -Fd -j "$jobs" -Z0 -f "$BENCH_DIR/dump"
  PGPASSWORD=$DST_PW pg_restore -h 127.0.0.1 -p "$DST_PORT" -U peerlock -d "$db" \
    -j "$jobs" --no-owner --no-acl "$BENCH_DIR/dump"
  rm -rf "$BENCH_DIR/dump"
}

raw_copy() { # both tables at once, each COPY ... (FORMAT binary) from one psql into another
  local db=$1 t pids=() rc=0
  for t in customers orders; do
    (
      start=$(date +%s.%N)
      PGPASSWORD=$SRC_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SRC_PORT" -U peerlock \
        -d bench -c "COPY $t TO STDOUT (FORMAT binary)" |
        PGPASSWORD=$DST_PW psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DST_PORT" -U peerlock \
          -d "$db" -c "COPY $t FROM STDIN (FORMAT binary)"
      echo "$t $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')" \
        >>"$BENCH_DIR/logs/raw_streams"
    ) &
    pids+=($!)
  done
  for t in "${pids[@]}"; do wait "$t" || rc=1; done
  return "$rc"
}

# The stand-in for `pgcopydb compare data`: per table, the row count and an order-independent
# sum of the first 64 bits of each row's md5, on source and target at the same time (PostgreSQL
# runs each with its default parallel workers). It finds that something differs, not what.
md5_compare() {
  local db=$1
  q() {
    echo "SELECT '$1', count(*), sum(('x' || left(md5(t::text), 16))::bit(64)::bigint) FROM ONLY $1 t"
  }
  PGPASSWORD=$SRC_PW psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SRC_PORT" -U peerlock \
    -d bench -c "SET TimeZone = 'UTC'" -c "$(q customers)" -c "$(q orders)" \
    >"$BENCH_DIR/logs/md5.src" &
  local src=$!
  PGPASSWORD=$DST_PW psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DST_PORT" -U peerlock \
    -d "$db" -c "SET TimeZone = 'UTC'" -c "$(q customers)" -c "$(q orders)" \
    >"$BENCH_DIR/logs/md5.dst" &
  local dst=$! rc=0
  wait "$src" || rc=3
  wait "$dst" || rc=3
  ((rc == 0)) || return "$rc"
  echo "source: $(tr '\n' ' ' <"$BENCH_DIR/logs/md5.src")"
  echo "target: $(tr '\n' ' ' <"$BENCH_DIR/logs/md5.dst")"
  cmp -s "$BENCH_DIR/logs/md5.src" "$BENCH_DIR/logs/md5.dst" || { echo "DIFFERENT"; return 1; }
  echo "equal"
}

# --- checks ---------------------------------------------------------------------------------
# Row counts "customers orders" of a target database ("- -" when it cannot be read).
dst_counts() {
  dst_psql -d "$1" -At -c "SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders)" 2>/dev/null ||
    echo "- -"
}
# Columns (name, type, nullability), indexes and constraints of the two tables, as one line.
schema_sig_sql="SELECT (SELECT md5(string_agg(table_name || '.' || column_name || ':' || data_type
    || ':' || is_nullable, ',' ORDER BY table_name, ordinal_position)) FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name IN ('customers', 'orders'))
  || ' ' || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'
             AND tablename IN ('customers', 'orders')) || ' indexes'
  || ' ' || (SELECT count(*) FROM pg_constraint WHERE conrelid IN
             ('public.customers'::regclass, 'public.orders'::regclass)) || ' constraints'"
counts_equal() { [[ "$(dst_counts "$1")" == "$src_ncust $src_nord" ]]; }
schema_equal() { [[ "$(dst_psql -d "$1" -At -c "$schema_sig_sql" 2>/dev/null)" == "$src_schema" ]]; }
# The PostgreSQL -> PostgreSQL checks of a clone in database $2 made by step $1.
check_clone() {
  local step=$1 db=$2
  check "$step: exited 0" ok "$step"
  check "$step: target row counts equal the source's ($(dst_counts "$db") vs $src_ncust $src_nord)" \
    counts_equal "$db"
  check "$step: target columns, index and constraint counts equal the source's" schema_equal "$db"
}
sqlite_counts() {
  sqlite3 "$dir/bench.db" "SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders)" 2>/dev/null ||
    echo "- -"
}

# Writes a plan in $dir/NAME/plan.yaml (its state store lands beside it).
write_plan() { # NAME SOURCE_URL SOURCE_PW_ENV TARGET_URL TARGET_PW_ENV (empty: no password)
  mkdir -p "$dir/$1"
  {
    echo "source: {url: \"$2\"${3:+, password_env: $3}}"
    echo "target: {url: \"$4\"${5:+, password_env: $5}}"
    echo "copy: {workers: $jobs, chunk_rows: $chunk_rows}"
  } >"$dir/$1/plan.yaml"
}

# --- the dataset ---------------------------------------------------------------------------
say "building the standard dataset: $ncust customers, $nord orders"
src_psql -d postgres -c "CREATE DATABASE bench"
gen_start=$(date +%s.%N)
src_psql -d bench -v ncust="$ncust" -v nord="$nord" -f "$schema_sql" -f "$data_sql" \
  >"$dir/logs/dataset.log" 2>&1 || { tail -n 30 "$dir/logs/dataset.log" >&2; die "building the dataset failed"; }
gen_seconds=$(awk -v s="$gen_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
read -r src_ncust src_nord < <(src_psql -d bench -At -c \
  "SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM orders)")
rows=$((src_ncust + src_nord))
src_size=$(src_psql -d bench -At -c "SELECT pg_size_pretty(pg_database_size('bench'))")
src_schema=$(src_psql -d bench -At -c "$schema_sig_sql")
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- PostgreSQL -> PostgreSQL --------------------------------------------------------------
fresh_db pgcopydb
timed pgcopydb env PGPASSFILE="$dir/pgpass" pgcopydb clone \
  --source "$src_base/bench" --target "$dst_base/pgcopydb" --dir "$dir/pgcopydb-work" \
  --table-jobs "$jobs" --index-jobs "$jobs" --no-owner --no-acl
check_clone pgcopydb pgcopydb
drop_db pgcopydb
rm -rf "$dir/pgcopydb-work"

fresh_db pgdump
timed pg_dump_restore bash -c "$(as_script dump_restore)" dump_restore "$jobs" pgdump
check_clone pg_dump_restore pgdump
drop_db pgdump

fresh_db peerlock
write_plan pl_pg "$src_base/bench" SRC_PW "$dst_base/peerlock" DST_PW
timed peerlock_pg "$peerlock" copy --plan "$dir/pl_pg/plan.yaml"
check_clone peerlock_pg peerlock

fresh_db rawcopy
dst_psql -d rawcopy -f "$schema_sql" >/dev/null 2>&1 # the tables, no keys, no indexes
timed raw_copy bash -c "$(as_script raw_copy)" raw_copy rawcopy
check "raw_copy: exited 0" ok raw_copy
check "raw_copy: target row counts equal the source's" counts_equal rawcopy
drop_db rawcopy

# --- verify --------------------------------------------------------------------------------
timed peerlock_verify "$peerlock" verify --plan "$dir/pl_pg/plan.yaml" --workers "$jobs"
check "peerlock_verify: PostgreSQL -> PostgreSQL copy verified equal (exit 0)" ok peerlock_verify

compare_help=$(pgcopydb compare data --help 2>&1 || true)
if [[ "$compare_help" != *"unknown command"* && "$compare_help" == *--source* ]]; then
  compare_tool="pgcopydb compare data"
  timed compare env PGPASSFILE="$dir/pgpass" pgcopydb compare data \
    --source "$src_base/bench" --target "$dst_base/peerlock" --dir "$dir/compare-work"
  check "compare: pgcopydb compare data finds the PeerLock copy equal" ok compare
else
  compare_tool="md5 sum query (stand-in: pgcopydb $(pgcopydb --version 2>/dev/null | awk 'NR == 1 { print $3 }') has no compare data)"
  timed compare bash -c "$(as_script md5_compare)" md5_compare peerlock
  check "compare: an independent md5 sum finds the PeerLock copy equal to the source" ok compare
fi
drop_db peerlock

# --- SQLite -> PostgreSQL ------------------------------------------------------------------
# The SQLite source for both tools: PeerLock's own PostgreSQL -> SQLite copy (not compared).
write_plan pl_tosqlite "$src_base/bench" SRC_PW "sqlite://$dir/bench.db" ""
timed peerlock_to_sqlite "$peerlock" copy --plan "$dir/pl_tosqlite/plan.yaml"
check "peerlock_to_sqlite: exited 0" ok peerlock_to_sqlite
check "peerlock_to_sqlite: SQLite row counts equal the source's ($(sqlite_counts))" \
  test "$(sqlite_counts)" == "$src_ncust $src_nord"
timed peerlock_to_sqlite_verify "$peerlock" verify --plan "$dir/pl_tosqlite/plan.yaml" --workers "$jobs"
check "peerlock_to_sqlite_verify: PostgreSQL -> SQLite copy verified equal (exit 0)" \
  ok peerlock_to_sqlite_verify
sqlite_size=$(du -h "$dir/bench.db" | cut -f1)

fresh_db pgloader
timed pgloader env PGPASSWORD="$DST_PW" pgloader --root-dir "$dir/pgloader-work" \
  "sqlite://$dir/bench.db" "$dst_base/pgloader"
check "pgloader: exited 0" ok pgloader
check "pgloader: target row counts equal the source's ($(dst_counts pgloader))" counts_equal pgloader
drop_db pgloader

fresh_db peerlock_sqlite
write_plan pl_sqlite "sqlite://$dir/bench.db" "" "$dst_base/peerlock_sqlite" DST_PW
timed peerlock_sqlite "$peerlock" copy --plan "$dir/pl_sqlite/plan.yaml"
check "peerlock_sqlite: exited 0" ok peerlock_sqlite
check "peerlock_sqlite: target row counts equal the source's ($(dst_counts peerlock_sqlite))" \
  counts_equal peerlock_sqlite
timed peerlock_sqlite_verify "$peerlock" verify --plan "$dir/pl_sqlite/plan.yaml" --workers "$jobs"
check "peerlock_sqlite_verify: SQLite -> PostgreSQL copy verified equal (exit 0)" \
  ok peerlock_sqlite_verify
drop_db peerlock_sqlite
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ----------------------------------------------------------------------------
pl_steps=(peerlock_pg peerlock_verify peerlock_to_sqlite peerlock_to_sqlite_verify peerlock_sqlite peerlock_sqlite_verify)
peak_of "${pl_steps[@]}"
machine=$(machine_line)
raw_orders=$(awk '$1 == "orders" { print $2 }' "$dir/logs/raw_streams" 2>/dev/null || true)

report=$dir/report.md
{
  echo "# PeerLock PostgreSQL benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- dataset: the standard one (\`../shared/bench\`), $src_ncust customers + $src_nord orders =" \
    "$rows rows; source database $src_size, SQLite copy $sqlite_size; built in ${gen_seconds} s"
  echo "- machine: $machine; load average (1/5/15 min) $load_start at the start, $load_end at the end"
  echo "- PostgreSQL $(src_psql -d postgres -At -c 'SHOW server_version' | cut -d' ' -f1): two" \
    "clusters from \`scripts/pg-cluster\` (durable, not \`--fast\`; autovacuum off), the same for" \
    "every tool; $(pgcopydb --version 2>/dev/null | head -n 1); pgloader" \
    "$(pgloader --version 2>/dev/null | awk 'NR == 1 { gsub(/"/, "", $3); print $3 }')"
  echo "- peerlock: $(peerlock_line "$root" "$peerlock_bin");" \
    "$jobs workers, chunk_rows $chunk_rows; every tool runs with $jobs jobs"
  echo "- wall = \`/usr/bin/time %e\`; peak = \`%M\`, the largest client process of the tool" \
    "(children included; server memory not counted); rows/s = rows moved (or compared) / wall"
  echo
  if ((${#failures[@]} > 0)); then
    echo "**${#failures[@]} check(s) FAILED** (see Correctness): the figures of a wrong or failed run do not count."
  else
    echo "All $((${#checks[@]})) correctness checks passed (see Correctness)."
  fi
  echo
  echo "| pairing | tool | wall s | rows/s | peak MB | PeerLock / peer |"
  echo "|---|---|---:|---:|---:|---:|"
  row "PG → PG" "pgcopydb clone --table-jobs $jobs --index-jobs $jobs" pgcopydb "$rows" \
    "$(ratio peerlock_pg pgcopydb)"
  row "PG → PG" "pg_dump -Fd -j$jobs -Z0 + pg_restore -j$jobs" pg_dump_restore "$rows" \
    "$(ratio peerlock_pg pg_dump_restore)"
  row "PG → PG" "raw limit: COPY (FORMAT binary) psql \\| psql, data only, no indexes" raw_copy \
    "$rows" "$(ratio peerlock_pg raw_copy)"
  row "PG → PG" "**peerlock copy** (full clone)" peerlock_pg "$rows" ""
  row "SQLite → PG" "pgloader (defaults)" pgloader "$rows" "$(ratio peerlock_sqlite pgloader)"
  row "SQLite → PG" "**peerlock copy**" peerlock_sqlite "$rows" ""
  row "verify PG ↔ PG" "$compare_tool" compare "$rows" "$(ratio peerlock_verify compare)"
  row "verify PG ↔ PG" "**peerlock verify**" peerlock_verify "$rows" ""
  row "(setup) PG → SQLite" "peerlock copy, the SQLite source above" peerlock_to_sqlite "$rows" ""
  echo
  echo "## Targets (issue 3)"
  echo
  echo "| target | measured | |"
  echo "|---|---|---|"
  echo "| PG clone ≤ 0.8× pgcopydb clone | $(ratio peerlock_pg pgcopydb) |" \
    "$(verdict_ratio peerlock_pg pgcopydb 0.8) |"
  echo "| SQLite → PG ≤ 0.5× pgloader | $(ratio peerlock_sqlite pgloader) |" \
    "$(verdict_ratio peerlock_sqlite pgloader 0.5) |"
  echo "| verify PG ↔ PG < 6 s (defined for 1M + 5M rows) | $(wall_of peerlock_verify)$(ok peerlock_verify && echo " s") |" \
    "$(ok peerlock_verify && awk -v w="${wall[peerlock_verify]}" 'BEGIN { exit !(w < 6) }' && echo met || echo "NOT met") |"
  echo "| verify faster than ${compare_tool%% (*} | $(ratio peerlock_verify compare) |" \
    "$(verdict_ratio peerlock_verify compare 0.9999) |"
  echo "| peak memory < 512 MB (every PeerLock run) | $(mb "$pl_peak") MB ($pl_peak_step) |" \
    "$( ((pl_peak > 0 && pl_peak < 512 * 1024)) && echo met || echo "NOT met") |"
  echo
  echo "## Correctness"
  echo
  for c in "${checks[@]}"; do echo "- $c"; done
  echo
  echo "## Every step"
  echo
  every_step pgcopydb pg_dump_restore peerlock_pg raw_copy peerlock_verify compare peerlock_to_sqlite \
    peerlock_to_sqlite_verify pgloader peerlock_sqlite peerlock_sqlite_verify
  echo
  [[ -z "$raw_orders" ]] || echo "The raw limit ran both tables' streams at once; the orders stream alone took $raw_orders s."
  echo
  echo "## PeerLock's own output"
  for s in peerlock_pg peerlock_verify peerlock_sqlite; do
    echo
    echo "\`$s\`:"
    echo
    echo '```text'
    tail -n 25 "$dir/logs/$s.log"
    echo '```'
  done
} >"$report"

# Never print a password, whatever a tool wrote into its output.
scrub <"$report"

if ((${#failures[@]} > 0)); then
  say "${#failures[@]} failure(s):"
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
